"""DoesLayerTwoCombine: does a second-layer neuron build on the first layer's parts?

The measure (model/neuron_evidence.py, re-proved on every read): for each listed
layer-2 neuron, take its 100 most exciting test digits, and count how many are also
among the 100 most exciting of its three strongest layer-1 inputs (largest weight times
the input's spread over the test digits). The same count for its three weakest inputs is
the baseline: what overlap comes with no real connection. If layer 2 combined layer-1
parts, a neuron's favourite digits would be its strong inputs' favourites far more
often than its weak inputs'.

The verdict, from the layer's averages (strong s, weak w, of 100):
- "yes" when s >= 50 and s >= 2w: most of its digits come from its strong inputs';
- "partly" when s >= 2w (and s >= 10): clearly above the baseline, but most not shared;
- "no clear sign" otherwise.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Line, Rectangle, Text, VGroup

from nn_explainer.model import neuron_evidence
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.raster import fade_in_as_picture
from nn_explainer.scenes.speech.narration import say
from nn_explainer.scenes.hidden_neurons.what_excites_a_neuron import check  # noqa: F401  (the same refusal)

BAR_HEIGHT = 2.4  # frame units of a full overlap (all 100 digits shared)


def verdict(strong: float, weak: float) -> str:
    """The module docstring's rule, as a word."""
    if strong >= 50 and strong >= 2 * weak:
        return "yes"
    if strong >= 2 * weak and strong >= 10:
        return "partly"
    return "no clear sign"


def averages(combination) -> tuple[float, float]:
    return float(np.mean(combination.strongest_overlap)), float(np.mean(combination.weakest_overlap))


VERDICT_WORDS = {
    "yes": "Yes: a second-layer neuron's favourite digits are mostly its strong inputs' favourites.",
    "partly": "Partly: its strong inputs share clearly more of its favourite digits than its weak ones, but most are its own.",
    "no clear sign": "No clear sign: its strong inputs share hardly more of its favourite digits than its weak ones do.",
}


def script(story) -> dict[str, str]:
    combination = story.export.neuron_evidence.combination
    if combination is None:
        return {"none": "This network has a single hidden layer: there is no second layer to combine anything."}
    strong, weak = averages(combination)
    count = neuron_evidence.OVERLAP_DIGITS
    return {
        "question": "Last, the chapter's real hope: does the second layer combine the first layer's parts?",
        "measure": f"Take a second-layer neuron's {spoken.integer(count)} favourite test digits, and ask how many are "
                   "also favourites of the first-layer neurons it listens to most.",
        "numbers": f"On average, {spoken.decimal(strong, 1)} of {spoken.integer(count)}. For the neurons it listens "
                   f"to least, {spoken.decimal(weak, 1)}.",
        "verdict": VERDICT_WORDS[verdict(strong, weak)],
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    combination = story.export.neuron_evidence.combination
    title = fit_width(Text("does layer 2 combine layer-1 parts?", font_size=fonts.label)).to_edge(UP, buff=0.3)
    if combination is None:
        with say(scene, lines["none"]):
            fade_in_as_picture(scene, title, run_time=0.6)
            note = Text("one hidden layer: nothing to combine", font_size=fonts.small)
            scene.play(FadeIn(note), run_time=0.6)
            scene.wait(style.READ_SECONDS)
        return
    count = neuron_evidence.OVERLAP_DIGITS
    strong, weak = averages(combination)
    measure = fit_width(Text(fonts.pick(
        f"of a layer-2 neuron's top {count} test digits, how many are also top {count}\n"
        "of its 3 strongest layer-1 inputs (blue), of its 3 weakest (grey)",
        f"of a layer-2 neuron's top {count} test digits, how\nmany are also top {count} of its 3 strongest\n"
        "layer-1 inputs (blue), of its 3 weakest (grey)"),
                             font_size=fonts.small, line_spacing=0.8)).next_to(title, DOWN, 0.2)
    width = fonts.pick(11.0, 11.5)
    step = width / len(combination.neurons)
    bars, names = VGroup(), VGroup()
    for position, (neuron, s, w) in enumerate(zip(combination.neurons, combination.strongest_overlap,
                                                   combination.weakest_overlap)):
        x = position * step
        for offset, value, colour, kind in ((-0.18, s, style.POSITIVE, "strongest"), (0.18, w, style.HOPE_COLOUR, "weakest")):
            height = max(BAR_HEIGHT * int(value) / count, 0.02)
            bar = Rectangle(width=step * 0.34, height=height, stroke_width=0).set_fill(colour, opacity=0.9)
            bar.move_to([x + offset * step, height / 2, 0])
            bar.neuron, bar.overlap, bar.kind = neuron, int(value), kind
            bars.add(bar)
        names.add(Text(str(neuron), font_size=fonts.small).next_to([x, 0, 0], DOWN, 0.12 + 0.3 * (position % 2 and step < 0.5)))
    axis = Line([-step / 2, 0, 0], [width - step / 2, 0, 0], stroke_width=2, color=style.PIXEL_STROKE)
    full = Line([-step / 2, BAR_HEIGHT, 0], [width - step / 2, BAR_HEIGHT, 0], stroke_width=1,
                color=style.PIXEL_STROKE).set_opacity(0.5)
    full_label = Text(f"all {count}", font_size=fonts.small).next_to(full, RIGHT, 0.1)
    axis_name = Text("layer-2 neuron", font_size=fonts.small).next_to(names, DOWN, 0.1)
    chart = VGroup(full, full_label, axis, bars, names, axis_name).next_to(measure, DOWN, 0.35)
    fit_width(chart)
    summary = Text(f"average: {strong:.1f} of {count} (strongest inputs) vs {weak:.1f} (weakest)", font_size=fonts.small)
    conclusion = Text(f"verdict: {verdict(strong, weak)}", font_size=fonts.label, color=style.HIGHLIGHT)
    fit_width(VGroup(summary, conclusion).arrange(DOWN, buff=0.2)).to_edge(DOWN, buff=0.35)
    with say(scene, lines["question"]):
        fade_in_as_picture(scene, title, run_time=0.6)
    with say(scene, lines["measure"]):
        fade_in_as_picture(scene, measure, run_time=0.6)
        fade_in_as_picture(scene, chart, run_time=1.0)
    with say(scene, lines["numbers"]):
        scene.play(FadeIn(summary), run_time=0.6)
        scene.wait(style.READ_SECONDS)
    with say(scene, lines["verdict"]):
        scene.play(FadeIn(conclusion), run_time=0.6)
        scene.wait(2 * style.READ_SECONDS)


class DoesLayerTwoCombine(BeatScene):
    beats = ("DoesLayerTwoCombine",)
