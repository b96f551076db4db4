"""The Chapter, assembled: its beats' clips joined end to end, never rendered twice.

A Chapter request renders only the beats whose clips are stale (in parallel, one
worker per core, through batch.py), then joins every beat's finished clip without
re-encoding (encoding.concatenate): same encoder settings, size and frame rate, so the
packets can simply follow one another. Its subtitles are the beats' narrations, each
spanning its beat's real duration; its poster is the last beat's; `--sections` gives
the beats' own clips. Played in one pass by the stock `manim` CLI, `Chapter` cuts from
beat to beat in the same way, so both give the same frames.
"""
from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from model import paths
from model.errors import UserError

from scenes.outline import beats_of, scene_info

from .clips import Rendered, publish, sidecar_path, work_folder
from .encoding import concatenate
from .manifest import intact_record
from .requests import RenderRequest


def beat_requests(request: RenderRequest) -> list[RenderRequest]:
    """The Chapter's beats, as clips of the same quality, format, digit and export."""
    return [replace(request, scene=name, sections=False) for name in beats_of(request.scene)]


def render_chapter(request: RenderRequest, key: str | None = None, jobs: int | None = None,
                   out=sys.stderr):
    """Bring the beats' clips up to date, then join them into the Chapter's clip."""
    from .batch import render_set
    from .keys import inputs_key

    started = time.perf_counter()
    beats = beat_requests(request)
    render_set(beats, jobs=jobs, out=out)
    key = key or inputs_key(request)
    records = []
    for beat in beats:
        record = intact_record(sidecar_path(beat.clip_path()), Path(request.media_dir))
        if record is None:  # render_set raises when a render fails; this is a clip gone since
            raise UserError(f"{beat.clip_path()}: the beat's clip vanished before the Chapter was joined")
        records.append(record)
    clips = [paths.REPO_ROOT / record["path"] for record in records]
    with work_folder(request) as work:
        video = work / f"{request.stem()}.{request.format}"
        concatenate(clips, video, request.format)
        subtitles = work / f"{request.stem()}.srt"
        subtitles.write_text(srt([scene_info(beat.scene).narration for beat in beats],
                                 [record["duration"] for record in records]))
        rendered = Rendered(video=video, last_frame=last_frame(records[-1]), fps=records[-1]["fps"],
                            duration=sum(record["duration"] for record in records), subtitles=subtitles,
                            sections=_named_sections(beats, clips, work) if request.sections else [],
                            finished=True)
        return publish(request, key, rendered, started)


def last_frame(record: dict) -> np.ndarray:
    """The last beat's last frame, from its poster (a still is its own last frame)."""
    from PIL import Image

    with Image.open(paths.REPO_ROOT / (record["poster"] or record["path"])) as image:
        return np.asarray(image.convert("RGBA"))


def _named_sections(beats, clips: list[Path], work: Path) -> list[Path]:
    """The beats' clips under the names manim gives sections (`Chapter_0000_Name`), which
    publish() shortens to `00_Name`."""
    named = []
    for index, (beat, clip) in enumerate(zip(beats, clips)):
        link = work / f"Chapter_{index:04d}_{beat.scene}{clip.suffix}"
        link.symlink_to(clip)
        named.append(link)
    return named


def srt(lines: list[str], durations: list[float]) -> str:
    """One cue per beat, from its start to its end in the joined clip."""
    def stamp(seconds: float) -> str:
        millis = round(seconds * 1000)
        return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"

    cues, start = [], 0.0
    for number, (line, duration) in enumerate(zip(lines, durations), start=1):
        cues.append(f"{number}\n{stamp(start)} --> {stamp(start + duration)}\n{line}\n")
        start += duration
    return "\n".join(cues)
