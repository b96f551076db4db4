"""Render one scene into finished clips: the video, its poster, its sections.

manim renders into a private work folder; we then finish the clip (H.264 moved to the
front of the file for the web, GIFs re-made small and looping, a poster PNG from the
last frame) and rename each finished file into `media/clips/<quality>/`. A killed
render leaves only its work folder (named by its pid, swept by the next run), never a
half-written clip at a final path; the sidecar, removed first and written last with
the clip's and poster's hashes, says which clip and poster belong together.

Beside each clip a small JSON sidecar records what it was made from (scene, digit,
format, export hash, the key of all its inputs); the manifest is rebuilt from the
sidecars (see manifest.py), so it always matches what is on disk.

The scene is created inside `tempconfig`, as manim 0.22 requires, and is handed the
request's `Settings` (export, digit, edge mode): nothing travels through the environment.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from model import paths, test_seam
from model.atomic import atomic_path, write_text

from scenes.outline import beats_of, scene_class
from scenes.settings import DEFAULT_DIGIT

from .encoding import GIF_FPS, finish, manim_encoder_config, srt_to_vtt, video_size
from .glyph_cache import glyph_dirs
from .manifest import file_sha256
from .media import inside
from .requests import QUALITIES, RenderRequest



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
    sha256: str = ""                  # of the clip: the sidecar vouches for this very file
    poster_bytes: int | None = None
    poster_sha256: str | None = None  # and for this very poster
    made: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S"))


def relative(path: Path) -> str:
    """Paths in sidecars and the manifest are relative to the repository root."""
    try:
        return str(Path(path).resolve().relative_to(paths.REPO_ROOT))
    except ValueError:
        return str(Path(path).resolve())


@dataclass
class Rendered:
    """What a render left in its work folder, before it is published."""

    video: Path                  # manim's file, or an assembled one
    last_frame: "np.ndarray"     # RGBA: the poster, alpha and all
    fps: float
    duration: float
    subtitles: Path | None = None
    sections: list[Path] = field(default_factory=list)
    finished: bool = False       # already in the shipped format (an assembled Chapter)


def render_clip(request: RenderRequest, key: str | None = None) -> Clip:
    """Render `request` and publish its files; returns the clip's record. `key`: the
    inputs key, when the caller has already computed it (see keys.py). The Chapter is
    not rendered but assembled from its beats' clips (assemble.py)."""
    from .keys import inputs_key

    request.check()
    if len(beats_of(request.scene)) > 1:
        from .assemble import render_chapter

        return render_chapter(request, key)
    key = key or inputs_key(request)
    started = time.perf_counter()
    with work_folder(request) as work:
        return publish(request, key, render_into(request, work), started)


@contextmanager
def work_folder(request: RenderRequest):
    """A private folder beside the clip's final place, removed afterwards. The pid in its
    name lets a later run tell a dead render's leftovers from a live one's."""
    final = inside(Path(request.media_dir), request.clip_path())
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".work-{os.getpid()}-", dir=final.parent))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render_into(request: RenderRequest, work: Path) -> Rendered:
    """Let manim render one beat's scene into `work`, with our encoder settings."""
    from manim import tempconfig

    # GIFs are made by us from an mp4, smaller and better than a full-size GIF.
    manim_format = "mp4" if request.format == "gif" else request.format
    manim_config = {
        "quality": QUALITIES[request.quality], "format": manim_format, "transparent": request.transparent,
        "save_sections": request.sections, "media_dir": str(work), "disable_caching": True,
        "verbosity": "ERROR", "progress_bar": "none",
        **manim_encoder_config(manim_format, request.transparent),
        **glyph_dirs(),
    }
    with tempconfig(manim_config):
        from .frame_writer import renderer

        scene = scene_class(request.scene)(settings=request.settings(), renderer=renderer())
        scene.render()
        plan = scene.renderer.file_writer.output_plan
        sections = sorted(p for p in plan.sections_dir.glob(f"{plan.output_stem}_*")
                          if p.suffix != ".json") if request.sections and plan.sections_dir else []
        return Rendered(video=Path(plan.primary_artifact), last_frame=scene.renderer.get_frame(),
                        fps=float(scene.camera.frame_rate) if manim_format != "png" else 0.0,
                        duration=float(scene.renderer.time),
                        subtitles=Path(plan.subcaption_file) if plan.subcaption_file else None,
                        sections=sections)


def publish(request: RenderRequest, key: str, rendered: Rendered, started: float) -> Clip:
    """Finish the rendered files and rename them into the media folder, sidecar last."""
    from .keys import export_content_hash

    media_dir = Path(request.media_dir)
    final = inside(media_dir, request.clip_path())
    ship = shutil.copyfile if rendered.finished else (lambda source, target: finish(source, target, request.format))
    # Publishing order: the sidecar is the record that a clip is whole, so it goes
    # first and comes back last, holding the sizes and hashes of clip and poster.
    # A kill in between leaves no sidecar (the clip is re-made), never a record
    # pairing one render's poster with another's clip.
    sidecar = inside(media_dir, sidecar_path(final))
    sidecar.unlink(missing_ok=True)
    with atomic_path(final) as tmp:
        ship(rendered.video, tmp)
    test_seam.pause("render:clip-written")
    poster = None
    if request.format != "png":
        poster = inside(media_dir, final.with_name(f"{final.stem}.poster.png"))
        with atomic_path(poster) as tmp:
            from PIL import Image

            Image.fromarray(rendered.last_frame, "RGBA" if request.transparent else None).convert(
                "RGBA" if request.transparent else "RGB").save(tmp, format="PNG")
    subtitle_path = None
    if rendered.subtitles is not None and rendered.subtitles.exists():  # the Chapter's narration, as .srt
        subtitle_path = inside(media_dir, final.with_suffix(".srt"))
        with atomic_path(subtitle_path) as tmp:
            shutil.copyfile(rendered.subtitles, tmp)
        # what <track> reads
        write_text(inside(media_dir, final.with_suffix(".vtt")), srt_to_vtt(rendered.subtitles.read_text()))
    section_paths = []
    if rendered.sections:
        folder = inside(media_dir, final.with_name(f"{final.stem}.sections"))
        folder.mkdir(exist_ok=True)
        for old in folder.glob("*"):
            old.unlink()
        for index, section in enumerate(rendered.sections):
            target = inside(media_dir, folder / f"{index:02d}_{section.stem.split('_', 2)[-1]}{section.suffix}")
            with atomic_path(target) as tmp:
                ship(section, tmp)
            section_paths.append(relative(target))
    test_seam.pause("render:before-sidecar")
    width, height = video_size(final, request.format)
    clip = Clip(scene=request.scene, digit=request.digit or DEFAULT_DIGIT, format=request.format,
                quality=request.quality, transparent=request.transparent, resolution=[width, height],
                fps=GIF_FPS if request.format == "gif" else rendered.fps, duration=round(rendered.duration, 3),
                bytes=final.stat().st_size, path=relative(final), poster=relative(poster) if poster else None,
                sections=section_paths, subtitles=relative(subtitle_path) if subtitle_path else None,
                export_hash=export_content_hash(request.export_path()),
                inputs_key=key, seconds_to_render=round(time.perf_counter() - started, 2),
                snapshot=request.snapshot, edges=request.edges, sha256=file_sha256(final),
                poster_bytes=poster.stat().st_size if poster else None,
                poster_sha256=file_sha256(poster) if poster else None)
    write_text(sidecar, json.dumps(asdict(clip), indent=2) + "\n")
    return clip


def sidecar_path(clip: Path) -> Path:
    return clip.with_name(clip.name + ".json")
