"""Legibility and layout, as rules on scene state at 854x480 (the 480p clip): after every
animation of every beat, each text's capital letters are at least 10 px tall, no two
texts overlap, and nothing lies outside the frame. And no beat runs past 30 s.

Both layouts are checked: "video" at 480 px high, and "post" (the GIF preset, whose
frames are scaled to 480 px wide) at 270 px high, where the same 10 px need bigger text.
One run of each beat in each layout records the problems, its length and its stills."""
import functools
import itertools
import re

import numpy as np
import pytest

from scene_state import numbers, on_screen, run_scene, watch_sentences, written
from nn_explainer.scenes.outline import BEATS, scene_class, scene_info

PIXELS_PER_UNIT = 480 / 8   # manim's frame is 8 units high
# What one frame unit becomes in each layout's smallest picture: the 480p clip, the
# 480x270 GIF (publish/encoding.GIF_WIDTH).
LAYOUT_PIXELS_PER_UNIT = {"video": PIXELS_PER_UNIT, "post": 270 / 8}
LAYOUTS = tuple(LAYOUT_PIXELS_PER_UNIT)
MIN_CAP_PX = 10
TOLERANCE = 0.01            # units: touching is not overlapping


def cap_height_px(text, pixels_per_unit: float = PIXELS_PER_UNIT) -> float:
    """The height of a capital H at this text's (scaled) font size, in pixels (at 480p by default)."""
    from manim import Text

    return text.font_size * _capital_height(isinstance(text, Text)) / 100 * pixels_per_unit


@functools.cache
def _capital_height(plain: bool) -> float:
    """A capital H's height at font size 100: a Text's, or a MathTex's."""
    from manim import MathTex, Text

    return (Text("H", font_size=100) if plain else MathTex("H", font_size=100)).height


def texts_on_screen(scene) -> list:
    from manim import MathTex, Text

    found = [m for m in on_screen(scene) if isinstance(m, (Text, MathTex))]
    parts = {id(part) for m in found if isinstance(m, MathTex) for part in m.submobjects}
    return [m for m in found if id(m) not in parts]


def name(text) -> str:
    return (getattr(text, "original_text", None) or text.tex_string)[:40]


def problems_now(scene, pixels_per_unit: float = PIXELS_PER_UNIT) -> set[str]:
    from manim import config

    found = set()
    texts = texts_on_screen(scene)
    for text in texts:
        height = cap_height_px(text, pixels_per_unit)
        if height < MIN_CAP_PX:
            found.add(f"{name(text)!r} is {height:.1f} px tall")
    # Each bounding box measured once: measuring walks every point of the text.
    boxes = {id(text): bounds(text) for text in texts}
    families = {id(text): {id(part) for part in text.get_family()} for text in texts}
    for a, b in itertools.combinations(texts, 2):
        if id(a) in families[id(b)] or id(b) in families[id(a)]:
            continue
        (a_left, a_bottom, a_right, a_top), (b_left, b_bottom, b_right, b_top) = boxes[id(a)], boxes[id(b)]
        apart_x = min(a_right, b_right) - max(a_left, b_left) <= TOLERANCE / 2
        apart_y = min(a_top, b_top) - max(a_bottom, b_bottom) <= TOLERANCE / 2
        if not (apart_x or apart_y):
            found.add(f"{name(a)!r} overlaps {name(b)!r}")
    half_w, half_h = config.frame_width / 2 + TOLERANCE, config.frame_height / 2 + TOLERANCE
    for mobject in scene.mobjects:
        box = bounds(mobject)
        if box is None:
            continue
        left, bottom, right, top = box
        if left < -half_w or right > half_w or bottom < -half_h or top > half_h:
            found.add(f"{type(mobject).__name__} reaches outside the frame")
    return found


def bounds(mobject):
    """(left, bottom, right, top) as manim measures the mobject (its width, get_left, ...),
    or None if it has no extent."""
    points = mobject.get_points_defining_boundary()
    if len(points) == 0:
        return None
    (left, bottom), (right, top) = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    if right == left and top == bottom:
        return None
    return left, bottom, right, top


def layout_problems(beat_name: str, layout: str = "video") -> tuple:
    """Every problem seen after any animation of the beat in this layout, its length in
    seconds, its stills (see `stills`), every string it wrote on screen, what it said
    (its silent narrator's record: each sentence and when it began), and whether the
    frame showed more than the background as each sentence began (`watch_sentences`)."""
    found: set[str] = set()
    seen: set[str] = set()
    pixels_per_unit = LAYOUT_PIXELS_PER_UNIT[layout]
    runs, sentences = [], []

    def look(scene):
        found.update(problems_now(scene, pixels_per_unit))
        seen.update(written(scene))

    def watch(scene):
        runs.append(watch_stills(scene))
        sentences.append(watch_sentences(scene))

    scene = run_scene(scene_class(beat_name), before_render=watch, after_play=look, layout=layout)
    return found, scene.renderer.time, runs[0](), seen, scene.narrator.spoken, sentences[0]


@pytest.fixture(scope="module")
def every_beat():
    """{(beat, layout): (problems, seconds, stills)}, each beat run once per layout."""
    return {(beat.name, layout): layout_problems(beat.name, layout) for layout in LAYOUTS for beat in BEATS}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("beat", [beat.name for beat in BEATS])
def test_text_is_legible_apart_and_inside_the_frame(beat, layout, every_beat):
    problems = every_beat[beat, layout][0]
    assert not problems, sorted(problems)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("beat", [beat.name for beat in BEATS])
def test_every_beat_says_its_script_once_in_order(beat, layout, every_beat):
    """What the beat said as it played (its silent narrator's record) is its script, each
    sentence once, in order, and each over pictures of its own: time passes before the
    next sentence, or the beat's end (a block that plays nothing would leave it bare)."""
    import importlib

    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.story import Story

    _, seconds, _, _, spoken, _ = every_beat[beat, layout]
    script = importlib.import_module(scene_info(beat).module).script(Story.read(Settings(layout=layout)))
    assert [line.text for line in spoken] == list(script.values())
    starts = [line.start for line in spoken] + [seconds]
    assert all(a < b for a, b in zip(starts, starts[1:])), starts


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("beat", [beat.name for beat in BEATS])
def test_every_sentence_begins_over_a_picture(beat, layout, every_beat):
    """No sentence speaks over an empty frame: as each begins, the frame shows more than
    the background (a beat's first, once its first animation has brought something in)."""
    sentences = every_beat[beat, layout][5]
    assert sentences and all(len(entry) == 2 for entry in sentences)
    bare = [sentence for sentence, shown in sentences if not shown]
    assert not bare, bare


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("beat", [beat.name for beat in BEATS])
def test_no_beat_is_longer_than_30_seconds(beat, layout, every_beat):
    assert every_beat[beat, layout][1] <= 30


# What the post layout may leave out (docs/post-layout.md), as the video's strings that
# hold it: a number the video writes only in such strings may be missing from the GIF.
LEFT_OUT_IN_POSTS = {
    "WriteAProgram": r"^row \d+$",                        # the table's row labels
    "HopedForFeatures": r"^layer \d+, neuron",            # "layer 2," before each neuron's name
    "MatrixForm": r"^-?\d\.\d{3}$|^(0\.\d\d|1\.00)$|^W is",  # the dropped columns: W's entries, pixels, note
    "Learning": r"^\d$",                                 # the small diagram's output digits
}


def numbers_written(strings, leaving_out: str | None = None) -> set[float]:
    return {n for s in strings if not (leaving_out and re.search(leaving_out, s)) for n in numbers(s)}


@pytest.mark.parametrize("beat", [beat.name for beat in BEATS])
def test_the_post_layout_writes_every_number_the_video_does(beat, every_beat):
    """Reflowed, never emptied: each number the video writes is in the GIF too, but for
    those only in the labels the post layout is documented to leave out."""
    video, post = every_beat[beat, "video"][3], every_beat[beat, "post"][3]
    missing = numbers_written(video) - numbers_written(post)
    assert missing <= numbers_written(video) - numbers_written(video, LEFT_OUT_IN_POSTS.get(beat)), sorted(missing)


def test_the_rules_catch_a_bad_layout():
    """The checker itself: a tiny caption, two overlapping texts and one off the frame."""
    from manim import RIGHT, Scene, Text, tempconfig

    with tempconfig({"format": "none", "quality": "low_quality", "verbosity": "ERROR"}):
        scene = Scene()
        scene.add(Text("tiny", font_size=8), Text("one", font_size=30), Text("two", font_size=30),
                  Text("far", font_size=30).shift(RIGHT * 9))
        found = problems_now(scene)
    assert any("'tiny' is" in p for p in found)
    assert any("'one' overlaps 'two'" in p for p in found)
    assert any("outside the frame" in p for p in found)


def watch_stills(scene):
    """Count the stretches in which nothing moves (runs of waits between animations) in
    this scene from now on; returns a function giving their lengths once it has played.
    Call it before the scene's own play() is wrapped by run_scene's after_play."""
    from manim import Wait

    runs, current = [], [0.0]
    wait = scene.wait

    def waiting(duration=1.0, *args, **kwargs):
        current[0] += duration
        return wait(duration, *args, **kwargs)

    play = scene.play

    def playing(*args, **kwargs):
        if not all(isinstance(animation, Wait) for animation in args):  # manim's wait() plays a Wait
            runs.append(current[0])
            current[0] = 0.0
        return play(*args, **kwargs)

    scene.wait, scene.play = waiting, playing
    return lambda: runs + [current[0]]


def stills(scene_class_) -> list[float]:
    """The lengths of the stretches in which nothing moves: runs of waits between animations."""
    found = []
    run_scene(scene_class_, before_render=lambda scene: found.append(watch_stills(scene)))
    return found[0]()


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("beat", [beat.name for beat in BEATS])
def test_something_moves_at_least_every_3_seconds(beat, layout, every_beat):
    assert max(every_beat[beat, layout][2]) <= 3.0


def test_a_long_still_is_caught():
    from manim import FadeIn, Text

    from nn_explainer.scenes.beat import BeatScene

    class Still(BeatScene):
        beats = ("ParameterCount",)

        def construct(self):
            self.play(FadeIn(Text("x")))
            self.wait(2)
            self.wait(2)
            self.play(FadeIn(Text("y")))

    assert max(stills(Still)) == 4
