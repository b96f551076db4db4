"""Sound as numbers: mono float samples at one rate, read and written as 16-bit WAV,
brought to the loudness video platforms and podcasts expect.

Every narrated sentence is normalised on its own, when it is synthesized (or read from
a creator's recording), to an integrated loudness of -16 LUFS (ITU-R BS.1770, gated)
with its true peak (4x oversampled) at most -3 dBTP: two decibels under the -1 dBTP
ceiling, kept for what AAC and Opus add to peaks (AAC usually up to 1.6 dB on loud
speech, with its noise substitution off: see publish/audio_track.ENCODER_OPTIONS; once
2.6 dB, measured on one synthesis of one sentence, so the encoded track is measured too
and turned down for a few milliseconds wherever it still went over, then encoded again:
audio_track.replace_with_track). A track is sentences laid on silence, and BS.1770's
gates leave silence out, so the whole track measures -16 LUFS as well.
"""
from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 48_000               # Hz: what AAC and Opus both take without resampling again
TARGET_LUFS = -16.0         # integrated loudness of speech for video and podcasts
CEILING_DBTP = -3.0         # true peak after normalising: 2 dB under the -1 dBTP target, for AAC and Opus
PEAK_LIMIT_DBTP = -1.0      # the target: no encoded track's true peak above it
LIMITER_SECONDS = 0.005     # the limiter's look-ahead and smoothing window


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """(mono float samples in -1..1, sample rate) of a 16-bit PCM WAV file; channels are averaged."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: not 16-bit PCM")
        channels, rate = wav.getnchannels(), wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768
    return samples.reshape(-1, channels).mean(axis=1), rate


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    pcm = np.clip(np.round(np.asarray(samples) * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())


def resample(samples: np.ndarray, rate: int, to: int = RATE) -> np.ndarray:
    if rate == to:
        return np.asarray(samples, dtype=np.float64)
    from math import gcd

    from scipy.signal import resample_poly

    step = gcd(rate, to)
    return resample_poly(samples, to // step, rate // step)


def loudness(samples: np.ndarray, rate: int = RATE) -> float:
    """Integrated loudness in LUFS (BS.1770-4, gated); -inf for silence."""
    import pyloudnorm

    padded = samples if len(samples) >= 0.5 * rate else np.pad(samples, (0, int(0.5 * rate) - len(samples)))
    return float(pyloudnorm.Meter(rate).integrated_loudness(padded))


def true_peak(samples: np.ndarray) -> float:
    """The largest magnitude between samples too (4x oversampled), as a linear value."""
    from scipy.signal import resample_poly

    if len(samples) == 0:
        return 0.0
    return float(np.max(np.abs(resample_poly(samples, 4, 1))))


def _limit(samples: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """A look-ahead limiter: each sample's gain is at most what keeps every true peak
    within LIMITER_SECONDS of it under the ceiling, smoothed so it never clicks."""
    return samples * limiter_gain(samples, ceiling, max(1, int(LIMITER_SECONDS * rate)))


def limiter_gain(samples: np.ndarray, ceiling: float, window: int) -> np.ndarray:
    """Per sample, the gain (at most 1) that keeps every true peak within `window`
    samples of it under `ceiling`, smoothed so it never clicks."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d
    from scipy.signal import resample_poly

    peaks = np.abs(resample_poly(samples, 4, 1))[: 4 * len(samples)].reshape(-1, 4).max(axis=1)
    wanted = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    # A minimum over a window, then a mean over the same window: the mean at any sample
    # only averages minima whose windows held that sample, so it stays under its need.
    return uniform_filter1d(minimum_filter1d(wanted, window), window)


def normalise(samples: np.ndarray, rate: int = RATE) -> np.ndarray:
    """Speech brought to TARGET_LUFS with its true peak under CEILING_DBTP."""
    samples = np.asarray(samples, dtype=np.float64)
    measured = loudness(samples, rate)
    if not np.isfinite(measured):
        return samples  # silence stays silence
    ceiling = 10 ** (CEILING_DBTP / 20)
    for _ in range(4):  # limiting lowers the loudness a little: gain again, limit again
        samples = samples * 10 ** ((TARGET_LUFS - loudness(samples, rate)) / 20)
        if true_peak(samples) <= ceiling:
            break
        samples = _limit(samples, ceiling * 0.98, rate)
    return samples
