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
    for a, b, (a_left, a_bottom, a_right, a_top), (b_left, b_bottom, b_right, b_top) in text_pairs(texts):
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


def text_pairs(texts, boxes=None):
    """(a, b, a's box, b's box) for every two texts, neither a part of the other. Each
    bounding box is measured once (measuring walks every point of the text), into
    `boxes` if given."""
    boxes = {} if boxes is None else boxes
    boxes.update({id(text): bounds(text) for text in texts})
    families = {id(text): {id(part) for part in text.get_family()} for text in texts}
    for a, b in itertools.combinations(texts, 2):
        if id(a) not in families[id(b)] and id(b) not in families[id(a)]:
            yield a, b, boxes[id(a)], boxes[id(b)]


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


# A wide network: the PyTorch tutorial's MLP (784-512-512-10, ReLU, logits drawn as their
# softmax). Laid out from a network made here in memory (seeded random weights, the
# committed digit run through them with model/formula.py): the layout is the question,
# and writing a verified export of 670,000 parameters takes minutes on 2 cores.
WIDE_BEATS = ("Layers", "ForwardPass", "Sigmoid", "MatrixForm")
TEXT_GAP = 0.15        # units (9 px at 480p): two texts on one line closer than this read as one
CIRCLE_GAP = 0.04      # units: a label closer than this to a neuron sits on or against it
FRAME_MARGIN = 0.1     # units (6 px at 480p): a caption keeps this much of the frame around it


def wide_story(layout: str):
    from nn_explainer.model import formula
    from nn_explainer.model.schema import Example, Export, Network
    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.story import Story

    committed = Story.read(Settings(layout=layout))
    sizes = [784, 512, 512, 10]
    rng = np.random.default_rng(33)  # its most active first-layer neuron is 377: a three-digit name
    weights = [rng.normal(0, np.sqrt(2 / n_in), (n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [rng.normal(0, 0.05, n_out) for n_out in sizes[1:]]
    network = Network(sizes, "relu", "softmax", weights, biases)
    digit = committed.example
    zs, acts = formula.forward(weights, biases, "relu", "softmax", digit.pixels)
    example = Example(digit.id, digit.source, digit.index, digit.path, digit.label, digit.pixels, zs, acts,
                      int(np.argmax(acts[-1])))
    export = Export(network, committed.export.training, [example], "0" * 64, source={"kind": "state_dict"})
    return Story(committed.settings, export, example)


def wide_problems(scene, pixels_per_unit: float) -> set[str]:
    """The frame rules, and stricter ones a wide layer needs: no text running into
    another on its line, none on or against a neuron circle, every text the frame
    margin inside the frame."""
    from manim import Circle, DecimalNumber, Matrix, config

    from nn_explainer.scenes.mobjects.network_diagram import NeuronLayer

    found = problems_now(scene, pixels_per_unit)
    # A number's digits and a matrix's entries and brackets sit close by design: each is one text.
    grouped = {id(part) for whole in on_screen(scene, (DecimalNumber, Matrix)) for part in whole.get_family()}
    texts = [text for text in texts_on_screen(scene) if id(text) not in grouped]
    boxes = {}
    for a, b, (a_left, a_bottom, a_right, a_top), (b_left, b_bottom, b_right, b_top) in text_pairs(texts, boxes):
        same_line = min(a_top, b_top) - max(a_bottom, b_bottom) > TOLERANCE
        if same_line and max(a_left - b_right, b_left - a_right) < TEXT_GAP:
            found.add(f"{name(a)!r} runs into {name(b)!r}")
    circles = [bounds(c) for layer in on_screen(scene, NeuronLayer) for c in layer.neurons if isinstance(c, Circle)]
    for text in texts:
        if any(gap(boxes[id(text)], circle) < CIRCLE_GAP for circle in circles):
            found.add(f"{name(text)!r} is on or against a neuron")
        left, bottom, right, top = boxes[id(text)]
        half_w, half_h = config.frame_width / 2 - FRAME_MARGIN, config.frame_height / 2 - FRAME_MARGIN
        if left < -half_w or right > half_w or bottom < -half_h or top > half_h:
            found.add(f"{name(text)!r} is within {FRAME_MARGIN} of the frame's edge")
    return found


def gap(a, b) -> float:
    """The distance between two boxes (left, bottom, right, top); 0 if they overlap."""
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return float(np.hypot(dx, dy))


def wide_layout_problems(beat_name: str, layout: str) -> set[str]:
    import importlib

    from manim import Scene, tempconfig

    from nn_explainer.scenes import style

    story = wide_story(layout)
    module = importlib.import_module(scene_info(beat_name).module)
    found: set[str] = set()
    pixels_per_unit = LAYOUT_PIXELS_PER_UNIT[layout]

    class Played(Scene):
        beats = (beat_name,)

        def construct(self):
            self.camera.background_color = style.BACKGROUND
            play = self.play

            def play_and_look(*args, **kwargs):
                play(*args, **kwargs)
                found.update(wide_problems(self, pixels_per_unit))

            self.play = play_and_look
            module.play(self, story)

    with tempconfig({"format": "none", "quality": "low_quality", "disable_caching": True, "verbosity": "ERROR",
                     "progress_bar": "none"}):
        Played(skip_animations=True).render()
    return found


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("beat", WIDE_BEATS)
def test_a_wide_network_is_legible(beat, layout):
    """784-512-512-10 at 480p and in the post layout: neuron indices off the circles and
    each other, the "not drawn" notes and every caption inside the frame with a margin,
    the activation's name as the chapter writes it."""
    assert not wide_layout_problems(beat, layout), sorted(wide_layout_problems(beat, layout))


def test_the_wide_rules_catch_labels_against_circles_and_the_edge():
    from manim import DOWN, LEFT, RIGHT, UP, Scene, Text, VGroup, tempconfig

    from nn_explainer.scenes.mobjects.network_diagram import NeuronLayer

    with tempconfig({"format": "none", "quality": "low_quality", "verbosity": "ERROR"}):
        scene = Scene()
        layer = NeuronLayer(3)
        label = Text("373", font_size=20).next_to(layer.neurons[0], LEFT, 0.01)
        edge = Text("496 not drawn", font_size=20).to_edge(UP, 0.02)
        formula, who = Text("ReLU(x) = max(0, x)", font_size=30), Text("hidden neuron 373", font_size=20)
        VGroup(formula, who).arrange(RIGHT, buff=0.05).to_edge(DOWN, 1)
        scene.add(layer, label, edge, formula, who)
        found = wide_problems(scene, PIXELS_PER_UNIT)
    assert "'373' is on or against a neuron" in found
    assert any("'496 not drawn' is within" in p for p in found)
    assert any("runs into" in p and "'hidden neuron 373'" in p for p in found)
