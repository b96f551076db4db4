"""OneNeuronsWeights: one hidden neuron's incoming weights, one per pixel, as a picture.

Beat 6. The neuron is the first-hidden-layer neuron most active for the digit (see
story.FeaturedNeuron), named on screen. Its weights are drawn blue where positive and
red where negative; laid over the digit, w·a shows what the digit feeds it: the
weighted sum measures how well the digit matches the pattern.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Text, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.heatmap import HeatmapLegend, WeightHeatmap
from nn_explainer.scenes.mobjects.pixel_grid import PixelGrid
from nn_explainer.scenes.speech.narration import say


def script(story) -> dict[str, str]:
    featured = story.featured
    return {
        "title": (f"Zoom in on one neuron: number {spoken.integer(featured.index)} of the first hidden layer, "
                  f"the most active for this digit, at {spoken.decimal(featured.activation)}."),
        "weights": "It has one weight for each pixel: blue where positive, red where negative.",
        "product": "Multiply each pixel by its weight, and only the weights under the digit's ink remain.",
        "sum": (f"Added up, they give the neuron's weighted sum: {spoken.decimal(featured.weighted_sum)}. "
                "It is high when the ink falls on blue, and low when it falls on red."),
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    featured = story.featured
    neuron, weights, activation = featured.index, featured.weights, featured.activation
    title = Text(f"hidden neuron {neuron} of layer 1:" + fonts.pick(" ", "\n")
                 + f"the most active for this digit (a = {fmt(activation)})",
                 font_size=fonts.label).to_edge(UP, buff=0.4)

    digit = PixelGrid(story.example.pixels, size=3.0).move_to(LEFT * 4.6 + DOWN * 0.2)
    heatmap = WeightHeatmap(weights, size=3.0).move_to(DOWN * 0.2)
    legend = HeatmapLegend(heatmap.full_scale, typography=fonts).next_to(heatmap, DOWN, 0.35)
    labels = VGroup(Text("the digit a", font_size=fonts.small).next_to(digit, UP, 0.2),
                    Text("its weights w", font_size=fonts.small).next_to(heatmap, UP, 0.2))
    with say(scene, lines["title"]):
        scene.play(FadeIn(title), FadeIn(digit), FadeIn(labels[0]), run_time=0.8)
    with say(scene, lines["weights"]):
        scene.play(FadeIn(heatmap), FadeIn(legend), FadeIn(labels[1]), run_time=1.0)
        scene.wait(style.READ_SECONDS)

    # w·a, pixel by pixel, on the same scale: the digit's ink picks out weights.
    product = WeightHeatmap(weights * story.example.pixels, size=3.0, scale=heatmap.full_scale)
    product.move_to(RIGHT * 4.6 + DOWN * 0.2)
    total = featured.weighted_sum
    caption = Text(f"w·a, summed: {fmt(total)}", font_size=fonts.small).next_to(product, UP, 0.2)
    with say(scene, lines["product"]):
        scene.play(FadeIn(product, shift=RIGHT * 0.5), run_time=1.2)
    with say(scene, lines["sum"]):
        scene.play(FadeIn(caption), run_time=0.6)
        scene.wait(style.READ_SECONDS)
    scene.wait(style.READ_SECONDS)


class OneNeuronsWeights(BeatScene):
    beats = ("OneNeuronsWeights",)
