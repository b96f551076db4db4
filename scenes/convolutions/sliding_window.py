"""SlidingWindow: the kernel over the digit at one position, its products written out, then sliding.

The convolution chapter's second beat. The chosen kernel (picks.chosen_kernel) sits on
the padded digit (the padding's zeros drawn as grey cells around it) where its map is
highest; each weight times the pixel under it is written in the window's layout, then
their sum, plus the bias: the map's value there, as the export holds it. Then the
window slides over every position, row by row at the convolution's stride, and the map
fills in beside the digit: one picture whose revealed part grows (MapPicture.reveal),
a moving square, and nothing else redrawn.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, MathTex, Square, Text, UpdateFromAlphaFunc, VGroup,
                   Write, config, linear)

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.convolutions.picks import chosen_kernel, digit_words, layer_scale, padded_digit
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.feature_maps import MapPicture
from nn_explainer.scenes.mobjects.heatmap import HeatmapLegend
from nn_explainer.scenes.mobjects.layout import fit_width, keep_inside
from nn_explainer.scenes.mobjects.padded_digit import PaddedDigit
from nn_explainer.scenes.speech.narration import say

WEIGHT_DIGITS = 3      # as OneKernel writes the weights
PIXEL_DIGITS = 2
MAX_WRITTEN = 25       # products written in the window's layout; a larger kernel writes its largest terms
LARGEST_TERMS = 6
FIRST_ROW_SECONDS = 3.0
REST_SECONDS = 5.0


def products(kernel, pixels) -> tuple[np.ndarray, np.ndarray]:
    """(weights, pixels under the window), both [kh, kw]."""
    return kernel.weight, kernel.window(pixels)


def script(story) -> dict[str, str]:
    kernel = chosen_kernel(story)
    weights, under = products(kernel, story.example.pixels)
    terms = weights * under
    total = float(terms.sum())
    (ph, pw) = kernel.padding
    rows, cols = story.example.maps[kernel.layer].shape[1:]
    count = weights.size
    padding = (f" Around the digit, {spoken.count(ph, 'row')} and {spoken.count(pw, 'column')} of zeros, the padding, "
               "let the window reach its edges." if ph or pw else " There is no padding: the window stays on the digit.")
    return {
        "place": (f"Put kernel {spoken.integer(kernel.channel)} on {digit_words(story)}, at row "
                  f"{spoken.integer(kernel.row)}, column {spoken.integer(kernel.col)} of its map, "
                  f"where the map is highest." + padding),
        "products": (f"Multiply each of its {spoken.integer(count)} weights by the pixel under it"
                     + ("" if count <= MAX_WRITTEN else f"; the {spoken.integer(LARGEST_TERMS)} largest products are written")
                     + f", and add them up: {spoken.decimal(total)}."),
        "bias": (f"Plus the bias, {spoken.decimal(kernel.bias, WEIGHT_DIGITS)}, makes {spoken.decimal(kernel.value)}: "
                 f"exactly the value the network computed there."),
        "slide": (f"Now slide the window over every position, {_step_words(kernel.stride)}: "
                  f"each one gives one value, and the map fills in, {spoken.integer(rows)} by {spoken.integer(cols)}."),
        "map": "Blue where the pattern under the window matches the kernel, red where it is its opposite.",
    }


def _step_words(stride) -> str:
    if tuple(stride) == (1, 1):
        return "one pixel at a time"
    return f"{spoken.integer(stride[1])} pixels across and {spoken.integer(stride[0])} down at a time"


def product_formula(weights, under, fonts) -> VGroup:
    """The products in the window's layout, row by row (or the largest few, for a big
    kernel), and under them their sum (on its own line: the post layout's bigger
    formula needs the width)."""
    flat_w, flat_p = weights.reshape(-1), under.reshape(-1)
    total = float((flat_w * flat_p).sum())
    def term(i: int) -> str:  # weight · pixel; a negative weight in brackets
        weight = fmt(flat_w[i], WEIGHT_DIGITS)
        return (f"({weight})" if weight.startswith("-") else weight) + r"\cdot " + fmt(flat_p[i], PIXEL_DIGITS)
    if weights.size <= MAX_WRITTEN:
        rows, cols = weights.shape
        body = r"\\ ".join(" + ".join(term(r * cols + c) for c in range(cols)) + (" +" if r < rows - 1 else "")
                           for r in range(rows))
        text = r"\begin{array}{r}" + body + r"\end{array}"
    else:
        largest = np.sort(np.argsort(-np.abs(flat_w * flat_p), kind="stable")[:LARGEST_TERMS])
        text = " + ".join(term(i) for i in largest) + r" + \cdots"
    products = MathTex(text, font_size=fonts.math(34))
    total_line = MathTex("= " + fmt(total), font_size=fonts.math(34))
    return VGroup(products, total_line).arrange(DOWN, buff=0.2, aligned_edge=LEFT)


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    kernel = chosen_kernel(story)
    weights, under = products(kernel, story.example.pixels)
    padded = padded_digit(story.example.pixels, kernel.padding)
    size = fonts.pick(4.2, 3.2)
    digit = PaddedDigit(padded, kernel.padding, size).to_edge(LEFT, 0.5).shift(DOWN * 0.35)
    cell = digit.cell()
    side = kernel.side
    window = VGroup(Square(side_length=1).stretch_to_fit_width(cell * side[1]).stretch_to_fit_height(cell * side[0])
                    .set_stroke(style.HIGHLIGHT, width=4).set_fill(opacity=0))
    at = lambda row, col: digit.window_centre(row * kernel.stride[0], col * kernel.stride[1], side)  # noqa: E731
    window.move_to(at(kernel.row, kernel.col))
    title = fit_width(Text(f"kernel {kernel.channel} at row {kernel.row}, column {kernel.col}",
                           font_size=fonts.title)).to_edge(UP, 0.3)
    note = Text("grey: padding, zeros" if any(kernel.padding) else "no padding", font_size=fonts.small)
    keep_inside(note.next_to(digit, DOWN, 0.15))
    with say(scene, lines["place"]):
        scene.play(FadeIn(title), FadeIn(digit), FadeIn(note), run_time=1.0)
        scene.play(FadeIn(window, scale=1.3), run_time=0.6)
    scene.bring_to_back(title, digit, note)

    formula = product_formula(weights, under, fonts)
    bias = MathTex(r"\text{plus the bias: }" + fmt(float((weights * under).sum())) + " + ("
                   + fmt(kernel.bias, WEIGHT_DIGITS) + ") = ", fmt(kernel.value), font_size=fonts.math(34))
    bias[1].set_color(style.HIGHLIGHT)
    there = Text(f"the network's map {kernel.channel} there: {fmt(kernel.value)}",
                 font_size=fonts.small)
    written = VGroup(formula, bias, there).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
    room = config.frame_width - (digit.get_right()[0] + config.frame_width / 2) - 0.9
    if written.width > room:   # a kernel of many columns: never for 3x3 (checked at 480x270 in both layouts)
        written.scale_to_fit_width(room)
    written.next_to(digit, RIGHT, 0.6).set_y(digit.get_y())
    tail = VGroup(bias, there)
    with say(scene, lines["products"]):
        scene.play(Write(formula), run_time=2.0)
    with say(scene, lines["bias"]):
        scene.play(Write(bias), run_time=1.0)
        scene.play(FadeIn(there), run_time=0.5)
        scene.wait(style.READ_SECONDS)

    maps = story.example.maps[kernel.layer]
    scale = layer_scale(maps)
    # the post layout's map is bigger than its digit: the room the products took is free now
    feature = MapPicture(maps[kernel.channel], scale, fonts.pick(size, 4.4))
    feature.next_to(digit, RIGHT, fonts.pick(1.6, 1.2)).align_to(digit, DOWN)
    legend = HeatmapLegend(scale, width=fonts.pick(3.2, 3.8), typography=fonts, caption="map value")
    legend.next_to(feature, RIGHT, 0.4).align_to(feature, DOWN) if fonts.post else legend.next_to(feature, DOWN, 0.2)
    label = Text(f"map {kernel.channel}", font_size=fonts.small).next_to(feature, UP, 0.15)
    rows, cols = maps.shape[1:]
    marker = Square(side_length=feature.cell_size()).set_stroke(style.HIGHLIGHT, width=2)
    feature.reveal(0)
    marker.move_to(feature.cell_centre(0, 0))

    def slide(first: int, last: int):
        def update(_, alpha):
            position = min(first + int(alpha * (last - first)), last - 1)
            row, col = divmod(position, cols)
            window.move_to(at(row, col))
            marker.move_to(feature.cell_centre(row, col))
            feature.reveal(position + 1)
        return UpdateFromAlphaFunc(feature.image, update, rate_func=linear)

    sliding = fit_width(Text(f"kernel {kernel.channel} sliding over the digit", font_size=fonts.title)).move_to(title)
    with say(scene, lines["slide"]):
        scene.play(FadeOut(formula), FadeOut(tail), FadeOut(title), FadeIn(sliding), run_time=0.6)
        window.move_to(at(0, 0))
        scene.play(FadeIn(feature), FadeIn(label), FadeIn(legend), FadeIn(marker), run_time=0.6)
        feature.reveal(1)
        scene.bring_to_back(legend, label, sliding)
        # after the map in the drawing order: manim redraws each frame only what lies after
        # the animated picture, and the window and its marker move with it
        scene.bring_to_front(marker, window)
        scene.play(slide(0, cols), run_time=FIRST_ROW_SECONDS)
        scene.play(slide(cols, rows * cols), run_time=REST_SECONDS)
    with say(scene, lines["map"]):
        window.move_to(at(kernel.row, kernel.col))
        marker.move_to(feature.cell_centre(kernel.row, kernel.col))
        scene.wait(style.READ_SECONDS)
    scene.wait(style.READ_SECONDS)


class SlidingWindow(BeatScene):
    beats = ("SlidingWindow",)
