"""Layers: the grid unrolls into the 784 input neurons; then 16, 16 and 10 neurons.

Beat 3. The structure before any values flow: input column (pooled, see
input_blocks.py), the two hidden layers, the ten outputs labelled 0-9; at the end the
real output activations for the digit, the brightest one boxed: that is the answer.
"""
from __future__ import annotations

from manim import DOWN, UP, Brace, FadeIn, Text, VGroup

from scenes import style
from scenes.forward_pass import ForwardPass


class Layers(ForwardPass):
    narration = "784 input neurons, one per pixel; two hidden layers of 16; ten outputs, one per digit."
    diagram_height = 6.2  # room above for "hidden layers" and below for the sizes

    def beat(self):
        grid, caption, diagram = self.layout(self.inputs("Layers"))
        self.play(FadeIn(grid), FadeIn(caption), run_time=style.APPEAR_SECONDS)
        self.reveal(diagram)
        self.unroll(grid, diagram)

        sizes = diagram.network.sizes
        counts = VGroup(*[Text(str(size), font_size=style.LABEL_FONT_SIZE).next_to(layer, DOWN, 0.15)
                          for layer, size in zip(diagram.layers, sizes)])
        self.layer_counts = [c.text for c in counts]
        hidden = VGroup(*diagram.layers[1:-1])
        brace = Brace(hidden, UP, buff=0.1)
        hidden_label = Text("hidden layers", font_size=style.LABEL_FONT_SIZE).next_to(brace, UP, 0.1)
        self.play(FadeIn(counts), run_time=0.6)
        self.play(FadeIn(brace), FadeIn(hidden_label), run_time=0.6)
        self.wait(style.READ_SECONDS)

        # The ten outputs, filled to what the network says for this digit.
        outputs = diagram.layers[-1]
        self.bring_to_front(outputs)
        self.play(*outputs.fill_animations(diagram.drawn_values(len(sizes) - 1)), run_time=1.0)
        self.show_answer(diagram)
        self.wait(style.READ_SECONDS)
