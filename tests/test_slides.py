"""`render.py slides`: a chapter as a RevealJS deck, one slide per beat, in a folder that
works with no network. Rendered for real (the short WhatHiddenNeuronsDo chapter, low
quality, silent: conftest), then stepped through in Chromium with every request that is
not a file of the deck refused."""
import json
import re

import pytest

from conftest import assert_clean_failure, run_cli
from nn_explainer.model import paths
from nn_explainer.model.schema import read_export
from nn_explainer.publish.manifest import file_sha256
from nn_explainer.publish.slides import network_shape
from nn_explainer.scenes.outline import CHAPTERS, scene_info

CHAPTER = "WhatHiddenNeuronsDo"
BEATS = [beat.name for beat in CHAPTERS[CHAPTER]]
URL = re.compile(r"https?://", re.IGNORECASE)
COMMENT = re.compile(r"/\*.*?\*/|<!--.*?-->", re.DOTALL)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """A media folder whose chapter clips and deck the command made (the default --out)."""
    media = tmp_path_factory.mktemp("media")
    result = run_cli("slides", CHAPTER, "--quality", "low", "--media-dir", media)
    assert result.returncode == 0, result.stderr
    deck = media / "slides" / CHAPTER
    assert str(deck) in result.stdout.splitlines()
    assert f"rendering {len(BEATS)} of {len(BEATS)} clips" in result.stdout
    return media


@pytest.fixture(scope="module")
def deck(media):
    return media / "slides" / CHAPTER


def sidecar(media, beat):
    return json.loads((media / "clips" / "low" / f"{beat}.mp4.json").read_text())


def test_each_slide_holds_its_beats_published_clip(media, deck):
    page = (deck / "index.html").read_text()
    assert page.count("<section") == 1 + len(BEATS)
    assert network_shape(read_export(paths.DEFAULT_EXPORT).network) == "784-16-16-10, sigmoid"
    assert "784-16-16-10, sigmoid" in page
    for number, beat in enumerate(BEATS, start=1):
        record = sidecar(media, beat)
        clip, poster = deck / "clips" / f"{number:02d}_{beat}.mp4", deck / "clips" / f"{number:02d}_{beat}.poster.png"
        assert file_sha256(clip) == record["sha256"]            # the rendered clip itself, sound and all
        assert file_sha256(poster) == record["poster_sha256"]
        assert f'src="clips/{clip.name}" poster="clips/{poster.name}" controls' in page
        assert scene_info(beat).narration.replace("'", "&#x27;") in page
    assert sorted(p.name for p in deck.iterdir()) == ["clips", "index.html", "reveal"]
    assert (deck / "reveal" / "LICENSE").read_text().startswith("Copyright (C) 2011-2024 Hakim El Hattab")


def test_a_second_run_renders_nothing_and_replaces_the_deck_whole(media, deck):
    before = (deck / "index.html").stat().st_ino
    result = run_cli("slides", CHAPTER, "--quality", "low", "--media-dir", media)
    assert result.returncode == 0, result.stderr
    assert f"nothing changed: all {len(BEATS)} clips are up to date" in result.stdout
    assert (deck / "index.html").stat().st_ino != before               # a new deck, renamed into place
    assert [p.name for p in (media / "slides").iterdir()] == [CHAPTER]  # nothing left beside it


def test_the_deck_names_no_web_address(deck):
    """Nothing to fetch from the web: no http(s) address in any file of the deck outside
    the licences and the vendored files' licence comments."""
    for file in deck.rglob("*"):
        if file.suffix in (".html", ".css", ".js", ".vtt") and file.name not in ("LICENSE", "README.md"):
            assert not URL.search(COMMENT.sub("", file.read_text())), file


def test_the_deck_steps_through_offline_in_chromium(chromium, media, deck):
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    asked, refused, failed, errors = [], [], [], []
    page.on("request", lambda request: asked.append(request.url))
    page.on("requestfailed", lambda request: failed.append((request.url, request.failure, request.resource_type)))
    page.on("pageerror", lambda error: errors.append(str(error)))

    def only_files(route):
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", only_files)
    try:
        page.goto((deck / "index.html").as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15000)
        assert page.evaluate("Reveal.getTotalSlides()") == 1 + len(BEATS)
        assert "784-16-16-10, sigmoid" in page.inner_text(".slides section.present")
        for number, key in enumerate(["ArrowRight", " "], start=1):  # right arrow, then space
            page.keyboard.press(key)
            page.wait_for_function(f"Reveal.getIndices().h === {number}", timeout=5000)
            # The slide's clip loads and plays; the one left behind is paused.
            page.wait_for_function("""() => { const v = document.querySelector('section.present video');
                                              return v.readyState >= 1 && !v.paused && v.currentTime > 0; }""",
                                   timeout=15000)
            duration = page.evaluate("document.querySelector('section.present video').duration")
            assert duration == pytest.approx(sidecar(media, BEATS[number - 1])["duration"], abs=0.1)
            playing = page.evaluate("[...document.querySelectorAll('video')].map(v => !v.paused)")
            assert playing == [index == number - 1 for index in range(len(BEATS))]
            assert page.evaluate("document.querySelector('section.present').dataset.beat") == BEATS[number - 1]
    finally:
        page.close()
    # A <video> that has what it needs (its metadata, or the page closed) aborts the rest of
    # its file's load: that is the only failure allowed; a missing file would be ERR_FILE_NOT_FOUND.
    failed = [f for f in failed if f[1:] != ("net::ERR_ABORTED", "media")]
    assert not refused and not failed and not errors, (refused, failed, errors)
    assert asked and all(url.startswith(deck.as_uri()) or url.startswith("data:") for url in asked), asked


def test_unknown_chapter_is_refused_in_one_line_and_writes_nothing(tmp_path):
    for chapter in ("NoSuchChapter", "ForwardPass"):  # a beat is not a chapter either
        result = run_cli("slides", chapter, "--media-dir", tmp_path / "media")
        assert result.returncode == 2
        line = assert_clean_failure(result)
        assert chapter in line and "Chapter2" in line, line
    assert not (tmp_path / "media").exists()


def test_a_folder_of_the_users_own_is_not_replaced(tmp_path):
    own = tmp_path / "notes"
    own.mkdir()
    (own / "lesson.txt").write_text("mine")
    result = run_cli("slides", CHAPTER, "--quality", "low", "--media-dir", tmp_path / "media", "--out", own)
    assert result.returncode == 2
    assert "lesson.txt" in assert_clean_failure(result)
    assert (own / "lesson.txt").read_text() == "mine" and not (tmp_path / "media").exists()


CUES_SRT = ("1\n00:00:00,000 --> 00:00:01,500\nThe first cue, set\non two lines,\n\n"
            "2\n00:00:01,500 --> 00:00:03,000\nand the second.\n")


def test_captions_show_from_disk(chromium, media, tmp_path):
    """Opened from `file://`, Chromium refuses a page the .vtt beside it ("'file:' URLs are
    treated as unique security origins"): each slide carries its cues in the page, and
    the .vtt stays in clips/ for players. The deck here is silent (no subtitles), so one
    beat is given a narrated beat's subtitle files."""
    from nn_explainer.publish.encoding import srt_to_vtt
    from nn_explainer.publish.slides import _build
    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.story import Story

    srt = tmp_path / "cues.srt"
    srt.write_text(CUES_SRT)
    srt.with_suffix(".vtt").write_text(srt_to_vtt(CUES_SRT))
    records = [(beat, sidecar(media, beat)) for beat in BEATS]
    records[0][1]["subtitles"] = str(srt)
    deck = tmp_path / "deck"
    deck.mkdir()
    _build(deck, CHAPTER, Story.read(Settings()), records)
    assert (deck / "clips" / f"01_{BEATS[0]}.vtt").read_text() == srt_to_vtt(CUES_SRT)
    page = chromium.new_page()
    try:
        page.goto((deck / "index.html").as_uri())
        page.wait_for_function("""() => { const t = document.querySelector('video').textTracks[0];
                                          t.mode = 'hidden'; return t.cues && t.cues.length > 0; }""", timeout=15000)
        cues = page.evaluate("[...document.querySelector('video').textTracks[0].cues].map(c => c.text)")
    finally:
        page.close()
    assert cues == ["The first cue, set\non two lines,", "and the second."]
