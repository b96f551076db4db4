"""Bias: the neuron is active only when its weighted sum exceeds -b.

Beat 9. The featured neuron's real bias b, its real weighted sum w·a, and where that
sum stands against the threshold -b at which w·a + b crosses 0: where a sigmoid neuron passes 0.5
and a ReLU neuron starts to be more than 0.
"""
from __future__ import annotations

from manim import DOWN, UP, Dot, FadeIn, MathTex, NumberLine, Text, Triangle

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.speech.narration import say


def script(story) -> dict[str, str]:
    featured = story.featured
    name = spoken.activation_name(story.hidden_activation.name)
    active = featured.weighted_sum > -featured.bias
    return {
        "formula": f"Now the bias: one more number, added to the weighted sum before {name}.",
        "label": f"Hidden neuron {spoken.integer(featured.index)} has a bias of {spoken.decimal(featured.bias)}.",
        "threshold": ("The bias sets a threshold. The neuron lights up only when its weighted sum "
                      f"rises above minus the bias, here {spoken.decimal(-featured.bias)}."),
        "sum": f"For this digit, its weighted sum is {spoken.decimal(featured.weighted_sum)}.",
        "verdict": ("That is above the threshold, so the neuron is active." if active else
                    "That is below the threshold, so the neuron stays dark."),
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    featured = story.featured
    neuron, bias, total = featured.index, featured.bias, featured.weighted_sum
    count = len(featured.weights)
    formula = MathTex(story.hidden_activation.symbol + r"\left(", rf"w_1 a_1 + \cdots + w_{{{count}}} a_{{{count}}}", r"+",
                      rf"({fmt(bias)})", r"\right)",
                      font_size=fonts.formula).to_edge(UP, 0.6)
    formula[3].set_color(style.HIGHLIGHT)
    label = Text(f"the bias of hidden neuron {neuron}: b = {fmt(bias)}",
                 font_size=fonts.label).next_to(formula, DOWN, 0.4)
    with say(scene, lines["formula"]):
        scene.play(FadeIn(formula), run_time=0.8)
    with say(scene, lines["label"]):
        scene.play(FadeIn(label), run_time=0.6)

    extent = max(abs(bias), abs(total)) * 1.3 + 1
    line = NumberLine(x_range=[-extent, extent, max(1, round(extent / 4))], length=10, include_numbers=False)
    line.shift(DOWN * 1.2)
    threshold = Triangle(color=style.HIGHLIGHT, fill_opacity=1).scale(0.12).rotate(3.14159).move_to(line.n2p(-bias) + UP * 0.25)
    threshold_label = Text(f"-b = {fmt(-bias)}", font_size=fonts.small,
                           color=style.HIGHLIGHT).next_to(threshold, UP, 0.1)
    sum_dot = Dot(line.n2p(total), color=style.TEXT)
    sum_label = Text(f"w·a = {fmt(total)}", font_size=fonts.small).next_to(sum_dot, DOWN, 0.25)
    active = total > -bias
    verdict = Text("above -b: the neuron is active" if active else "below -b: the neuron stays dark",
                   font_size=fonts.label).next_to(line, DOWN, 1.1)
    with say(scene, lines["threshold"]):
        scene.play(FadeIn(line), FadeIn(threshold), FadeIn(threshold_label), run_time=0.8)
    with say(scene, lines["sum"]):
        scene.play(FadeIn(sum_dot), FadeIn(sum_label), run_time=0.6)
    with say(scene, lines["verdict"]):
        scene.play(FadeIn(verdict), run_time=0.6)
    scene.wait(2 * style.READ_SECONDS)


class Bias(BeatScene):
    beats = ("Bias",)
