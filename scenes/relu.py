"""ReLU: sigmoid beside ReLU(a) = max(0, a), then a ReLU network classifying the three.

Beat 13. The second network is trained by the same code with `--activation relu`
(hidden layers only; the output stays sigmoid) and read from its own export,
`assets/export/network-relu.json`. Unbounded ReLU activations are drawn relative to
the brightest neuron of their layer.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, MathTex, Text, VGroup

from scenes import style
from scenes.export_data import scene_inputs
from scenes.forward_pass import ForwardPass
from scenes.sigmoid import activation_axes, sigmoid


class ReLU(ForwardPass):
    narration = "Modern networks often use ReLU, max(0, a), instead: here is ours, retrained with ReLU, on the same three."

    def beat(self):
        left = activation_axes(5, width=5.2, height=2.8).to_edge(LEFT, buff=0.7)
        right = activation_axes(5, y_range=(0, 5, 1), width=5.2, height=2.8).to_edge(RIGHT, buff=0.7)
        sig = left.plot(sigmoid, x_range=[-5, 5], color=style.HIGHLIGHT)
        relu = right.plot(lambda x: max(0.0, x), x_range=[-5, 5], color=style.HIGHLIGHT)
        titles = VGroup(MathTex(r"\sigma(a) = \frac{1}{1+e^{-a}}", font_size=36).next_to(left, UP, 0.4),
                        MathTex(r"\mathrm{ReLU}(a) = \max(0, a)", font_size=36).next_to(right, UP, 0.4))
        self.play(Create(left), Create(right), FadeIn(titles), run_time=1.0)
        self.play(Create(sig), Create(relu), run_time=1.2)
        self.wait(style.READ_SECONDS)
        self.play(*[FadeOut(m) for m in (left, right, sig, relu, titles)], run_time=0.5)

        inputs = scene_inputs("ReLU", self.settings, path=self.settings.relu_export)
        self.relu_inputs = inputs
        grid, caption, diagram = self.layout(inputs)
        note = Text("a ReLU network,\ntrained by the same code", font_size=style.SMALL_FONT_SIZE,
                    line_spacing=0.8).next_to(grid, DOWN, 0.4)
        self.relu_diagram = diagram
        self.play(FadeIn(grid), FadeIn(caption), FadeIn(note), run_time=style.APPEAR_SECONDS)
        self.reveal(diagram)
        self.unroll(grid, diagram)
        for index in range(1, len(diagram.layers)):
            self.transition(diagram, index)
        self.show_answer(diagram)
        self.wait(style.HOLD_SECONDS)
