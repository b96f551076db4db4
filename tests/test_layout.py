"""Legibility and layout, as rules on scene state at 854x480 (the 480p clip): after every
animation of every beat, each text's capital letters are at least 10 px tall, no two
texts overlap, and nothing lies outside the frame. And no beat runs past 30 s."""
import itertools

import pytest

from scene_state import on_screen, run_scene
from scenes.outline import BEATS, scene_class

PIXELS_PER_UNIT = 480 / 8   # manim's frame is 8 units high
MIN_CAP_PX = 10
TOLERANCE = 0.01            # units: touching is not overlapping


def cap_height_px(text) -> float:
    """The height of a capital H at this text's (scaled) font size, in pixels at 480p."""
    from manim import MathTex, Text

    probe = Text("H", font_size=100) if isinstance(text, Text) else MathTex("H", font_size=100)
    return text.font_size * probe.height / 100 * PIXELS_PER_UNIT


def texts_on_screen(scene) -> list:
    from manim import MathTex, Text

    found = [m for m in on_screen(scene) if isinstance(m, (Text, MathTex))]
    parts = {id(part) for m in found if isinstance(m, MathTex) for part in m.submobjects}
    return [m for m in found if id(m) not in parts]


def name(text) -> str:
    return (getattr(text, "original_text", None) or text.tex_string)[:40]


def problems_now(scene) -> set[str]:
    from manim import config

    found = set()
    texts = texts_on_screen(scene)
    for text in texts:
        if cap_height_px(text) < MIN_CAP_PX:
            found.add(f"{name(text)!r} is {cap_height_px(text):.1f} px tall")
    for a, b in itertools.combinations(texts, 2):
        if a in b.get_family() or b in a.get_family():
            continue
        apart_x = abs(a.get_x() - b.get_x()) * 2 >= a.width + b.width - TOLERANCE
        apart_y = abs(a.get_y() - b.get_y()) * 2 >= a.height + b.height - TOLERANCE
        if not (apart_x or apart_y):
            found.add(f"{name(a)!r} overlaps {name(b)!r}")
    half_w, half_h = config.frame_width / 2 + TOLERANCE, config.frame_height / 2 + TOLERANCE
    for mobject in scene.mobjects:
        if mobject.width == 0 and mobject.height == 0:
            continue
        left, right = mobject.get_left()[0], mobject.get_right()[0]
        bottom, top = mobject.get_bottom()[1], mobject.get_top()[1]
        if left < -half_w or right > half_w or bottom < -half_h or top > half_h:
            found.add(f"{type(mobject).__name__} reaches outside the frame")
    return found


def layout_problems(beat_name: str) -> tuple[set[str], float]:
    """Every problem seen after any animation of the beat, and its length in seconds."""
    found: set[str] = set()
    scene = run_scene(scene_class(beat_name), after_play=lambda scene: found.update(problems_now(scene)))
    return found, scene.renderer.time


@pytest.fixture(scope="module")
def every_beat():
    return {beat.name: layout_problems(beat.name) for beat in BEATS}


@pytest.mark.parametrize("beat", [beat.name for beat in BEATS])
def test_text_is_legible_apart_and_inside_the_frame(beat, every_beat):
    problems, _ = every_beat[beat]
    assert not problems, sorted(problems)


@pytest.mark.parametrize("beat", [beat.name for beat in BEATS])
def test_no_beat_is_longer_than_30_seconds(beat, every_beat):
    assert every_beat[beat][1] <= 30


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


def stills(scene_class_) -> list[float]:
    """The lengths of the stretches in which nothing moves: runs of waits between animations."""
    from manim import Wait

    runs, current = [], [0.0]

    def watch(scene):
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

    from manim import tempconfig

    from scenes.settings import Settings

    with tempconfig({"format": "none", "quality": "low_quality", "verbosity": "ERROR", "progress_bar": "none"}):
        scene = scene_class_(settings=Settings(), skip_animations=True)
        watch(scene)
        scene.render()
    return runs + [current[0]]


@pytest.mark.parametrize("beat", [beat.name for beat in BEATS])
def test_something_moves_at_least_every_3_seconds(beat):
    assert max(stills(scene_class(beat))) <= 3.0


def test_a_long_still_is_caught():
    from manim import FadeIn, Text

    from scenes.beat import BeatScene

    class Still(BeatScene):
        beats = ("ParameterCount",)

        def construct(self):
            self.play(FadeIn(Text("x")))
            self.wait(2)
            self.wait(2)
            self.play(FadeIn(Text("y")))

    assert max(stills(Still)) == 4
