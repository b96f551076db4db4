"""NetworkIsAFunction: the whole network is one function of its input pixels to ten numbers.

Beat 12. f(a0, ..., a783) = (y0, ..., y9), with the real ten outputs for the digit;
its 13,002 knobs; learning means finding good values for them (the next chapter).
"""
from __future__ import annotations

from manim import DOWN, UP, FadeIn, MathTex, Text, Write

from scenes import style
from scenes.beat import BeatScene
from scenes.mobjects.equations import fmt, parameter_terms


def play(scene, story) -> None:
    outputs = story.example.a[-1]
    sizes = story.network.sizes
    _, _, weights, biases = parameter_terms(sizes)
    general = MathTex(rf"f(a_0, \dots, a_{{{sizes[0] - 1}}}) = (y_0, \dots, y_{{{sizes[-1] - 1}}})",
                      font_size=style.FORMULA_FONT_SIZE).to_edge(UP, 0.6)
    real = MathTex(r"f(\text{this digit}) = (" + r",\ ".join(fmt(y) for y in outputs) + ")", font_size=32)
    real.next_to(general, DOWN, 0.8)
    knobs = Text(f"{weights + biases:,} knobs: weights and biases", font_size=style.LABEL_FONT_SIZE).next_to(real, DOWN, 0.8)
    learning = Text("learning = finding good values for them (the next chapter)",
                    font_size=style.LABEL_FONT_SIZE, color=style.HIGHLIGHT).next_to(knobs, DOWN, 0.4)
    scene.play(Write(general), run_time=1.0)
    scene.play(FadeIn(real), run_time=1.0)
    scene.play(FadeIn(knobs), run_time=0.6)
    scene.play(FadeIn(learning), run_time=0.6)
    scene.wait(2 * style.READ_SECONDS)


class NetworkIsAFunction(BeatScene):
    beats = ("NetworkIsAFunction",)
