"""ParameterCount: how many weights and biases, computed from the export's shapes.

Beat 10. For 784-16-16-10: 784×16 + 16×16 + 16×10 weights and 16 + 16 + 10 biases,
13,002 in all. A 784-32-10 export would say 784×32 + 32×10 and 32 + 10.
"""
from __future__ import annotations

from manim import DOWN, UP, FadeIn, MathTex, Text, VGroup, Write

from scenes import style
from scenes.beat import BeatScene
from scenes.mobjects.equations import parameter_terms, thousands
from scenes.mobjects.layout import fit_width



def play(scene, story) -> None:
    network = story.network
    weight_terms, bias_terms, weights, biases = parameter_terms(network.sizes)
    title = Text("-".join(map(str, network.sizes)) + ": how many knobs?", font_size=style.TITLE_FONT_SIZE).to_edge(UP, 0.5)
    weight_line = MathTex(" + ".join(weight_terms), "= " + thousands(weights), r"\text{ weights}",
                          font_size=style.FORMULA_FONT_SIZE).shift(UP * 0.8)
    bias_line = MathTex(" + ".join(bias_terms), "= " + thousands(biases), r"\text{ biases}",
                        font_size=style.FORMULA_FONT_SIZE).next_to(weight_line, DOWN, 0.5)
    total = MathTex(r"\text{total} = " + thousands(weights + biases), font_size=56,
                    color=style.HIGHLIGHT).next_to(bias_line, DOWN, 0.8)
    fit_width(VGroup(weight_line, bias_line, total))  # a deep network's sum runs long
    scene.play(FadeIn(title), run_time=0.6)
    scene.play(Write(weight_line), run_time=1.2)
    scene.play(Write(bias_line), run_time=1.0)
    scene.play(Write(total), run_time=0.8)
    scene.wait(2 * style.READ_SECONDS)


class ParameterCount(BeatScene):
    beats = ("ParameterCount",)
