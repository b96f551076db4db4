"""A render request: which scene, at what quality and format, for which digit and export.

Checked before anything is drawn; it names the clip's file under the media folder.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from nn_explainer.model import paths
from nn_explainer.model.errors import UserError
from nn_explainer.model.example_ids import wanted_id

from nn_explainer.scenes.outline import Drawn, beats_of, scene_info
from nn_explainer.scenes.settings import DEFAULT_DIGIT, Settings
from nn_explainer.scenes.story import Story, load_export

from .audio_track import AUDIO_FORMATS
from .media import check_media_dir, inside

QUALITIES = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality", "4k": "fourk_quality"}
FORMATS = ("mp4", "webm", "gif", "png", "mov")
TRANSPARENT_FORMATS = ("webm", "mov", "png")
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
    voice: str = "none"    # scenes/speech/voice.py; the CLI asks for "auto"
    # (export, ReLU export): files to draw from instead of those named above. A Ray
    # worker's copies of the driver's files (ray_engine.py); None everywhere else.
    drawn_from: tuple[Path, Path] | None = None

    def export_path(self) -> Path:
        if self.drawn_from is not None:
            return Path(self.drawn_from[0])
        if self.snapshot is not None:
            return snapshot_export(self.snapshot, self.export)
        return Path(self.export or paths.DEFAULT_EXPORT).resolve()

    def check(self, drawable: bool = True) -> None:
        """Refuse what cannot work before anything is drawn or written. `drawable=False`
        leaves out the beats' own checks of the network (they import manim): enough to
        compute the clip's key and find it up to date; a clip to render is checked whole."""
        scene_info(self.scene)  # an unknown name is refused before any file is touched
        if self.quality not in QUALITIES:
            raise UserError(f"quality must be one of {', '.join(QUALITIES)}, got {self.quality!r}")
        if self.format not in FORMATS:
            raise UserError(f"format must be one of {', '.join(FORMATS)}, got {self.format!r}")
        if self.transparent and self.format not in TRANSPARENT_FORMATS:
            raise UserError(f"{self.format} cannot hold transparency: use --format webm (VP9 with alpha) "
                            f"or --format mov for a transparent video, or png for a still")
        if self.sections and self.format == "png":
            raise UserError("--sections needs a video format; png is a single still")
        check_media_dir(self.media_dir)
        if self.digit is not None:
            wanted_id(self.digit)  # the id goes into the clip's file name: the safe alphabet only
        if self.snapshot is not None and self.scene != "ForwardPass":
            raise UserError("--snapshot is for ForwardPass: the same digit through the network at an earlier epoch")
        inside(self.media_dir, self.clip_path())
        # The export read and verified and the digit found, before any frame or file;
        # then each beat's own check of the network's shape.
        Story.read(self.settings())
        if drawable:
            from nn_explainer.scenes.beat import check_beats

            check_beats(self.beats(), self.settings())

    def beats(self) -> tuple[str, ...]:
        """The beats this clip plays (a chapter of an imported network goes without those
        that draw our training run: outline.RUN_BEATS)."""
        return beats_of(self.scene, self.drawn())

    def drawn(self) -> Drawn:
        """What decides the beats that draw the export's network: ours or imported, MLP or CNN."""
        return Drawn.of(load_export(self.export_path()))

    def settings(self) -> Settings:
        """What the scene draws with: this request's export, digit and edge mode, and the
        layout: a GIF is shown 480 px wide in posts, so it gets the post layout (bigger,
        reflowed text), every other format the video one."""
        relu = {"relu_export": Path(self.drawn_from[1])} if self.drawn_from is not None else {}
        return Settings(export=self.export_path(), digit=self.digit if self.digit is not None else DEFAULT_DIGIT,
                        edges=self.edges, layout=layout_of(self.format), voice=voice_of(self.format, self.voice), **relu)

    def network(self) -> str | None:
        """Which network the clip draws, as its file name says it: None for the default
        (its clips keep their names: media/clips/low/ForwardPass.mp4), else the export
        file's name (`net-mlp` for assets/imported/mlp.json), and for an export outside
        assets/ a hash of its path too, since two folders may hold an mlp.json each."""
        if self.export is None:
            return None
        if Path(self.export).resolve() == Path(paths.DEFAULT_EXPORT).resolve():
            return None
        export = Path(os.path.abspath(self.export))  # not resolved: the exports are links into generations
        name = re.sub(r"[^A-Za-z0-9-]+", "-", export.stem).strip("-")[:40] or "export"
        if export.parent not in (paths.EXPORT_DIR, paths.ASSETS / "imported"):
            name += "-" + hashlib.sha256(str(export).encode()).hexdigest()[:8]
        return name

    def stem(self) -> str:
        """The clip's file name without extension: scene, then what sets it apart (the
        network first: clips of two networks never overwrite each other)."""
        parts = [self.scene]
        if self.network():
            parts.append(f"net-{self.network()}")
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

    def poster_path(self) -> Path:
        """The clip's poster (its last frame) beside it. A GIF's is drawn in the post
        layout, a different picture from the mp4's of the same scene: it has a name of its
        own, or each render would overwrite the other's and its sidecar's record of it."""
        clip = self.clip_path()
        layout = layout_of(self.format)
        return clip.with_name(f"{clip.stem}{'' if layout == 'video' else '.' + layout}.poster.png")


def voice_of(format: str, voice: str) -> str:
    """A GIF and a still are silent: drawn at the beats' own pace, with no voice to wait for."""
    return voice if format in AUDIO_FORMATS else "none"


def layout_of(format: str) -> str:
    """The layout a format is drawn in: the post layout for the GIF preset."""
    return "post" if format == "gif" else "video"


def snapshot_export(epoch: int, export: Path | None = None) -> Path:
    path = paths.snapshot_path(Path(export or paths.DEFAULT_EXPORT).resolve(), epoch)
    if not path.exists():
        raise UserError(f"no snapshot for epoch {epoch} ({path.name}): train with --snapshots {epoch}")
    return path
