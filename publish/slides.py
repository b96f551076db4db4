"""`render.py slides`: a chapter as a deck a teacher steps through, one slide per beat.

The deck is a self-contained folder (default `media/slides/<Chapter>/`) that works
opened from disk with no network: `index.html`, reveal.js 5 vendored in `reveal/`
(static files in `publish/slides_files/`, version and licences in its README), and
`clips/`, each beat's own rendered clip (its narration and subtitles kept) with its
poster. Each slide's <track> carries its cues in the page (a `data:` URL): Chromium
refuses a page opened from disk the `.vtt` beside it; the file stays in `clips/`. The
first slide names the chapter and the network; then one slide per beat: its clip,
which plays when the slide comes up and pauses when it is left (reveal.js's
`data-autoplay`), and the outline's narration line as its caption.

The clips come from the one render path: the chapter's beats are brought up to date as
`render.py all --scenes ...` would (batch.render_all: only the stale ones are rendered,
under the media folder's lock), then hard-linked (copied across file systems) into the
deck. The deck is built in a temporary folder beside its destination and renamed into
place: a reader sees the old deck or the new one, never half of one.
"""
from __future__ import annotations

import html
import os
import shutil
import sys
import tempfile
from pathlib import Path

from nn_explainer.model import paths
from nn_explainer.model.atomic import owner_gone, owner_pid
from nn_explainer.model.errors import UserError

from nn_explainer.scenes.outline import CHAPTERS, SCENES, scene_info
from nn_explainer.scenes.story import Story

from .assemble import beat_requests
from .batch import render_all
from .clips import sidecar_path
from .encoding import vtt_data_url
from .manifest import intact_record
from .media import check_media_dir, check_replaceable, exclusive, swap_folder_into_place
from .requests import RenderRequest

STATIC_FILES = Path(__file__).resolve().parent / "slides_files"
REVEAL_DIR, CLIPS_DIR, PAGE = "reveal", "clips", "index.html"
DECK_ENTRIES = (PAGE, REVEAL_DIR, CLIPS_DIR)
REVEAL_VERSION = "5.2.1"
SLIDES_DIR = "slides"     # under the media folder: slides/<Chapter>/
DEFAULT_CHAPTER = "Chapter"
QUALITIES = ("low", "medium", "high")
DEFAULT_QUALITY = "low"   # as render and all; --quality medium (720p30) for a projector, which shows 480p's blur
# What the title slide calls each chapter; one missing here is called by its name.
CHAPTER_TITLES = {"Chapter": "How a neural network reads a digit",
                  "WhatHiddenNeuronsDo": "What the hidden neurons really do",
                  "Chapter2": "How this network learns, from its real gradients",
                  "ChapterConv": "Convolutions: real kernels sliding over the digit"}

DECK = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<link rel="stylesheet" href="reveal/reset.css">
<link rel="stylesheet" href="reveal/reveal.css">
<link rel="stylesheet" href="reveal/theme/black.css">
<style>
  .reveal .beat-label {{ font-size: 0.5em; color: #999; margin: 0 0 0.3em; }}
  .reveal video {{ display: block; margin: 0 auto; max-width: 100%; background: #000; }}
  .reveal .caption {{ font-size: 0.6em; line-height: 1.3; margin: 0.4em auto 0; max-width: 92%; }}
  .reveal h1.title {{ text-transform: none; font-size: 1.8em; }}
  .reveal .chapter {{ font-size: 0.6em; color: #999; }}
  .reveal .network {{ font-size: 0.8em; }}
  .reveal .details, .reveal .how {{ font-size: 0.5em; color: #aaa; }}
</style>
</head>
<body>
<div class="reveal">
<div class="slides">
{slides}
</div>
</div>
<script src="reveal/reveal.js"></script>
<script>
  // A slide's clip plays when the slide comes up (from its start) and pauses when it
  // is left: reveal.js does both for a <video data-autoplay>. Right arrow or space: next.
  Reveal.initialize({{hash: true, slideNumber: "c/t", transition: "fade", width: 1280, height: 800,
                     margin: 0.03}});
</script>
</body>
</html>
"""


def network_shape(network) -> str:
    """"784-16-16-10, sigmoid": the layer sizes and the hidden layers' activation."""
    return f"{'-'.join(map(str, network.sizes))}, {network.hidden_activation}"


def title_slide(chapter: str, story: Story, beats: int) -> str:
    network = story.export.network
    accuracy = story.export.training.get("test_accuracy")
    details = [f"{network.parameter_count:,} weights and biases"]
    if isinstance(accuracy, (int, float)):
        details.append(f"test accuracy {100 * accuracy:.2f}%")
    details.append(f"digit {story.settings.digit}")
    return (f'<section data-beat="title">\n  <h1 class="title">{html.escape(CHAPTER_TITLES.get(chapter, chapter))}</h1>\n'
            f'  <p class="chapter">{html.escape(chapter)} · {beats} beats</p>\n'
            f'  <p class="network">the network: {html.escape(network_shape(network))}</p>\n'
            f'  <p class="details">{html.escape(" · ".join(details))}</p>\n'
            '  <p class="how">→ or space: next slide; each clip plays when its slide comes up</p>\n</section>')


def beat_slide(number: int, total: int, beat: str, clip: str, poster: str | None, subtitles: str | None,
               duration: float) -> str:
    poster_attribute = f' poster="{html.escape(poster)}"' if poster else ""
    track = (f'\n    <track kind="subtitles" src="{html.escape(subtitles)}" srclang="en" label="English" default>'
             if subtitles else "")
    return (f'<section data-beat="{html.escape(beat)}">\n'
            f'  <p class="beat-label">{number} / {total} · {html.escape(beat)}</p>\n'
            f'  <video class="r-stretch" src="{html.escape(clip)}"{poster_attribute} controls playsinline '
            f'preload="auto" data-autoplay data-duration="{duration:.3f}">{track}\n  </video>\n'
            f'  <p class="caption">{html.escape(scene_info(beat).narration)}</p>\n</section>')


def check_chapter(chapter: str) -> None:
    if chapter not in CHAPTERS:
        what = "is a beat, not a chapter" if chapter in SCENES else "is not a chapter"
        raise UserError(f"{chapter!r} {what}: slides are made of a chapter's beats "
                        f"(chapters: {', '.join(CHAPTERS)})")


def default_out(media_dir: Path, chapter: str, network: str | None = None) -> Path:
    """media/slides/<Chapter>/ for our network, media/slides/<Chapter>_net-<name>/ for
    another (RenderRequest.network): one network's deck never replaces another's."""
    return Path(media_dir) / SLIDES_DIR / (chapter if network is None else f"{chapter}_net-{network}")


def write_slides(chapter: str = DEFAULT_CHAPTER, quality: str = DEFAULT_QUALITY, out_dir: Path | None = None,
                 export: Path | None = None, digit: str | None = None, voice: str = "none",
                 media_dir: Path = paths.MEDIA_DIR, jobs: int | None = None, out=sys.stdout,
                 who: str = "slides") -> Path:
    """Bring the chapter's beat clips up to date, then write the deck; returns its folder.
    Every input is checked before anything is rendered or written. `who`: the command, for
    the media lock's waiters."""
    check_chapter(chapter)
    if quality not in QUALITIES:
        raise UserError(f"quality must be one of {', '.join(QUALITIES)}, got {quality!r}")
    media_dir = check_media_dir(media_dir)
    request = RenderRequest(chapter, quality=quality, format="mp4", digit=digit, export=export, voice=voice,
                            media_dir=media_dir)
    request.check(drawable=False)  # the options, the export and the digit; the beats' checks if stale
    out_dir = Path(out_dir or default_out(media_dir, chapter, request.network())).resolve()
    _check_replaceable(out_dir, media_dir)
    story = Story.read(request.settings())
    with exclusive(media_dir, who):  # no clip changes while it is linked in
        render_all(request, list(request.beats()), jobs, out=out)
        records = []
        for beat in beat_requests(request):
            record = intact_record(sidecar_path(beat.clip_path()), media_dir)
            if record is None:
                raise UserError(f"{beat.clip_path()}: the beat's clip vanished before the deck was written")
            records.append((beat.scene, record))
        _check_replaceable(out_dir, media_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        _sweep(out_dir)
        building = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{os.getpid()}.", suffix=".tmp",
                                         dir=out_dir.parent))
        try:
            _build(building, chapter, story, records)
            swap_folder_into_place(building, out_dir)
        finally:
            shutil.rmtree(building, ignore_errors=True)
    return out_dir


def _build(deck: Path, chapter: str, story: Story, records: list[tuple[str, dict]]) -> None:
    shutil.copytree(STATIC_FILES / REVEAL_DIR, deck / REVEAL_DIR)
    (deck / CLIPS_DIR).mkdir()
    slides = [title_slide(chapter, story, len(records))]
    for number, (beat, record) in enumerate(records, start=1):
        stem = f"{number:02d}_{beat}"
        clip = _link(paths.REPO_ROOT / record["path"], deck / CLIPS_DIR / f"{stem}.mp4")
        poster = subtitles = None
        if record["poster"]:
            poster = _link(paths.REPO_ROOT / record["poster"], deck / CLIPS_DIR / f"{stem}.poster.png")
        carried = None
        if record["subtitles"]:
            vtt = (paths.REPO_ROOT / record["subtitles"]).with_suffix(".vtt")
            if vtt.is_file():
                subtitles = _link(vtt, deck / CLIPS_DIR / f"{stem}.vtt")  # kept for players and hosts
                carried = vtt_data_url(subtitles)  # what the page reads: opened from disk too
        clip_at, poster_at, subtitles_at = (_relative(p, deck) for p in (clip, poster, subtitles))
        slides.append(beat_slide(number, len(records), beat, clip_at, poster_at, carried or subtitles_at,
                                 record["duration"]))
    (deck / PAGE).write_text(DECK.format(title=html.escape(f"{chapter}: nn-explainer slides"),
                                         slides="\n".join(slides)), encoding="utf-8")
    for folder, _, files in os.walk(deck):
        os.chmod(folder, 0o755)  # mkdtemp makes it private; a deck is meant to be served
        for name in files:
            file = Path(folder) / name
            if file.stat().st_nlink == 1:  # a hard link is the published clip itself (0644): left alone
                os.chmod(file, 0o644)


def _relative(path: Path | None, deck: Path) -> str | None:
    return None if path is None else path.relative_to(deck).as_posix()


def _link(source: Path, target: Path) -> Path:
    """The published file in the deck: a hard link (no copy, and a later render renames a
    new clip over the old name, leaving this one whole), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return target


def _sweep(out_dir: Path) -> None:
    """Remove what a killed run left beside `out_dir` (a deck half-built, or an old one set
    aside): this deck's own temporaries only, named by a pid that is gone (model/atomic.py)."""
    for entry in out_dir.parent.glob(f".{out_dir.name}.*.tmp"):
        pid = owner_pid(entry.name)
        try:
            if pid is not None and entry.is_dir() and owner_gone(pid, entry.lstat().st_mtime):
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue  # gone already


def _check_replaceable(out_dir: Path, media_dir: Path) -> None:
    """Replace only an earlier deck (or nothing): never a folder of the user's own."""
    if out_dir == media_dir or out_dir in media_dir.parents:
        raise UserError(f"--out {out_dir}: would replace the media folder {media_dir}; choose another --out")
    check_replaceable(out_dir, DECK_ENTRIES, "a deck's")
