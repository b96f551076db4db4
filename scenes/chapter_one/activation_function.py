"""Sigmoid: the activation function squashes the weighted sum into the neuron's activation.

Drawn as the network was trained: σ(x) = 1/(1+e^-x) for a sigmoid network, ReLU(x) =
max(0, x) for a ReLU one (the beat keeps its chapter name, "Sigmoid", and says which
function this network uses). The featured neuron's real pre-activation z (its weighted
sum plus its bias) is placed on the x-axis, and its real activation read off the curve.
Then the whole layer: every first-layer neuron's real z on the number line, carried
down to f(z) on the line of values f can take (the squish), and f on the vector.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, DashedLine, Dot, FadeIn, FadeOut, MathTex, NumberLine, Text, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.activation_plot import axes_for, number_ticks, plot_activation
from nn_explainer.scenes.mobjects.equations import applied, fmt
from nn_explainer.scenes.mobjects.network_diagram import drawn_neurons
from nn_explainer.scenes.speech.narration import say

TEXT_GAP = 0.25   # frame units kept between two texts that must not read as one line

# How each function's curve behaves, in words (the plot shows it); keyed by Activation.name.
CURVES = {
    "sigmoid": "Very negative inputs come out near zero, very positive ones near one, and in between it rises smoothly.",
    "relu": "Below zero it gives zero. Above zero it passes its input through unchanged.",
    "tanh": "Very negative inputs come out near minus one, very positive ones near one, and it rises smoothly through zero.",
}


def range_words(function) -> str:
    """The values the function can take, as said aloud."""
    if function.bounded:
        return f"between {spoken.integer(int(function.low))} and {spoken.integer(int(function.high))}"
    return f"{spoken.integer(int(function.low))} or more"


def script(story) -> dict[str, str]:
    featured, function = story.featured, story.hidden_activation
    name = spoken.activation_name(function.name)
    shown, width = len(drawn_neurons(story.example.a[1], style.MAX_DRAWN_NEURONS)), story.network.sizes[1]
    which = (f"all {spoken.integer(width)} first-layer neurons" if shown == width else
             f"the {spoken.integer(shown)} most active of the {spoken.integer(width)} first-layer neurons")
    opening = ("A neuron's activation should be a number between zero and one, so the weighted sum "
               "goes through a squishing function." if function.name == "sigmoid" else
               "The weighted sum then goes through an activation function.")
    return {
        "function": f"{opening} This network uses the {name} function.",
        "curve": CURVES.get(function.name, f"Its curve shows what {name} does to every input."),
        "z": (f"For hidden neuron {spoken.integer(featured.index)}, the weighted sum plus the bias gives z, "
              f"equal to {spoken.decimal(featured.z)}."),
        "activation": (f"Read off the curve, {name} of z is {spoken.decimal(featured.activation)}. "
                       "That is the neuron's activation."),
        "layer": f"The same happens to every neuron of the layer: here are the z values of {which}.",
        "squish": f"Each is carried down to the values {name} can take, {range_words(function)}.",
        "vector": f"{name[0].upper()}{name[1:]} of the whole vector: the layer's activations.",
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    featured, function = story.featured, story.hidden_activation
    neuron, z, activation = featured.index, featured.z, featured.activation
    formula = MathTex(function.definition, font_size=fonts.formula).to_edge(UP, 0.4)
    name = Text(f"this network's activation function: {spoken.activation_name(function.name)}", font_size=fonts.small)
    name.next_to(formula, DOWN, 0.15)
    extent = max(6.0, float(np.ceil(abs(z))) + 1)
    axes = number_ticks(axes_for(function, extent), fonts.math(style.LABEL_FONT_SIZE + 2)).shift(DOWN * 0.7)
    curve = plot_activation(axes, function, extent, color=style.HIGHLIGHT)
    ticks = VGroup(Text("0", font_size=fonts.small).next_to(axes.c2p(0, 0), DOWN + LEFT, 0.1))
    with say(scene, lines["function"]):
        scene.play(FadeIn(formula), FadeIn(name), Create(axes), FadeIn(ticks), run_time=1.0)
    with say(scene, lines["curve"]):
        scene.play(Create(curve), run_time=1.2)

    # This neuron's real z on the x-axis, its real activation read off the curve.
    on_axis = Dot(axes.c2p(z, 0), color=style.TEXT)
    on_curve = Dot(axes.c2p(z, activation), color=style.HIGHLIGHT)
    up = DashedLine(axes.c2p(z, 0), axes.c2p(z, activation), stroke_width=2)
    across = DashedLine(axes.c2p(z, activation), axes.c2p(0, activation), stroke_width=2)
    z_label = Text(f"z = w·a + b = {fmt(z)}", font_size=fonts.small)
    z_label.next_to(VGroup(on_axis, axes.x_axis.numbers, ticks), DOWN, 0.15).set_x(on_axis.get_x())  # under the numbers
    a_label = MathTex(rf"{applied(function, 'z')} = {fmt(activation)}", font_size=fonts.math(32))
    a_label.next_to(on_curve, RIGHT + DOWN, 0.15)
    who = Text(f"hidden neuron {neuron}," + fonts.pick(" ", "\n") + "for this digit", font_size=fonts.small,
               **fonts.pick({}, {"line_spacing": 0.8})).to_corner(UP + RIGHT)
    zero = ticks[0]
    if fonts.post or z_label.get_left()[0] < zero.get_right()[0] and zero.get_left()[0] < z_label.get_right()[0]:
        z_label.align_to(on_axis, LEFT if z >= 0 else RIGHT)  # a z near 0: the label beside it, off the "0"
    if fonts.post:  # bigger, the corner would run into the formula
        who.to_edge(LEFT, 0.4).set_y(axes.get_top()[1] - 0.3)
    elif who.get_left()[0] < max(formula.get_right()[0], name.get_right()[0]) + TEXT_GAP:
        # A long neuron number (a wide layer) would run into the formula: under its line instead.
        who.next_to(name, DOWN, TEXT_GAP).to_edge(RIGHT)
    with say(scene, lines["z"]):
        scene.play(FadeIn(on_axis), FadeIn(z_label), FadeIn(who), run_time=0.6)
    with say(scene, lines["activation"]):
        scene.play(Create(up), FadeIn(on_curve), run_time=0.6)
        scene.play(Create(across), FadeIn(a_label), run_time=0.6)
        scene.wait(style.READ_SECONDS)
    scene.play(*[FadeOut(m) for m in (axes, curve, ticks, on_axis, on_curve, up, across, z_label, a_label, who)],
               run_time=0.5)
    squish(scene, story, lines)


def squish(scene, story, lines) -> None:
    """The whole layer at once: every first-layer neuron's real z on the number line,
    each carried down to f(z) on the line of values f can take; then f on the vector."""
    fonts = story.typography
    function, example = story.hidden_activation, story.example
    shown = drawn_neurons(example.a[1], style.MAX_DRAWN_NEURONS)
    zs, activations = example.z[0][shown], example.a[1][shown]
    extent = float(np.ceil(np.abs(zs).max())) + 1
    real_line = NumberLine(x_range=[-extent, extent, max(1.0, np.ceil(extent / 4))], length=11,
                           include_numbers=True, font_size=fonts.math(style.LABEL_FONT_SIZE + 2)).shift(UP * 0.9)
    top = function.high if function.bounded else float(np.ceil(activations.max())) or 1.0
    values_line = NumberLine(x_range=[function.low, top, (top - function.low) / 2], length=11,
                             include_numbers=True, font_size=fonts.math(style.LABEL_FONT_SIZE + 2)).shift(DOWN * 1.4)
    z_caption = Text(f"z of {len(shown)} first-layer neurons, for this digit", font_size=fonts.small)
    z_caption.next_to(real_line, UP, 0.35)
    name = spoken.activation_name(function.name)
    a_caption = Text(f"{name}(z): " + ("below zero set to zero, the rest kept" if function.name == "relu" else
                                       f"squeezed into the values {name} can take"),
                     font_size=fonts.small).next_to(values_line, DOWN, 0.5)
    dots = VGroup(*[Dot(real_line.n2p(z), radius=0.07, color=style.HIGHLIGHT) for z in zs])
    with say(scene, lines["layer"]):
        scene.play(Create(real_line), FadeIn(z_caption), FadeIn(dots, lag_ratio=0.1), run_time=1.2)
    with say(scene, lines["squish"]):
        scene.play(Create(values_line), FadeIn(a_caption), run_time=0.8)
        scene.play(*[dot.animate.move_to(values_line.n2p(a)) for dot, a in zip(dots, activations)], run_time=1.5)
    entries = [fmt(a) for a in activations[:4]]
    vector = MathTex(applied(function, r"\vec z") + r" = \left(" + ",\\ ".join(entries) + r",\ \dots\right)",
                     font_size=fonts.math(style.FORMULA_FONT_SIZE - 6)).next_to(a_caption, DOWN, 0.3)
    with say(scene, lines["vector"]):
        scene.play(FadeIn(vector, shift=UP * 0.2), run_time=0.8)
    scene.wait(style.READ_SECONDS)


class Sigmoid(BeatScene):
    beats = ("Sigmoid",)
