"""Render one scene into finished clips: the video, its poster, its sections.

manim renders into a private work folder; we then finish the clip (H.264 moved to the
front of the file for the web, GIFs re-made small and looping, a poster PNG from the
last frame) and rename each finished file into `media/clips/<quality>/`. A killed
render leaves only its work folder, never a half-written clip at a final path.

Beside each clip a small JSON sidecar records what it was made from (scene, digit,
format, export hash, the key of all its inputs); the manifest is rebuilt from the
sidecars (see manifest.py), so it always matches what is on disk.

The scene is created inside `tempconfig`, as manim 0.22 requires. Which export, digit
and edge mode it draws travel as environment variables (see export_data.py), so the
stock `manim` CLI finds the same defaults.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from model import paths
from model.atomic import atomic_path, write_text
from model.errors import UserError

from .catalog import scene_class
from .export_data import DEFAULT_DIGIT, DIGIT_VARIABLE, EDGES_VARIABLE, EXPORT_VARIABLE, scene_inputs

QUALITIES = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality", "4k": "fourk_quality"}
FORMATS = ("mp4", "webm", "gif", "png", "mov")
TRANSPARENT_FORMATS = ("webm", "mov", "png")
GIF_WIDTH = 480        # pixels: a GIF for a post, not a 1080p one
GIF_FPS = 15
CLIPS_DIR = "clips"    # under the media folder


@dataclass(frozen=True)
class RenderRequest:
    scene: str
    quality: str = "low"
    format: str = "mp4"
    transparent: bool = False
    digit: str | None = None
    export: Path | None = None
    edges: str = "weight"
    sections: bool = False
    snapshot: int | None = None
    media_dir: Path = paths.MEDIA_DIR

    def export_path(self) -> Path:
        if self.snapshot is not None:
            return snapshot_export(self.snapshot, self.export)
        return Path(self.export or paths.DEFAULT_EXPORT).resolve()

    def check(self) -> None:
        """Refuse what cannot work before anything is drawn or written."""
        if self.quality not in QUALITIES:
            raise UserError(f"quality must be one of {', '.join(QUALITIES)}, got {self.quality!r}")
        if self.format not in FORMATS:
            raise UserError(f"format must be one of {', '.join(FORMATS)}, got {self.format!r}")
        if self.transparent and self.format not in TRANSPARENT_FORMATS:
            raise UserError(f"{self.format} cannot hold transparency: use --format webm (VP9 with alpha) "
                            f"or --format mov for a transparent video, or png for a still")
        if self.sections and self.format == "png":
            raise UserError("--sections needs a video format; png is a single still")
        if self.snapshot is not None and self.scene != "ForwardPass":
            raise UserError("--snapshot is for ForwardPass: the same digit through the network at an earlier epoch")
        cls = scene_class(self.scene)
        # The scene's own check of the network's shape and the digit, before any frame.
        scene_inputs(self.scene, hidden_layers=cls.hidden_layers, max_hidden=cls.max_hidden,
                     path=self.export_path(), digit=self.digit or DEFAULT_DIGIT)

    def stem(self) -> str:
        """The clip's file name without extension: scene, then what sets it apart."""
        parts = [self.scene]
        if self.digit and self.digit != DEFAULT_DIGIT:
            parts.append(self.digit.replace(":", "-"))
        if self.snapshot is not None:
            parts.append(f"epoch{self.snapshot}")
        if self.edges != "weight":
            parts.append(self.edges)
        if self.transparent:
            parts.append("transparent")
        return "_".join(parts)

    def clip_path(self) -> Path:
        return Path(self.media_dir) / CLIPS_DIR / self.quality / f"{self.stem()}.{self.format}"


def snapshot_export(epoch: int, export: Path | None = None) -> Path:
    base = Path(export or paths.DEFAULT_EXPORT).resolve()
    path = base.with_name(f"{base.stem}.epoch{epoch}.json")
    if not path.exists():
        raise UserError(f"no snapshot for epoch {epoch} ({path.name}): train with --snapshots {epoch}")
    return path


@dataclass
class Clip:
    """What a finished clip is: the sidecar's content and the manifest's entry."""

    scene: str
    digit: str
    format: str
    quality: str
    transparent: bool
    resolution: list[int]
    fps: float
    duration: float
    bytes: int
    path: str
    poster: str | None
    sections: list[str]
    subtitles: str | None
    export_hash: str
    inputs_key: str
    seconds_to_render: float
    snapshot: int | None = None
    edges: str = "weight"
    made: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S"))


def relative(path: Path) -> str:
    """Paths in sidecars and the manifest are relative to the repository root."""
    try:
        return str(Path(path).resolve().relative_to(paths.REPO_ROOT))
    except ValueError:
        return str(Path(path).resolve())


def render_clip(request: RenderRequest, key: str | None = None) -> Clip:
    """Render `request` and finish its files; returns the clip's record. `key`: the
    inputs key, when the caller has already computed it (see dependencies.py)."""
    from manim import tempconfig

    from .dependencies import export_content_hash, inputs_key

    request.check()
    key = key or inputs_key(request)
    started = time.perf_counter()
    os.environ[EXPORT_VARIABLE] = str(request.export_path())
    os.environ[EDGES_VARIABLE] = request.edges
    os.environ[DIGIT_VARIABLE] = request.digit or DEFAULT_DIGIT
    final = request.clip_path()
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=final.parent))
    try:
        # GIFs are made by us from an mp4, smaller and better than a full-size GIF.
        manim_format = "mp4" if request.format == "gif" else request.format
        settings = {
            "quality": QUALITIES[request.quality], "format": manim_format, "transparent": request.transparent,
            "save_sections": request.sections, "media_dir": str(work), "disable_caching": True,
            "verbosity": "ERROR", "progress_bar": "none",
        }
        with tempconfig(settings):
            scene = scene_class(request.scene)()
            scene.render()
            plan = scene.renderer.file_writer.output_plan
            last_frame = scene.renderer.get_frame()  # RGBA: the poster, alpha and all
            fps = float(scene.camera.frame_rate) if manim_format != "png" else 0.0
            duration = float(scene.renderer.time)
            rendered = Path(plan.primary_artifact)
            subtitles = Path(plan.subcaption_file) if plan.subcaption_file else None
            sections = sorted(p for p in plan.sections_dir.glob(f"{plan.output_stem}_*")
                              if p.suffix != ".json") if request.sections and plan.sections_dir else []
        poster = None
        if request.format != "png":
            poster = final.with_name(f"{final.stem}.poster.png")
            with atomic_path(poster) as tmp:
                from PIL import Image

                Image.fromarray(last_frame, "RGBA" if request.transparent else None).convert(
                    "RGBA" if request.transparent else "RGB").save(tmp, format="PNG")
        with atomic_path(final) as tmp:
            finish(rendered, tmp, request.format)
        subtitle_path = None
        if subtitles is not None and subtitles.exists():  # the Chapter's narration, as .srt
            subtitle_path = final.with_suffix(".srt")
            with atomic_path(subtitle_path) as tmp:
                shutil.copyfile(subtitles, tmp)
            write_text(final.with_suffix(".vtt"), srt_to_vtt(subtitles.read_text()))  # what <track> reads
        section_paths = []
        if sections:
            folder = final.with_name(f"{final.stem}.sections")
            folder.mkdir(exist_ok=True)
            for old in folder.glob("*"):
                old.unlink()
            for index, section in enumerate(sections):
                target = folder / f"{index:02d}_{section.stem.split('_', 2)[-1]}{section.suffix}"
                with atomic_path(target) as tmp:
                    finish(section, tmp, request.format)
                section_paths.append(relative(target))
        width, height = video_size(final, request.format)
        clip = Clip(scene=request.scene, digit=request.digit or DEFAULT_DIGIT, format=request.format,
                    quality=request.quality, transparent=request.transparent, resolution=[width, height],
                    fps=GIF_FPS if request.format == "gif" else fps, duration=round(duration, 3),
                    bytes=final.stat().st_size, path=relative(final), poster=relative(poster) if poster else None,
                    sections=section_paths, subtitles=relative(subtitle_path) if subtitle_path else None,
                    export_hash=export_content_hash(request.export_path()),
                    inputs_key=key, seconds_to_render=round(time.perf_counter() - started, 2),
                    snapshot=request.snapshot, edges=request.edges)
        write_text(sidecar_path(final), json.dumps(asdict(clip), indent=2) + "\n")
        return clip
    finally:
        shutil.rmtree(work, ignore_errors=True)


def srt_to_vtt(srt: str) -> str:
    """WebVTT, the subtitle format browsers read: SRT with a header and dots in times."""
    lines = [line.replace(",", ".") if " --> " in line else line for line in srt.splitlines()]
    return "WEBVTT\n\n" + "\n".join(lines).strip() + "\n"


def sidecar_path(clip: Path) -> Path:
    return clip.with_name(clip.name + ".json")


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
    frames across the whole clip (a per-frame palette flickers)."""
    import av
    from PIL import Image

    frames = []
    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        step = max(1, round(float(stream.average_rate) / GIF_FPS))
        for index, frame in enumerate(container.decode(stream)):
            if index % step == 0:
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
                      duration=round(1000 / GIF_FPS), optimize=False, disposal=1)


def video_size(path: Path, format: str) -> tuple[int, int]:
    if format in ("png", "gif"):
        from PIL import Image

        with Image.open(path) as image:
            return image.size
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.codec_context.width, stream.codec_context.height
