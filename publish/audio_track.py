"""The narration track of a clip: its sentences laid on silence, muxed beside the video.

A scene rendered by render.py keeps its sounds as a list (publish/frame_writer.py); here
they become one mono track at audio.RATE exactly as long as the video, encoded in the
codec each container wants (AAC in mp4 and mov, Opus in webm) and muxed with the video's
packets copied, not re-encoded. A section's clip gets the slice of the track under its
frames, so `--sections` keeps the voice. Joining the Chapter copies each beat's audio
packets after the last, as the video's are (re-encoding a nine-minute track would take
longer than the rest of the join): each beat's packets are placed from the instant its
video starts, its encoder's priming packet left out, and a packet dropped or repeated at
the join so the audio never drifts more than half a packet (11 ms) from the video. A
beat's track begins and ends in quiet (the narrator's lead-in and closing pause), so
what is dropped or repeated there is silence: no gap, no click. GIFs and posters are
silent.
"""
from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from nn_explainer.scenes.speech.audio import PEAK_LIMIT_DBTP, RATE, limiter_gain, read_wav, true_peak

AUDIO_FORMATS = {"mp4": ("aac", 128_000), "mov": ("aac", 128_000), "webm": ("libopus", 96_000)}
# FFmpeg's AAC encoder may fill a band with "noise substitution", which the decoder draws
# from a random generator it carries from packet to packet: the same packets then sound
# a little different after other packets, as a beat's do inside the Chapter. Off, a
# copied packet decodes the same wherever it lands (and 128 kb/s has bits to spare).
ENCODER_OPTIONS = {"aac": {"aac_pns": "0"}, "libopus": {}}


def carries_audio(format: str) -> bool:
    return format in AUDIO_FORMATS


def lay(sounds: list[tuple[str, float]], seconds: float) -> np.ndarray:
    """The track: each (WAV file, start in seconds) added at its sample, cut to `seconds`."""
    track = np.zeros(round(seconds * RATE))
    for path, start in sounds:
        samples, rate = read_wav(Path(path))
        assert rate == RATE, f"{path}: narration is {rate} Hz, not {RATE}"  # voice.speak writes RATE
        at = round(start * RATE)
        piece = samples[: max(0, len(track) - at)]
        track[at: at + len(piece)] += piece
    return track


def video_seconds(path: Path) -> float:
    """How long a clip's video lasts: its frames times the frame time."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = stream.frames or sum(1 for _ in container.demux(stream) if _.dts is not None)
        return float(frames / stream.average_rate)


def mux(video: Path, track: np.ndarray, target: Path, format: str) -> None:
    """`target`: `video`'s packets as they are, and `track` encoded for the container."""
    import av

    codec, bitrate = AUDIO_FORMATS[format]
    options = {"movflags": "+faststart"} if format in ("mp4", "mov") else {}
    with av.open(str(video)) as inp, av.open(str(target), "w", format=format, options=options) as out:
        video_in = inp.streams.video[0]
        video_out = out.add_stream_from_template(video_in)
        keep_alpha(video_in, video_out)
        audio_out = out.add_stream(codec, rate=RATE, layout="mono", options=ENCODER_OPTIONS[codec])
        audio_out.bit_rate = bitrate
        for packet in inp.demux(video_in):
            if packet.dts is None:
                continue
            packet.stream = video_out
            out.mux(packet)
        for packet in _encode(audio_out, track):
            out.mux(packet)


def keep_alpha(video_in, video_out) -> None:
    """A VP9 clip's alpha rides in each packet's side data, which a packet copy keeps;
    without the track's alpha flag, which a template does not copy, a player ignores it
    and the see-through clip turns opaque."""
    flag = {key.lower(): value for key, value in video_in.metadata.items()}.get("alpha_mode")
    if flag:
        video_out.metadata["alpha_mode"] = flag


def _encode(stream, track: np.ndarray):
    import av

    resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono", rate=RATE)
    pcm = np.clip(np.round(track * 32767), -32768, 32767).astype(np.int16)
    step = stream.codec_context.frame_size or 1024
    for offset in range(0, len(pcm), step):
        frame = av.AudioFrame.from_ndarray(pcm[None, offset: offset + step], format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = RATE, offset, Fraction(1, RATE)
        for converted in resampler.resample(frame):
            yield from stream.encode(converted)
    for converted in resampler.resample(None):
        yield from stream.encode(converted)
    yield from stream.encode(None)


def decode(path: Path) -> np.ndarray | None:
    """A clip's audio as float samples at RATE (None if it has none), exactly as long as
    its video: the encoder's priming and padding left out."""
    import av

    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        parts = []
        for frame in container.decode(stream):
            for converted in resampler.resample(frame):
                parts.append(converted.to_ndarray().reshape(-1))
        for converted in resampler.resample(None):
            parts.append(converted.to_ndarray().reshape(-1))
    samples = np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)
    wanted = round(video_seconds(path) * RATE)
    return np.pad(samples, (0, max(0, wanted - len(samples))))[:wanted]


def add_track(clip: Path, sounds: list[tuple[str, float]], format: str) -> None:
    """Give a finished clip its narration, in place (through a temporary file)."""
    track = lay(sounds, video_seconds(clip))
    replace_with_track(clip, track, format)


PEAK_TRIES = 4              # encodings of one track at most, each limiting what went over
PEAK_MARGIN_DB = 0.3        # what the encoder pushed over the limit is brought this far under it
PEAK_WINDOW = 1024          # samples: one AAC frame, over which an encoded peak's overshoot spreads


def replace_with_track(clip: Path, track: np.ndarray, format: str) -> None:
    """`clip` with `track` as its sound, in place (through a temporary file). The encoded
    sound is measured: where the encoder pushed a true peak over the limit, the track is
    turned down there (for a few milliseconds, smoothly) and encoded again."""
    tmp = clip.with_name(f".{clip.name}.audio.tmp")
    try:
        for _ in range(PEAK_TRIES):
            mux(clip, track, tmp, format)
            limited = _over_the_limit_turned_down(tmp, track)
            if limited is None:
                break
            track = limited
        os.replace(tmp, clip)
    finally:
        tmp.unlink(missing_ok=True)


def _over_the_limit_turned_down(encoded: Path, track: np.ndarray) -> np.ndarray | None:
    """None if the encoded sound's true peak is within PEAK_LIMIT_DBTP; else the track
    turned down around each place the encoded sound went over (by that much, and a margin)."""
    sound = decode(encoded)
    limit = 10 ** (PEAK_LIMIT_DBTP / 20)
    if sound is None or not len(sound) or true_peak(sound) <= limit:
        return None
    gain = limiter_gain(sound, limit * 10 ** (-PEAK_MARGIN_DB / 20), PEAK_WINDOW)
    return track * np.pad(gain, (0, max(0, len(track) - len(gain))), constant_values=1.0)[: len(track)]


def add_tracks_to_sections(sections: list[Path], sounds: list[tuple[str, float]], format: str) -> None:
    """Each section's clip gets the part of the whole track under its frames."""
    start = 0.0
    ends = []
    for section in sections:
        start += video_seconds(section)
        ends.append(start)
    track = lay(sounds, ends[-1]) if ends else np.zeros(0)
    begin = 0
    for section, end in zip(sections, ends):
        stop = round(end * RATE)
        replace_with_track(section, track[begin:stop], format)
        begin = stop


def join(video: Path, clips: list[Path], starts: list[float], target: Path, format: str) -> None:
    """`target`: the joined `video`'s packets, and the `clips`' audio packets laid from
    each clip's start (seconds into `video`), never drifting more than half a packet."""
    import av

    options = {"movflags": "+faststart"} if format in ("mp4", "mov") else {}
    sources = [av.open(str(clip)) for clip in clips]
    try:
        templates = [source.streams.audio[0] for source in sources]
        first = templates[0]
        shape = (first.codec_context.name, first.rate, first.codec_context.extradata)
        for clip, stream in zip(clips, templates):
            if (stream.codec_context.name, stream.rate, stream.codec_context.extradata) != shape:
                raise ValueError(f"{clip}: its audio is encoded unlike the first beat's")
        with av.open(str(video)) as joined, av.open(str(target), "w", format=format, options=options) as out:
            video_in = joined.streams.video[0]
            video_out = out.add_stream_from_template(video_in)
            keep_alpha(video_in, video_out)
            audio_out = out.add_stream_from_template(first)
            base = first.time_base
            whole = first.codec_context.frame_size or 1024  # samples a packet decodes to
            written = None  # where the next audio packet goes, in the stream's time base
            for index, (source, stream, start) in enumerate(zip(sources, templates, starts)):
                end = starts[index + 1] if index + 1 < len(starts) else None
                begin = round(start / base)
                for packet in source.demux(stream):
                    if packet.dts is None or packet.duration is None:
                        continue
                    if written is None:
                        written = packet.pts  # the first beat keeps its priming, as its encoder wrote it
                    elif packet.pts < 0:
                        continue  # a later beat's priming: its sound starts at its own first sample
                    elif written < begin - packet.duration // 2:
                        while written < begin - packet.duration // 2:  # behind: repeat quiet
                            _mux_at(out, audio_out, packet, written)
                            written += packet.duration
                    # Mid-Chapter a beat stops where the rest of its (quiet) tail would run
                    # into the next beat, and before its last packet: cut short by its
                    # container to end with its video, that one still decodes whole and
                    # would push all later sound late. The next beat's quiet lead fills in.
                    if end is not None and (written + packet.duration // 2 > round(end / base)
                                            or packet.duration < whole):
                        break
                    _mux_at(out, audio_out, packet, written)
                    written += packet.duration
            for packet in joined.demux(video_in):
                if packet.dts is None:
                    continue
                packet.stream = video_out
                out.mux(packet)
    finally:
        for source in sources:
            source.close()


def _mux_at(out, stream, packet, at: int) -> None:
    import av

    copy = av.Packet(bytes(packet))
    copy.pts = copy.dts = at
    copy.duration = packet.duration
    copy.time_base = packet.time_base
    copy.stream = stream
    out.mux(copy)


def has_audio(path: Path) -> bool:
    import av

    with av.open(str(path)) as container:
        return bool(container.streams.audio)
