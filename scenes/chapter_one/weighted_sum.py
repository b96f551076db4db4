"""WeightedSum: w1·a1 + w2·a2 + ... + wn·an, with the featured neuron's real terms.

Beat 7. Of its terms (one per pixel), the three largest (by |w·a|) are written with their real
numbers, then the real total over all of them.
"""
from __future__ import annotations

from manim import DOWN, UP, FadeIn, MathTex, Text, Write

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.equations import fmt, top_terms
from nn_explainer.scenes.speech.narration import say

SHOWN_TERMS = 3


def script(story) -> dict[str, str]:
    featured = story.featured
    weights, pixels = featured.weights, featured.pixels
    count = spoken.integer(len(weights))
    terms = top_terms(weights, pixels, SHOWN_TERMS)
    largest = max(terms, key=lambda p: abs(weights[p] * pixels[p]))
    return {
        "general": (f"Written out, neuron {spoken.integer(featured.index)}'s weighted sum multiplies each pixel's "
                    "activation a by its weight w, and adds up the products."),
        "terms": (f"Here are its {spoken.integer(len(terms))} largest terms. The biggest is "
                  f"{spoken.decimal(float(weights[largest]))} times {spoken.decimal(float(pixels[largest]))}, "
                  f"from pixel {spoken.integer(largest)}."),
        "total": (f"Over all {count} pixels, the total comes to {spoken.decimal(featured.weighted_sum)}. "
                  "One number: how well this digit matches the neuron's pattern."),
    }



def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    featured = story.featured
    neuron, weights, pixels = featured.index, featured.weights, featured.pixels
    title = Text(f"hidden neuron {neuron}: its weighted sum", font_size=fonts.title).to_edge(UP, 0.5)
    count = len(weights)
    general = MathTex(rf"w_1 a_1 + w_2 a_2 + w_3 a_3 + \cdots + w_{{{count}}} a_{{{count}}}", font_size=fonts.formula)
    with say(scene, lines["general"]):
        scene.play(FadeIn(title), Write(general), run_time=1.2)
        scene.wait(style.READ_SECONDS)

    terms = top_terms(weights, pixels, SHOWN_TERMS)
    parts = [rf"({fmt(weights[p])})({fmt(pixels[p])})" for p in terms]
    real = MathTex(" + ".join(parts) + r" + \cdots", "=", fmt(featured.weighted_sum),
                   font_size=fonts.formula).next_to(general, DOWN, 0.8)
    note = Text(f"the {SHOWN_TERMS} largest of {count} terms (pixels {', '.join(map(str, terms))});"
                + fonts.pick(" ", "\n") + f"the total is over all {count}", font_size=fonts.small).next_to(real, DOWN, 0.5)
    with say(scene, lines["terms"]):
        scene.play(Write(real), run_time=1.5)
    with say(scene, lines["total"]):
        scene.play(FadeIn(note), run_time=0.5)
        scene.wait(style.READ_SECONDS)
    scene.wait(style.READ_SECONDS)


class WeightedSum(BeatScene):
    beats = ("WeightedSum",)
