"""Sigmoid: σ(x) = 1 / (1 + e^-x) squashes any number into (0, 1).

Beat 8. The featured neuron's real pre-activation z (its weighted sum plus its bias)
is placed on the x-axis, and its real activation is read off the curve.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, Create, DashedLine, Dot, FadeIn, MathTex, Text, VGroup

from scenes import style
from scenes.beat import Beat, fmt


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def activation_axes(x_extent: float, y_range=(0, 1, 0.5), width: float = 9.0, height: float = 4.2) -> Axes:
    """Axes for an activation function, wide enough to hold x_extent on both sides."""
    step = max(1, int(np.ceil(x_extent / 4)))
    return Axes(x_range=[-x_extent, x_extent, step], y_range=list(y_range), x_length=width, y_length=height,
                axis_config={"include_numbers": False, "stroke_width": 2}, tips=False)


class Sigmoid(Beat):
    narration = "The sigmoid squashes the sum into the range 0 to 1: that is the neuron's activation."

    def beat(self):
        featured = self.featured()
        neuron, z, activation = featured.index, featured.z, featured.activation
        formula = MathTex(r"\sigma(x) = \frac{1}{1 + e^{-x}}", font_size=style.FORMULA_FONT_SIZE).to_edge(UP, 0.4)
        extent = max(6.0, float(np.ceil(abs(z))) + 1)
        axes = activation_axes(extent).shift(DOWN * 0.6)
        curve = axes.plot(sigmoid, x_range=[-extent, extent], color=style.HIGHLIGHT)
        ticks = VGroup(Text("0", font_size=style.SMALL_FONT_SIZE).next_to(axes.c2p(0, 0), DOWN + LEFT, 0.1),
                       Text("1", font_size=style.SMALL_FONT_SIZE).next_to(axes.c2p(0, 1), LEFT, 0.1))
        self.play(FadeIn(formula), Create(axes), FadeIn(ticks), run_time=1.0)
        self.play(Create(curve), run_time=1.2)

        # This neuron's real z on the x-axis, its real activation read off the curve.
        self.sigmoid_z, self.sigmoid_activation = z, activation
        self.sigmoid_shown = {"z": fmt(z), "a": fmt(activation, 3)}
        on_axis = Dot(axes.c2p(z, 0), color=style.TEXT)
        on_curve = Dot(axes.c2p(z, sigmoid(z)), color=style.HIGHLIGHT)
        self.sigmoid_point = axes.p2c(on_curve.get_center())
        up = DashedLine(axes.c2p(z, 0), axes.c2p(z, sigmoid(z)), stroke_width=2)
        across = DashedLine(axes.c2p(z, sigmoid(z)), axes.c2p(0, sigmoid(z)), stroke_width=2)
        z_label = Text(f"z = w·a + b = {self.sigmoid_shown['z']}", font_size=style.SMALL_FONT_SIZE).next_to(on_axis, DOWN, 0.2)
        a_label = MathTex(rf"\sigma(z) = {self.sigmoid_shown['a']}", font_size=32).next_to(on_curve, RIGHT + DOWN, 0.15)
        who = Text(f"hidden neuron {neuron}, for this digit", font_size=style.SMALL_FONT_SIZE).to_corner(UP + RIGHT)
        self.play(FadeIn(on_axis), FadeIn(z_label), FadeIn(who), run_time=0.6)
        self.play(Create(up), FadeIn(on_curve), run_time=0.6)
        self.play(Create(across), FadeIn(a_label), run_time=0.6)
        self.wait(2 * style.READ_SECONDS)
