"""Render scenes through manim's own machinery, in this process.

`render.py render` calls `render_scene` for each scene asked for. The scene is created
inside `tempconfig`, as manim 0.22 requires, with the quality, format and output folder
the user chose; which export and digit it draws travel as environment variables (see
export_data.py) so the stock `manim` CLI finds the same defaults.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from model import paths
from model.errors import UserError

from .catalog import scene_class
from .export_data import DIGIT_VARIABLE, EDGES_VARIABLE, EXPORT_VARIABLE, load_export, resolve_digit

QUALITIES = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality", "4k": "fourk_quality"}
FORMATS = ("mp4", "webm", "gif", "png", "mov")
TRANSPARENT_FORMATS = ("webm", "mov", "png", "gif")


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
    media_dir: Path = paths.MEDIA_DIR

    def check(self) -> None:
        """Refuse what cannot work before anything is drawn or written."""
        scene_class(self.scene)
        if self.quality not in QUALITIES:
            raise UserError(f"quality must be one of {', '.join(QUALITIES)}, got {self.quality!r}")
        if self.format not in FORMATS:
            raise UserError(f"format must be one of {', '.join(FORMATS)}, got {self.format!r}")
        if self.transparent and self.format not in TRANSPARENT_FORMATS:
            raise UserError(f"{self.format} cannot hold transparency: use --format webm (VP9 with alpha) "
                            f"or --format mov for a transparent video")
        if self.sections and self.format == "png":
            raise UserError("--sections needs a video format; png is a single still")
        export = load_export(self.export)
        if self.digit is not None:
            resolve_digit(export, self.digit)


@dataclass(frozen=True)
class RenderResult:
    scene: str
    path: Path
    sections: list[Path]


def render_scene(request: RenderRequest) -> RenderResult:
    from manim import tempconfig

    request.check()
    os.environ[EXPORT_VARIABLE] = str(Path(request.export or paths.DEFAULT_EXPORT).resolve())
    os.environ[EDGES_VARIABLE] = request.edges
    if request.digit is not None:
        os.environ[DIGIT_VARIABLE] = request.digit
    else:
        os.environ.pop(DIGIT_VARIABLE, None)
    settings = {
        "quality": QUALITIES[request.quality],
        "format": request.format,
        "transparent": request.transparent,
        "save_sections": request.sections,
        "media_dir": str(request.media_dir),
        "disable_caching": True,   # our scenes are cheap to rebuild; stale caches are not
        "verbosity": "WARNING",
        "progress_bar": "none",
    }
    with tempconfig(settings):
        scene = scene_class(request.scene)()
        scene.render()
        plan = scene.renderer.file_writer.output_plan
        sections = sorted(plan.sections_dir.glob(f"{plan.output_stem}_*")) if request.sections and plan.sections_dir else []
        return RenderResult(request.scene, Path(plan.primary_artifact), [s for s in sections if s.suffix != ".json"])
