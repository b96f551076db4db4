"""WeightedSum: w1·a1 + w2·a2 + ... + wn·an, with the featured neuron's real terms.

Beat 7. Of its 784 terms, the three largest (by |w·a|) are written with their real
numbers, then the real total over all 784.
"""
from __future__ import annotations

from manim import DOWN, UP, FadeIn, MathTex, Text, Write

from scenes import style
from scenes.beat import Beat, fmt, top_terms

SHOWN_TERMS = 3


class WeightedSum(Beat):
    narration = "The neuron adds up every pixel times its weight: one weighted sum."

    def beat(self):
        featured = self.featured()
        neuron, weights, pixels = featured.index, featured.weights, featured.pixels
        title = Text(f"hidden neuron {neuron}: its weighted sum", font_size=style.TITLE_FONT_SIZE).to_edge(UP, 0.5)
        general = MathTex(r"w_1 a_1 + w_2 a_2 + w_3 a_3 + \cdots + w_{784} a_{784}", font_size=style.FORMULA_FONT_SIZE)
        self.play(FadeIn(title), Write(general), run_time=1.2)
        self.wait(style.READ_SECONDS)

        self.sum_terms = top_terms(weights, pixels, SHOWN_TERMS)
        self.sum_total = featured.weighted_sum
        self.sum_shown = {"terms": [(fmt(weights[p]), fmt(pixels[p])) for p in self.sum_terms],
                          "total": fmt(self.sum_total)}
        parts = [rf"({w})({a})" for w, a in self.sum_shown["terms"]]
        real = MathTex(" + ".join(parts) + r" + \cdots", "=", self.sum_shown["total"],
                       font_size=style.FORMULA_FONT_SIZE).next_to(general, DOWN, 0.8)
        note = Text(f"the {SHOWN_TERMS} largest of 784 terms (pixels {', '.join(map(str, self.sum_terms))}); "
                    "the total is over all 784", font_size=style.SMALL_FONT_SIZE).next_to(real, DOWN, 0.5)
        self.play(Write(real), run_time=1.5)
        self.play(FadeIn(note), run_time=0.5)
        self.wait(2 * style.READ_SECONDS)
