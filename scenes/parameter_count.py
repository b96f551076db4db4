"""ParameterCount: how many weights and biases, computed from the export's shapes.

Beat 10. For 784-16-16-10: 784×16 + 16×16 + 16×10 weights and 16 + 16 + 10 biases,
13,002 in all. A 784-32-10 export would say 784×32 + 32×10 and 32 + 10.
"""
from __future__ import annotations

from manim import DOWN, UP, FadeIn, MathTex, Text, Write

from scenes import style
from scenes.beat import Beat


def parameter_terms(sizes: list[int]) -> tuple[list[str], list[str], int, int]:
    """(weight terms, bias terms, weights, biases) of a network of these layer sizes."""
    pairs = list(zip(sizes, sizes[1:]))
    return ([rf"{n_in} \times {n_out}" for n_in, n_out in pairs], [str(n_out) for _, n_out in pairs],
            sum(n_in * n_out for n_in, n_out in pairs), sum(n_out for _, n_out in pairs))


class ParameterCount(Beat):
    narration = "All in all, the network has 13,002 weights and biases: knobs to turn."
    export_dependency = "shapes"  # counts from the layer sizes alone: new weights change nothing
    hidden_layers = range(1, 10)  # draws no neurons: any MLP will do
    max_hidden = 10**6

    def beat(self):
        network = self.inputs().network
        weight_terms, bias_terms, weights, biases = parameter_terms(network.sizes)
        self.parameter_total = weights + biases
        self.parameter_shown = f"{weights + biases:,}"
        title = Text("-".join(map(str, network.sizes)) + ": how many knobs?", font_size=style.TITLE_FONT_SIZE).to_edge(UP, 0.5)
        weight_line = MathTex(" + ".join(weight_terms), r"= {:,}".format(weights).replace(",", "{,}"), r"\text{ weights}",
                              font_size=style.FORMULA_FONT_SIZE).shift(UP * 0.8)
        bias_line = MathTex(" + ".join(bias_terms), rf"= {biases}", r"\text{ biases}",
                            font_size=style.FORMULA_FONT_SIZE).next_to(weight_line, DOWN, 0.5)
        total = MathTex(r"\text{total} = " + self.parameter_shown.replace(",", "{,}"), font_size=56,
                        color=style.HIGHLIGHT).next_to(bias_line, DOWN, 0.8)
        self.play(FadeIn(title), run_time=0.6)
        self.play(Write(weight_line), run_time=1.2)
        self.play(Write(bias_line), run_time=1.0)
        self.play(Write(total), run_time=0.8)
        self.wait(2 * style.READ_SECONDS)
