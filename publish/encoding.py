"""Finishing a clip: manim's file turned into what we ship (web-ready mp4, small GIF,
WebVTT subtitles), and reading a finished file's size."""
from __future__ import annotations

import shutil
from pathlib import Path

from nn_explainer.model.errors import UserError

GIF_WIDTH = 480        # pixels: a GIF for a post, not a 1080p one
GIF_FPS = 15

# How manim encodes our H.264 clips (mp4, and the mp4 a GIF is made from). Chosen by
# benchmarks/encoder_settings.py (table in docs/encoding.md): manim's default (crf 23,
# preset medium) spends most of a render in x264. `veryfast` is much quicker but loses
# about 3 dB; crf 21 with x264's animation tuning (flat colours, sharp edges) buys that
# back, within 0.3 dB of the default on every beat, for at most 18% more bytes (crf 20
# was better still but up to 28% bigger: over the 1.2x bar). The tuning is spelled as its x264 parameters
# at this preset (what `tune=animation` sets), because VP9 refuses `tune` but ignores
# `x264-params`, so manim.cfg can hold the very same options for every format.
# chroma-qp-offset=-2: the edges are thin blue and red lines, whose quality lives in the
# chroma planes. x264 lowers the chroma QP by 2 by itself where psy-rd is active (subme
# >= 6, as at manim's preset medium) but not at veryfast (subme 2), which cost our clips
# 1-1.7 dB of U and V against the default; set by hand, every plane is back within
# 0.3 dB of the default on the beats measured, for a few % more bytes (docs/encoding.md).
X264_OPTIONS = {"crf": "21", "preset": "veryfast",
                "x264-params": "deblock=1,1:psy-rd=0.4,0:aq-strength=0.6:bframes=5:chroma-qp-offset=-2"}
# manim encodes each animation's partial file while the next one is drawn: the
# second core works instead of waiting.
INFLIGHT_ENCODERS = 2
H264_FORMATS = ("mp4", "gif")


def manim_encoder_config(format: str, transparent: bool) -> dict:
    """The manim config entries for our encoder settings. Only opaque H.264 gets the x264
    options: VP9 (webm) refuses x264's `tune`, and qtrle (mov) has no crf."""
    # Always set, whatever a manim.cfg in the working directory says: other codecs get
    # manim's own defaults.
    opaque_h264 = format in H264_FORMATS and not transparent
    return {"max_inflight_encoders": INFLIGHT_ENCODERS,
            "video_encoder_options": dict(X264_OPTIONS) if opaque_h264 else {}}


def srt_to_vtt(srt: str) -> str:
    """WebVTT, the subtitle format browsers read: SRT with a header and dots in times."""
    lines = [line.replace(",", ".") if " --> " in line else line for line in srt.splitlines()]
    return "WEBVTT\n\n" + "\n".join(lines).strip() + "\n"


def vtt_data_url(vtt: Path) -> str | None:
    """A subtitle file as a `data:` URL for a page's <track>: Chromium refuses a page
    opened from disk (`file://`) the .vtt beside it ("'file:' URLs are treated as unique
    security origins"), but reads cues carried in the page itself. None if it is gone."""
    import base64

    try:
        data = vtt.read_bytes()
    except OSError:
        return None
    return "data:text/vtt;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")


def finish(rendered: Path, target: Path, format: str) -> None:
    """Turn manim's file into the clip we ship, written to `target`."""
    if format == "mp4":
        faststart(rendered, target)
    elif format == "gif":
        make_gif(rendered, target)
    else:
        shutil.copyfile(rendered, target)


def faststart(source: Path, target: Path) -> None:
    """Remux an mp4 with its index (moov atom) first, so a browser can start playing
    before the download ends. Packets are copied, not re-encoded."""
    import av

    with av.open(str(source)) as inp, av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = inp.streams.video[0]
        out_stream = out.add_stream_from_template(stream)
        for packet in inp.demux(stream):
            if packet.dts is None:
                continue
            packet.stream = out_stream
            out.mux(packet)


def make_gif(source: Path, target: Path) -> None:
    """A looping GIF, GIF_WIDTH wide at GIF_FPS, with one adaptive palette built from
    frames across the whole clip (a per-frame palette flickers). It plays exactly as
    long as the video (see gif_delays)."""
    import av
    from PIL import Image

    frames, kept = [], []
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate)
        step = max(1, round(rate / GIF_FPS))
        count = 0
        for index, frame in enumerate(container.decode(stream)):
            count += 1
            if index % step == 0:
                kept.append(index)
                image = frame.to_image()
                height = round(image.height * GIF_WIDTH / image.width)
                frames.append(image.resize((GIF_WIDTH, height), Image.LANCZOS))
    if not frames:
        raise UserError(f"{source}: no frames to make a GIF from")
    samples = frames[:: max(1, len(frames) // 8)]
    strip = Image.new("RGB", (GIF_WIDTH, sum(f.height for f in samples)))
    offset = 0
    for sample in samples:
        strip.paste(sample, (0, offset))
        offset += sample.height
    palette = strip.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    quantized = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    quantized[0].save(target, format="GIF", save_all=True, append_images=quantized[1:], loop=0,
                      duration=gif_delays([index / rate for index in kept] + [count / rate]),
                      optimize=False, disposal=1)


def gif_delays(boundaries: list[float]) -> list[int]:
    """Each frame's delay in milliseconds, given the times (seconds) at which the frames
    start and the last one ends. A GIF stores delays in hundredths of a second, and
    1000/15 ms is not one of them: rounded frame by frame (to 60 or 70 ms), the GIF plays
    up to 10 % fast or slow. Rounding the boundaries instead spreads the error, so no
    frame is off by more than 5 ms and the whole lasts the video's duration to 5 ms."""
    hundredths = [round(100 * time) for time in boundaries]
    return [10 * (end - start) for start, end in zip(hundredths, hundredths[1:])]


def video_size(path: Path, format: str) -> tuple[int, int]:
    if format in ("png", "gif"):
        from PIL import Image

        with Image.open(path) as image:
            return image.size
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.codec_context.width, stream.codec_context.height


CONTAINERS = {"mp4": "mp4", "mov": "mov", "webm": "webm"}


def concatenate(sources: list[Path], target: Path, format: str) -> None:
    """Join finished clips of one format end to end without re-encoding them: packets
    are copied with their times shifted (video), or frames appended as they are (GIF);
    a still's sequence ends on its last still. The clips must come from the same
    encoder settings, size and frame rate — the beats of one request do — and a clip
    that does not is refused rather than joined into a file that plays wrong."""
    if not sources:
        raise UserError("nothing to join")
    if format == "png":
        shutil.copyfile(sources[-1], target)
    elif format == "gif":
        _concatenate_gifs(sources, target)
    else:
        _concatenate_videos(sources, target, format)


def _concatenate_videos(sources: list[Path], target: Path, format: str) -> None:
    import av

    options = {"movflags": "+faststart"} if format in ("mp4", "mov") else {}
    with av.open(str(target), "w", format=CONTAINERS[format], options=options) as out:
        out_stream, first, offset = None, None, 0.0   # offset: seconds of video already joined
        for source in sources:
            with av.open(str(source)) as inp:
                stream = inp.streams.video[0]
                shape = (stream.codec_context.name, stream.codec_context.width, stream.codec_context.height,
                         stream.base_rate, stream.time_base, stream.codec_context.extradata)
                if out_stream is None:
                    out_stream, first = out.add_stream_from_template(stream), shape
                elif shape != first:
                    raise UserError(f"{source}: encoded unlike the clips before it "
                                    f"({shape[:4]} vs {first[:4]}); render them with the same settings")
                base = stream.time_base
                shift = round(offset / base)
                frame_ticks = round(1 / (stream.base_rate * base))
                end = shift
                for packet in inp.demux(stream):
                    if packet.dts is None:
                        continue
                    packet.dts += shift
                    if packet.pts is not None:
                        packet.pts += shift
                        end = max(end, packet.pts + (packet.duration or frame_ticks))
                    packet.stream = out_stream
                    out.mux(packet)
                offset = float(end * base)


def _concatenate_gifs(sources: list[Path], target: Path) -> None:
    """Each frame keeps its own palette (a GIF allows a local one per frame)."""
    from PIL import Image, ImageSequence

    frames, durations = [], []
    for source in sources:
        with Image.open(source) as gif:
            for frame in ImageSequence.Iterator(gif):
                frames.append(frame.copy())
                durations.append(frame.info.get("duration", round(1000 / GIF_FPS)))
    frames[0].save(target, format="GIF", save_all=True, append_images=frames[1:], loop=0,
                   duration=durations, optimize=False, disposal=1)
