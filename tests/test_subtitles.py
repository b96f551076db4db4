"""Subtitles as viewers and platforms expect them (BBC and Netflix guidelines), read back
from the files a render writes: every cue at most two lines of at most 42 characters,
on screen 1 to 7 seconds, in order and never overlapping; the cues joined are the words
said, numbers in digits. The voiced clip's cues are checked in test_narration.py (its
Bias fixture) and the voiced Chapter's in test_clips.py; here the silent Chapter, and
every sentence every chapter says, cut as the voice would time it."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import REPO, run_cli

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def assert_cues_as_platforms_expect(cues) -> None:
    """cues: (start, end, text) with a cue's lines joined by a newline."""
    assert cues
    for start, end, text in cues:
        lines = text.split("\n")
        assert 1 <= len(lines) <= 2, text
        assert all(0 < len(line) <= 42 for line in lines), text
        assert 1.0 - 1e-3 <= end - start <= 7.0 + 1e-3, (start, end, text)
    for (a, b, first), (c, d, second) in zip(cues, cues[1:]):
        assert b <= c + 1e-3, (first, second)  # in order, never overlapping


def joined(cues) -> str:
    return " ".join(" ".join(text.split()) for *_, text in cues)


def sentence_spans(cues, sentences) -> list[tuple[float, float, str]]:
    """(start, end, sentence) of each sentence's cues, which joined must be its words as
    written (numbers in digits), in order, each sentence's cues following one another."""
    from nn_explainer.scenes.speech.subtitles import written

    spans, index = [], 0
    for sentence in sentences:
        first, words = index, ""
        while index < len(cues) and len(words) < len(written(sentence)):
            words = joined(cues[first:index + 1])
            index += 1
        assert words == written(sentence), (words, sentence)
        assert all(abs(a[1] - b[0]) < 1e-3 for a, b in zip(cues[first:index], cues[first + 1:index])), sentence
        spans.append((cues[first][0], cues[index - 1][1], sentence))
    assert index == len(cues)
    return spans


def test_spoken_numbers_are_written_in_digits():
    """The inverse of what the voice is given (scenes/speech/spoken.py), for numbers it says."""
    from nn_explainer.scenes.speech import spoken
    from nn_explainer.scenes.speech.subtitles import written

    for n in (11, 16, 28, 99, 100, 105, 680, 784, 1000, 1016, 13_002, 60_000, 200_000, 1_234_567):
        assert written(f"It has {spoken.integer(n)} weights.") == f"It has {n:,} weights."
    for value in (0.88, -0.84, 1.0, 12.35, -3.5):
        assert written(f"a bias of {spoken.decimal(value)}, then") == f"a bias of {spoken.figures(value)}, then"
    assert written(f"It gets {spoken.percent(0.9651, 2)} right.") == "It gets 96.5% right."  # 3 figures, as said
    # One to ten stay words (Netflix), unless beside digits in a range or a list.
    assert written("Hidden neuron three, one of sixteen.") == "Hidden neuron three, one of 16."
    assert written("rows six to eleven, layers of sixteen, sixteen and ten") == "rows 6 to 11, layers of 16, 16 and 10"
    # a list said with its comma before the last "and" (spoken.sequence) is written alike
    assert written("layers of seven hundred and eighty-four, sixteen, sixteen, and ten neurons") == \
        "layers of 784, 16, 16, and 10 neurons"
    assert written("from six to eleven, and then two") == "from 6 to 11, and then two"
    assert written("minus the bias, minus four, and sixteen and a half") == "minus the bias, -4, and 16 and a half"


def test_a_long_sentence_is_cut_at_its_clauses():
    from nn_explainer.scenes.speech.subtitles import timed

    sentence = ("Beside it are eight other threes from the same training set, each drawn differently, "
                "with different pixels lit.")
    cues = timed(sentence, 6.7)
    assert [cue.text for cue in cues] == ["Beside it are eight other threes\nfrom the same training set,",
                                          "each drawn differently,\nwith different pixels lit."]
    # A short sentence is one cue on one line; a one-word cue is never made where avoidable.
    assert [cue.text for cue in timed("It is a grid of twenty-eight by twenty-eight pixels.", 3.0)] == \
        ["It is a grid of 28 by 28 pixels."]


def test_a_cut_at_a_comma_lands_where_the_voice_pauses():
    """A sentence spoken with a pause: the second cue starts as the voice comes back."""
    from nn_explainer.scenes.speech.subtitles import pauses, timed

    rate = 48_000
    voice = lambda seconds: 0.3 * np.sin(2 * np.pi * 220 * np.arange(int(seconds * rate)) / rate)
    silence = lambda seconds: np.zeros(int(seconds * rate))
    samples = np.concatenate([silence(0.02), voice(1.5), silence(0.25), voice(3.0), silence(0.02)])
    quiet = pauses(samples, rate)
    assert len(quiet) == 1 and quiet[0][0] == pytest.approx(1.52, abs=0.02) and quiet[0][1] == pytest.approx(1.77, abs=0.02)
    sentence = ("Multiply each pixel by its weight, and only the weights under the digit's ink "
                "remain, added up into one number.")
    cues = timed(sentence, len(samples) / rate, quiet)
    assert cues[0].text == "Multiply each pixel by its weight,"
    assert cues[1].start == pytest.approx(quiet[0][1], abs=1e-3)


def test_every_sentence_of_every_chapter_fits_the_rules():
    """Every sentence the chapters say (the committed network's scripts), cut and timed
    as if spoken at Piper's pace (16.5 characters a second, measured on the Chapter)."""
    from nn_explainer.scenes.beat import beat_module, check_beats
    from nn_explainer.scenes.outline import beats_of
    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.speech.subtitles import timed, written

    from nn_explainer.model import paths
    from nn_explainer.scenes.outline import Drawn

    count = 0
    cnn = paths.EXPORT_DIR / "network-cnn.json"   # the convolution chapter tells a CNN
    for settings, chapters, drawn in ((Settings(), ("Chapter", "WhatHiddenNeuronsDo", "Chapter2"), Drawn()),
                                      (Settings(export=cnn), ("ChapterConv",), Drawn(convolutional=True))):
        names = [name for chapter in chapters for name in beats_of(chapter, drawn)]
        story = check_beats(names, settings)
        for name in names:
            module = beat_module(name)
            for sentence in module.script(story).values() if hasattr(module, "script") else ():
                cues = timed(sentence, len(sentence) / 16.5, room=0.5)
                assert_cues_as_platforms_expect([(cue.start, cue.end, cue.text) for cue in cues])
                assert joined([(0, 0, cue.text) for cue in cues]) == written(sentence)
                count += 1
    assert count > 130


SILENT_CHAPTER = "WhatHiddenNeuronsDo"


@pytest.fixture(scope="module")
def silent_chapter(tmp_path_factory):
    """`render.py render WhatHiddenNeuronsDo --voice none`: its subtitles, (srt path, vtt
    path). A short chapter: every sentence of every chapter is cut above, and joining a
    chapter's cues is the same code for all of them."""
    folder = tmp_path_factory.mktemp("silent")
    result = run_cli("render", SILENT_CHAPTER, "--voice", "none", "--media-dir", folder, timeout=1500)
    assert result.returncode == 0, result.stderr
    video = REPO / result.stdout.splitlines()[0].strip()
    return video.with_suffix(".srt"), video.with_suffix(".vtt")


def test_a_silent_chapters_subtitles_keep_to_two_lines_of_42(silent_chapter):
    from nn_explainer.publish.assemble import parse_srt
    from nn_explainer.publish.audio_track import video_seconds
    from nn_explainer.scenes.outline import beats_of, scene_info
    from nn_explainer.scenes.speech.subtitles import written

    srt, vtt = silent_chapter
    cues = parse_srt(srt.read_text())
    assert_cues_as_platforms_expect(cues)
    assert joined(cues) == " ".join(written(scene_info(name).narration) for name in beats_of(SILENT_CHAPTER))
    assert cues[-1][1] <= video_seconds(srt.with_suffix(".mp4")) + 1e-3
    # The browser's copy: the same cues, line for line.
    text = vtt.read_text()
    assert text.startswith("WEBVTT") and text.count(" --> ") == len(cues)
    assert all(cue_text in text for *_, cue_text in cues)
