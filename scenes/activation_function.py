"""Sigmoid: the activation function squashes the weighted sum into the neuron's activation.

Drawn as the network was trained: σ(x) = 1/(1+e^-x) for a sigmoid network, ReLU(x) =
max(0, x) for a ReLU one (the beat keeps its chapter name, "Sigmoid", and says which
function this network uses). The featured neuron's real pre-activation z (its weighted
sum plus its bias) is placed on the x-axis, and its real activation read off the curve.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, DashedLine, Dot, FadeIn, MathTex, Text, VGroup

from scenes import style
from scenes.beat import BeatScene
from scenes.mobjects.activation_plot import axes_for, plot_activation
from scenes.mobjects.equations import applied, fmt


def play(scene, story) -> None:
    featured, function = story.featured, story.hidden_activation
    neuron, z, activation = featured.index, featured.z, featured.activation
    formula = MathTex(function.definition, font_size=style.FORMULA_FONT_SIZE).to_edge(UP, 0.4)
    name = Text(f"this network's activation function: {function.name}", font_size=style.SMALL_FONT_SIZE)
    name.next_to(formula, DOWN, 0.15)
    extent = max(6.0, float(np.ceil(abs(z))) + 1)
    axes = axes_for(function, extent).shift(DOWN * 0.7)
    curve = plot_activation(axes, function, extent, color=style.HIGHLIGHT)
    ticks = VGroup(Text("0", font_size=style.SMALL_FONT_SIZE).next_to(axes.c2p(0, 0), DOWN + LEFT, 0.1),
                   Text("1", font_size=style.SMALL_FONT_SIZE).next_to(axes.c2p(0, 1), LEFT, 0.1))
    scene.play(FadeIn(formula), FadeIn(name), Create(axes), FadeIn(ticks), run_time=1.0)
    scene.play(Create(curve), run_time=1.2)

    # This neuron's real z on the x-axis, its real activation read off the curve.
    on_axis = Dot(axes.c2p(z, 0), color=style.TEXT)
    on_curve = Dot(axes.c2p(z, activation), color=style.HIGHLIGHT)
    up = DashedLine(axes.c2p(z, 0), axes.c2p(z, activation), stroke_width=2)
    across = DashedLine(axes.c2p(z, activation), axes.c2p(0, activation), stroke_width=2)
    z_label = Text(f"z = w·a + b = {fmt(z)}", font_size=style.SMALL_FONT_SIZE).next_to(on_axis, DOWN, 0.2)
    a_label = MathTex(rf"{applied(function, 'z')} = {fmt(activation, 3)}", font_size=32)
    a_label.next_to(on_curve, RIGHT + DOWN, 0.15)
    who = Text(f"hidden neuron {neuron}, for this digit", font_size=style.SMALL_FONT_SIZE).to_corner(UP + RIGHT)
    scene.play(FadeIn(on_axis), FadeIn(z_label), FadeIn(who), run_time=0.6)
    scene.play(Create(up), FadeIn(on_curve), run_time=0.6)
    scene.play(Create(across), FadeIn(a_label), run_time=0.6)
    scene.wait(2 * style.READ_SECONDS)


class Sigmoid(BeatScene):
    beats = ("Sigmoid",)
