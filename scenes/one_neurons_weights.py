"""OneNeuronsWeights: one hidden neuron's 784 incoming weights, as a 28x28 picture.

Beat 6. The neuron is the first-hidden-layer neuron most active for the digit (see
beat.featured_neuron), named on screen. Its weights are drawn blue where positive and
red where negative; laid over the digit, w·a shows what the digit feeds it: the
weighted sum measures how well the digit matches the pattern.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Text, VGroup

from scenes import style
from scenes.beat import Beat, fmt
from scenes.mobjects.heatmap import HeatmapLegend, WeightHeatmap
from scenes.mobjects.pixel_grid import PixelGrid


class OneNeuronsWeights(Beat):
    narration = "One hidden neuron's 784 weights, drawn as a picture: blue positive, red negative."

    def beat(self):
        inputs = self.inputs()
        featured = self.featured()
        neuron, weights, activation = featured.index, featured.weights, featured.activation
        self.featured_index = neuron
        self.featured_title = f"hidden neuron {neuron} of layer 1: the most active for this digit (a = {fmt(activation)})"
        title = Text(self.featured_title, font_size=style.LABEL_FONT_SIZE).to_edge(UP, buff=0.4)

        digit = PixelGrid(inputs.example.pixels, size=3.0).move_to(LEFT * 4.6 + DOWN * 0.2)
        heatmap = WeightHeatmap(weights, size=3.0).move_to(DOWN * 0.2)
        legend = HeatmapLegend(heatmap.full_scale).next_to(heatmap, DOWN, 0.35)
        self.weights_map = heatmap
        labels = VGroup(Text("the digit a", font_size=style.SMALL_FONT_SIZE).next_to(digit, UP, 0.2),
                        Text("its weights w", font_size=style.SMALL_FONT_SIZE).next_to(heatmap, UP, 0.2))
        self.play(FadeIn(title), FadeIn(digit), FadeIn(labels[0]), run_time=0.8)
        self.play(FadeIn(heatmap), FadeIn(legend), FadeIn(labels[1]), run_time=1.0)
        self.wait(style.READ_SECONDS)

        # w·a, pixel by pixel, on the same scale: the digit's ink picks out weights.
        product = WeightHeatmap(weights * inputs.example.pixels, size=3.0, scale=heatmap.full_scale)
        product.move_to(RIGHT * 4.6 + DOWN * 0.2)
        self.product_map = product
        total = featured.weighted_sum
        caption = Text(f"w·a, summed: {fmt(total)}", font_size=style.SMALL_FONT_SIZE).next_to(product, UP, 0.2)
        self.play(FadeIn(product, shift=RIGHT * 0.5), FadeIn(caption), run_time=1.2)
        self.wait(2 * style.READ_SECONDS)
