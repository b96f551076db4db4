"""Render one scene into finished clips: the video, its poster, its sections.

Two steps, shared by both engines (the local process pool and Ray, ray_engine.py):
1. `produce`: manim renders into a private work folder, where we finish the clip (H.264
   moved to the front of the file for the web, GIFs re-made small and looping, a poster
   PNG from the last frame, subtitles, sections). It touches nothing else, so it can
   run on another machine.
2. `publish`: each finished file is renamed into `media/clips/<quality>/`. A killed
   render leaves only its work folder (named by its pid, swept by the next run), never
   a half-written clip at a final path; the sidecar, removed first and written last
   with the clip's and poster's hashes, says which clip and poster belong together.

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

from nn_explainer.model import paths, test_seam
from nn_explainer.model.atomic import atomic_path, write_text

from nn_explainer.scenes.outline import scene_class
from nn_explainer.scenes.settings import DEFAULT_DIGIT

from .audio_track import add_track, add_tracks_to_sections, carries_audio
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
    network: str | None = None        # the network drawn, as the clip's name says it (RenderRequest.network); None: ours
    voice: str = "none"               # who speaks its narration (scenes/speech/voice.py): none, joe, recorded:DIR
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
class Produced:
    """A render's finished files, still in a private work folder, and what only the render
    knows about them. Both engines make one (in this process, or on a Ray worker whose
    files come back as bytes: ray_engine.py) and hand it to `publish`, so what lands in
    the media folder is the same by construction."""

    clip: Path
    poster: Path | None
    subtitles: Path | None     # the Chapter's narration, as .srt
    sections: list[Path]       # finished, in order, named as they are published
    fps: float
    duration: float
    export_hash: str
    inputs_key: str
    seconds_to_render: float


def render_clip(request: RenderRequest, key: str | None = None) -> Clip:
    """Render `request`, one scene drawn frame by frame, and publish its files; returns
    the clip's record. `key`: the inputs key, when the caller has already computed it
    (see keys.py). Whether a Chapter is joined from its beats instead is decided above
    this module (batch.render_one)."""
    request.check()  # before the work folder: a bad --media-dir is refused, not created
    with work_folder(request) as work:
        return publish(request, produce(request, work, key))


@contextmanager
def work_folder(request: RenderRequest):
    """A private folder beside the clip's final path (so publishing is a rename), removed
    afterwards. The pid in its name lets a later run tell a dead render's leftovers
    (swept) from a live one's."""
    final = inside(Path(request.media_dir), request.clip_path())
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".work-{os.getpid()}-", dir=final.parent))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def produce(request: RenderRequest, work: Path, key: str | None = None) -> Produced:
    """Step 1: render `request` into `work` and finish its files there (web-ready clip,
    poster, subtitles, sections). `request` is already checked. Writes nothing else: the
    media folder is not touched."""
    from manim import tempconfig

    from .keys import export_content_hash, inputs_key

    key = key or inputs_key(request)
    started = time.perf_counter()
    work = Path(work)
    out = work / "finished"
    out.mkdir()
    # GIFs are made by us from an mp4, smaller and better than a full-size GIF.
    manim_format = "mp4" if request.format == "gif" else request.format
    manim_config = {
        "quality": QUALITIES[request.quality], "format": manim_format, "transparent": request.transparent,
        "save_sections": request.sections, "media_dir": str(work / "manim"), "disable_caching": True,
        "verbosity": "ERROR", "progress_bar": "none",
        **manim_encoder_config(manim_format, request.transparent),
        **glyph_dirs(),
    }
    with tempconfig(manim_config):
        from .frame_writer import renderer

        scene = scene_class(request.scene)(settings=request.settings(), renderer=renderer())
        scene.render()
        plan = scene.renderer.file_writer.output_plan
        last_frame = scene.renderer.get_frame()  # RGBA: the poster, alpha and all
        fps = float(scene.camera.frame_rate) if manim_format != "png" else 0.0
        duration = float(scene.renderer.time)
        rendered = Path(plan.primary_artifact)
        subtitles = Path(plan.subcaption_file) if plan.subcaption_file else None
        sections = sorted(p for p in plan.sections_dir.glob(f"{plan.output_stem}_*")
                          if p.suffix != ".json") if request.sections and plan.sections_dir else []
    clip = out / f"clip.{request.format}"
    finish(rendered, clip, request.format)
    sounds = getattr(scene.renderer.file_writer, "sounds", [])  # the narration: HeldFrameWriter keeps it
    if sounds and carries_audio(request.format):
        add_track(clip, sounds, request.format)
    poster = None
    if request.format != "png":
        from PIL import Image

        poster = out / "poster.png"
        Image.fromarray(last_frame, "RGBA" if request.transparent else None).convert(
            "RGBA" if request.transparent else "RGB").save(poster, format="PNG")
    srt = None
    if subtitles is not None and subtitles.exists():
        srt = out / "subtitles.srt"
        shutil.copyfile(subtitles, srt)
    finished_sections = []
    if sections:
        (out / "sections").mkdir()
        for index, section in enumerate(sections):
            # manim's sections are mp4 for a GIF too: each takes the clip's own format
            target = out / "sections" / f"{index:02d}_{section.stem.split('_', 2)[-1]}.{request.format}"
            finish(section, target, request.format)
            finished_sections.append(target)
        if sounds and carries_audio(request.format):
            add_tracks_to_sections(finished_sections, sounds, request.format)
    return Produced(clip=clip, poster=poster, subtitles=srt, sections=finished_sections, fps=fps,
                    duration=round(duration, 3), export_hash=export_content_hash(request.export_path()),
                    inputs_key=key, seconds_to_render=round(time.perf_counter() - started, 2))


def publish(request: RenderRequest, produced: Produced) -> Clip:
    """Step 2: move the produced files into the media folder, each by an atomic rename,
    and write the sidecar last. The caller holds the media folder's lock; `produced`
    lies in a `work_folder` of this request (the same file system: renames, not copies)."""
    media_dir = Path(request.media_dir)
    final = inside(media_dir, request.clip_path())
    # Publishing order: the sidecar is the record that a clip is whole, so it goes
    # first and comes back last, holding the sizes and hashes of clip and poster.
    # A kill in between leaves no sidecar (the clip is re-made), never a record
    # pairing one render's poster with another's clip.
    sidecar = inside(media_dir, sidecar_path(final))
    sidecar.unlink(missing_ok=True)
    _move(produced.clip, final)
    test_seam.pause("render:clip-written")
    poster = None
    if produced.poster is not None:
        poster = inside(media_dir, request.poster_path())
        _move(produced.poster, poster)
    subtitle_path = None
    if produced.subtitles is not None:
        subtitle_path = inside(media_dir, final.with_suffix(".srt"))
        srt = produced.subtitles.read_text()
        _move(produced.subtitles, subtitle_path)
        write_text(inside(media_dir, final.with_suffix(".vtt")), srt_to_vtt(srt))  # what <track> reads
    section_paths = []
    if produced.sections:
        folder = inside(media_dir, final.with_name(f"{final.stem}.sections"))
        folder.mkdir(exist_ok=True)
        for old in folder.glob(f"*{final.suffix}"):  # this format's old sections; another format's stay
            old.unlink()
        for section in produced.sections:
            target = inside(media_dir, folder / section.name)
            _move(section, target)
            section_paths.append(relative(target))
    test_seam.pause("render:before-sidecar")
    width, height = video_size(final, request.format)
    clip = Clip(scene=request.scene, digit=request.digit or DEFAULT_DIGIT, format=request.format,
                quality=request.quality, transparent=request.transparent, resolution=[width, height],
                fps=GIF_FPS if request.format == "gif" else produced.fps, duration=produced.duration,
                bytes=final.stat().st_size, path=relative(final), poster=relative(poster) if poster else None,
                sections=section_paths, subtitles=relative(subtitle_path) if subtitle_path else None,
                export_hash=produced.export_hash, inputs_key=produced.inputs_key,
                seconds_to_render=produced.seconds_to_render, snapshot=request.snapshot, edges=request.edges,
                network=request.network(),
                voice=request.settings().voice,
                sha256=file_sha256(final), poster_bytes=poster.stat().st_size if poster else None,
                poster_sha256=file_sha256(poster) if poster else None)
    write_text(sidecar, json.dumps(asdict(clip), indent=2) + "\n")
    return clip


def _move(source: Path, final: Path) -> None:
    """Put a finished file at its final path by renames only: never half-written there."""
    with atomic_path(final) as tmp:
        os.replace(source, tmp)


def sidecar_path(clip: Path) -> Path:
    return clip.with_name(clip.name + ".json")
