"""The Chapter, assembled: its beats' clips joined end to end, never rendered twice.

For a Chapter request, batch.py renders only the beats whose clips are stale (in
parallel, one worker per core), then this module joins every beat's finished clip without
re-encoding (encoding.concatenate): same encoder settings, size and frame rate, so the
packets can simply follow one another. Its subtitles are the beats' narrations, each
spanning its beat's real duration; its poster is the last beat's; `--sections` gives
the beats' own clips. Played in one pass by the stock `manim` CLI, `Chapter` cuts from
beat to beat in the same way, so both give the same frames.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path

from model import paths
from model.errors import UserError

from scenes.outline import beats_of, scene_info

from .clips import Produced, publish, sidecar_path, work_folder
from .encoding import concatenate
from .manifest import intact_record
from .requests import RenderRequest


def beat_requests(request: RenderRequest) -> list[RenderRequest]:
    """The Chapter's beats, as clips of the same quality, format, digit and export."""
    return [replace(request, scene=name, sections=False) for name in beats_of(request.scene)]


def join_chapter(request: RenderRequest, key: str | None = None):
    """Join the beats' clips, which must be up to date, into the Chapter's clip."""
    from .keys import export_content_hash, inputs_key

    started = time.perf_counter()
    beats = beat_requests(request)
    key = key or inputs_key(request)
    records = []
    for beat in beats:
        record = intact_record(sidecar_path(beat.clip_path()), Path(request.media_dir))
        if record is None:  # render_set raises when a render fails; this is a clip gone since
            raise UserError(f"{beat.clip_path()}: the beat's clip vanished before the Chapter was joined")
        records.append(record)
    clips = [paths.REPO_ROOT / record["path"] for record in records]
    with work_folder(request) as work:
        finished = work / "finished"
        finished.mkdir()
        video = finished / f"clip.{request.format}"
        concatenate(clips, video, request.format)
        subtitles = finished / "subtitles.srt"
        subtitles.write_text(srt([scene_info(beat.scene).narration for beat in beats],
                                 [record["duration"] for record in records]))
        poster = None
        if records[-1]["poster"] is not None:  # the last beat's last frame is the Chapter's
            poster = finished / "poster.png"
            shutil.copyfile(paths.REPO_ROOT / records[-1]["poster"], poster)
        sections = []
        if request.sections:  # one clip a beat: the beats' own
            (finished / "sections").mkdir()
            for index, (beat, clip) in enumerate(zip(beats, clips)):
                sections.append(finished / "sections" / f"{index:02d}_{beat.scene}{clip.suffix}")
                shutil.copyfile(clip, sections[-1])
        produced = Produced(clip=video, poster=poster, subtitles=subtitles, sections=sections,
                            fps=records[-1]["fps"], duration=round(sum(r["duration"] for r in records), 3),
                            export_hash=export_content_hash(request.export_path()), inputs_key=key,
                            seconds_to_render=round(time.perf_counter() - started, 2))
        return publish(request, produced)


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
