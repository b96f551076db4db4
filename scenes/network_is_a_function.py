"""NetworkIsAFunction: the whole network is one function of 784 numbers to 10.

Beat 12. f(a0, ..., a783) = (y0, ..., y9), with the real ten outputs for the digit;
its 13,002 knobs; learning means finding good values for them (the next chapter).
"""
from __future__ import annotations

from manim import DOWN, UP, FadeIn, MathTex, Text, Write

from scenes import style
from scenes.beat import Beat, fmt
from scenes.parameter_count import parameter_terms


class NetworkIsAFunction(Beat):
    narration = "The whole network is just a function: 784 numbers in, 10 numbers out."
    hidden_layers = range(1, 10)  # draws no neurons: any MLP will do
    max_hidden = 10**6

    def beat(self):
        inputs = self.inputs()
        outputs = inputs.example.a[-1]
        _, _, weights, biases = parameter_terms(inputs.network.sizes)
        self.function_outputs = [fmt(y) for y in outputs]
        general = MathTex(r"f(a_0, \dots, a_{783}) = (y_0, \dots, y_9)", font_size=style.FORMULA_FONT_SIZE).to_edge(UP, 0.6)
        real = MathTex(r"f(\text{this digit}) = (" + r",\ ".join(self.function_outputs) + ")", font_size=32)
        real.next_to(general, DOWN, 0.8)
        knobs = Text(f"{weights + biases:,} knobs: weights and biases", font_size=style.LABEL_FONT_SIZE).next_to(real, DOWN, 0.8)
        learning = Text("learning = finding good values for them (the next chapter)",
                        font_size=style.LABEL_FONT_SIZE, color=style.HIGHLIGHT).next_to(knobs, DOWN, 0.4)
        self.play(Write(general), run_time=1.0)
        self.play(FadeIn(real), run_time=1.0)
        self.play(FadeIn(knobs), run_time=0.6)
        self.play(FadeIn(learning), run_time=0.6)
        self.wait(2 * style.READ_SECONDS)
