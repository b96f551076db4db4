"""NetworkIsAFunction: the whole network is one function from the pixels to ten numbers.

Beat 12. The digit goes into a box standing for the whole network, with its real
number of knobs; ten bars come out at the real output activations, the answer's
highlighted; then f(a_0, ..., a_783) = (y_0, ..., y_9) written with those numbers.
Learning means finding good values for the knobs (the next chapter).
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Arrow, FadeIn, GrowFromEdge, MathTex, Rectangle, Text, VGroup, Write

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.equations import fmt, parameter_terms
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.pixel_grid import PixelGrid
from nn_explainer.scenes.speech.narration import say

BAR_HEIGHT = 2.4   # frame units for an output of 1


def output_bars(outputs, answer: int, fonts=style.VIDEO) -> VGroup:
    """One bar per output neuron, as tall as its activation, labelled with its digit."""
    bars = VGroup()
    for digit, value in enumerate(outputs):
        bar = Rectangle(width=0.32, height=max(float(value), 0.002) * BAR_HEIGHT, stroke_width=0)
        bar.set_fill(style.HIGHLIGHT if digit == answer else style.NEURON_FILL, opacity=0.9)
        label = Text(str(digit), font_size=fonts.label)
        bars.add(VGroup(bar, label))
    for index, (bar, label) in enumerate(bars):
        bar.move_to(RIGHT * index * 0.45, aligned_edge=DOWN)
        label.next_to(bar, DOWN, 0.12).set_y(-0.25)
    return bars


def softmax_outputs(story) -> bool:
    """Whether the outputs are a softmax (a network trained with CrossEntropyLoss, imported):
    each depends on all ten z, so the formula says so."""
    return story.network.output_activation == "softmax"


def script(story) -> dict[str, str]:
    example, sizes = story.example, story.network.sizes
    _, _, weights, biases = parameter_terms(sizes)
    answer = int(example.prediction)
    return {
        "digit": "Step back, and the whole network is just a function.",
        "box": (f"In go {spoken.integer(sizes[0])} numbers, the pixels. "
                f"Inside are {spoken.integer(weights + biases)} knobs."),
        "bars": (f"Out come {spoken.count(sizes[-1], 'number')}, one per digit. The biggest, "
                 f"{spoken.decimal(float(example.a[-1][answer]))}, is for {spoken.integer(answer)}."),
        "general": ("Written as a formula: f takes every pixel's value and gives back the outputs."
                    if not softmax_outputs(story) else
                    "Written as a formula: f takes every pixel's value and gives back the outputs, the softmax of "
                    "the last layer's z: ten probabilities that add up to one."),
        "real": "And for this digit, these are the outputs it gives.",
        "learning": ("It is an absurdly complicated function, but a function all the same. "
                     "Learning means finding good values for all of its knobs, and that is the next chapter."),
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    example, sizes = story.example, story.network.sizes
    outputs = example.a[-1]
    _, _, weights, biases = parameter_terms(sizes)
    digit = PixelGrid(example.pixels, size=2.2).move_to(LEFT * 5.2 + UP * 1.2)
    box = Rectangle(width=fonts.pick(2.6, 3.2), height=1.8, stroke_color=style.TEXT).move_to(LEFT * 1.3 + UP * 1.2)
    name = MathTex("f", font_size=fonts.math(72)).move_to(box.get_center() + UP * 0.25)
    knobs = Text(f"{weights + biases:,} knobs", font_size=fonts.label).next_to(name, DOWN, 0.15)
    bars = output_bars(outputs, example.prediction, fonts).move_to(RIGHT * 3.9 + UP * 1.0, aligned_edge=DOWN)
    bars.align_to(box, DOWN)
    into = Arrow(digit.get_right(), box.get_left(), buff=0.15)
    out = Arrow(box.get_right(), bars.get_left() + UP * 0.3, buff=0.15)
    with say(scene, lines["digit"]):
        scene.play(FadeIn(digit), run_time=0.6)
    with say(scene, lines["box"]):
        scene.play(FadeIn(into), FadeIn(box), Write(name), FadeIn(knobs), run_time=1.0)
    with say(scene, lines["bars"]):
        scene.play(FadeIn(out), *[GrowFromEdge(bar, DOWN) for bar, _ in bars], *[FadeIn(label) for _, label in bars],
                   run_time=1.2)

    last = (rf"{story.output_activation.symbol}(z_0, \dots, z_{{{sizes[-1] - 1}}}) = " if softmax_outputs(story)
            else "")
    general = fit_width(MathTex(rf"f(a_0, \dots, a_{{{sizes[0] - 1}}}) = {last}(y_0, \dots, y_{{{sizes[-1] - 1}}})",
                                font_size=fonts.formula)).move_to(DOWN * 1.1)
    values = [fmt(y) for y in outputs]
    if fonts.post:  # at a legible size the ten outputs take two lines
        half = (len(values) + 1) // 2
        real = VGroup(MathTex(r"f(\text{this digit}) = (" + r",\ ".join(values[:half]) + ",", font_size=fonts.math(32)),
                      MathTex(r",\ ".join(values[half:]) + ")", font_size=fonts.math(32)))
        real.arrange(DOWN, buff=0.15, aligned_edge=RIGHT)
    else:
        real = fit_width(MathTex(r"f(\text{this digit}) = (" + r",\ ".join(values) + ")", font_size=fonts.math(32)))
    real.next_to(general, DOWN, 0.35)
    learning = Text("learning = finding good values for the knobs (the next chapter)",
                    font_size=fonts.label, color=style.HIGHLIGHT).next_to(real, DOWN, 0.4)
    with say(scene, lines["general"]):
        scene.play(Write(general), run_time=1.0)
    with say(scene, lines["real"]):
        scene.play(FadeIn(real), run_time=1.0)
    with say(scene, lines["learning"]):
        scene.play(FadeIn(learning), run_time=0.6)
    scene.wait(2 * style.READ_SECONDS)


class NetworkIsAFunction(BeatScene):
    beats = ("NetworkIsAFunction",)
