"""The Chapter, assembled: its beats' clips joined end to end, never rendered twice.

For a Chapter request, batch.py renders only the beats whose clips are stale (in
parallel, one worker per core), then this module joins every beat's finished clip without
re-encoding (encoding.concatenate): same encoder settings, size and frame rate, so the
packets can simply follow one another. Its subtitles are the beats' cues, each shifted
to where its beat starts (a silent beat's one line spread over the beat); its poster is
the last beat's; `--sections` gives the beats' own clips. Played in one pass by the stock `manim` CLI, `Chapter` cuts from
beat to beat in the same way, so both give the same frames.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from nn_explainer.model import paths
from nn_explainer.model.errors import UserError

from nn_explainer.scenes.outline import scene_info
from nn_explainer.scenes.speech.subtitles import spread

from .audio_track import AUDIO_FORMATS, has_audio, join, video_seconds
from .clips import Produced, publish, sidecar_path, work_folder
from .encoding import concatenate
from .manifest import intact_record
from .requests import RenderRequest


def beat_requests(request: RenderRequest) -> list[RenderRequest]:
    """The Chapter's beats, as clips of the same quality, format, digit and export."""
    return [replace(request, scene=name, sections=False) for name in request.beats()]


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
        lengths = [video_seconds(clip) if request.format in AUDIO_FORMATS else record["duration"]
                   for clip, record in zip(clips, records)]
        if request.format in AUDIO_FORMATS and all(has_audio(clip) for clip in clips):
            # One track for the whole Chapter: the beats' audio packets, each beat's from
            # where its video starts (audio_track.join).
            with_audio = finished / f"joined.{request.format}"
            join(video, clips, list(np.cumsum([0.0, *lengths[:-1]])), with_audio, request.format)
            os.replace(with_audio, video)
        subtitles = finished / "subtitles.srt"
        subtitles.write_text(chapter_srt(beats, records, lengths))
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


def chapter_srt(beats: list[RenderRequest], records: list[dict], lengths: list[float]) -> str:
    """The Chapter's subtitles: a narrated beat's spoken sentences with their real times,
    shifted to where the beat starts; a silent beat's one line spread over the beat."""
    cues, start = [], 0.0
    for beat, record, length in zip(beats, records, lengths):
        spoken = paths.REPO_ROOT / record["subtitles"] if record.get("subtitles") else None
        if spoken is not None and spoken.is_file():
            cues += [(start + begin, start + end, text) for begin, end, text in parse_srt(spoken.read_text())]
        else:  # cut into cues of two lines of 42 at most (scenes/speech/subtitles.py), as a voice's are
            line = scene_info(beat.scene).narration
            cues += [(start + cue.start, start + cue.end, cue.text) for cue in spread(line, length)]
        start += length
    return compose_srt(cues)


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d},{millis % 1000:03d}"


def _seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.strip().split(":")
    seconds, millis = rest.split(",")
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def compose_srt(cues: list[tuple[float, float, str]]) -> str:
    return "\n".join(f"{number}\n{_stamp(begin)} --> {_stamp(end)}\n{text}\n"
                     for number, (begin, end, text) in enumerate(cues, start=1))


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue of an SRT file (ours or manim's); a cue's two
    lines joined by a newline."""
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.strip().splitlines()
        if len(lines) >= 3 and " --> " in lines[1]:
            begin, end = lines[1].split(" --> ")
            cues.append((_seconds(begin), _seconds(end), "\n".join(lines[2:])))  # a cue's lines kept
    return cues
