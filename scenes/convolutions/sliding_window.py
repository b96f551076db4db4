"""SlidingWindow: the kernel over the digit at one position, its products written out, then sliding.

The convolution chapter's second beat. The chosen kernel (picks.chosen_kernel) sits on
the padded digit (the padding's zeros drawn as grey cells around it) where its map is
highest; each weight times the pixel under it is written in the window's layout, then
their sum, plus the bias: the map's value there, as the export holds it (never smaller
than legible: a large kernel's rows wrap, and come a few at a time, each few with its
sum, where they would not fit at once; product_pages). Then the
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


def term(weight: float, pixel: float) -> str:
    """weight · pixel as written; a negative weight in brackets."""
    written = fmt(weight, WEIGHT_DIGITS)
    return (f"({written})" if written.startswith("-") else written) + r"\cdot " + fmt(pixel, PIXEL_DIGITS)


def product_lines(terms: list[list[str]], per_line: int) -> list[list[str]]:
    """Rows of terms (the window's rows) as lines: for each row, its lines of at most
    `per_line` terms (a row of a wide kernel goes on several)."""
    return [[" + ".join(row[first:first + per_line]) for first in range(0, len(row), per_line)] for row in terms]


def lines_tex(rows: list[list[str]]) -> str:
    """Kernel rows of a sum, each on one line (right-aligned), or, where a row takes
    several, on lines whose continuations are indented; each line but the last ends in +."""
    lines = [(r"\quad " if part else "") + line for row in rows for part, line in enumerate(row)]
    wrapped = any(len(row) > 1 for row in rows)
    return (r"\begin{array}{" + ("l" if wrapped else "r") + "}"
            + r"\\ ".join(line + (" +{}" if i < len(lines) - 1 else "") for i, line in enumerate(lines))
            + r"\end{array}")


def product_pages(weights, under, fonts, width: float, height: float) -> list[VGroup]:
    """The products, row by row in the window's layout, and under them their sum (on its
    own line: the post layout's bigger formula needs the width). Written at a legible
    size, never shrunk: a row wider than `width` goes on several lines, and if the rows
    are taller than `height`, they come a few kernel rows at a time (pages), each page
    with its partial sum (see `partial_sums`). A kernel of more than MAX_WRITTEN weights
    writes its largest terms, then dots, and the whole sum."""
    size = fonts.math(34)
    rows, cols = weights.shape
    dots = weights.size > MAX_WRITTEN
    if dots:   # its largest terms, in the kernel's order, then the others' dots
        flat_w, flat_p = weights.reshape(-1), under.reshape(-1)
        largest = np.sort(np.argsort(-np.abs(flat_w * flat_p), kind="stable")[:LARGEST_TERMS])
        terms, rows = [[term(flat_w[i], flat_p[i]) for i in largest] + [r"\cdots"]], 1
    else:
        terms = [[term(weights[r, c], under[r, c]) for c in range(cols)] for r in range(rows)]
    longest = max(len(row) for row in terms)
    for per_line in range(longest, 0, -1):   # the most terms a line holds within `width`
        lines = product_lines(terms, per_line)
        widest = max((line for row in lines for line in row), key=len)
        indent = r"\quad " if per_line < longest else ""
        if per_line == 1 or MathTex(indent + widest + " +{}", font_size=size).width <= width:
            break
    per_row = len(lines[0])
    pitch = MathTex(lines_tex([[lines[0][0]]] * 2), font_size=size).height - MathTex(lines[0][0], font_size=size).height
    sum_height = MathTex("= 0.00", font_size=size).height + 0.2
    line_height = MathTex(lines[0][0], font_size=size).height
    fit = max(1, int((height - sum_height - line_height + pitch) // (per_row * pitch)))   # kernel rows a page holds
    chunks = [range(first, min(first + fit, rows)) for first in range(0, rows, fit)]
    pages = []
    for chunk in chunks:
        body = [lines[r] for r in chunk]
        part = float((weights * under).sum() if dots else   # the whole sum, for a big kernel's dots
                     (weights[chunk.start:chunk.stop] * under[chunk.start:chunk.stop]).sum())
        pages.append(VGroup(MathTex(lines_tex(body), font_size=size), MathTex("= " + fmt(part), font_size=size))
                     .arrange(DOWN, buff=0.2, aligned_edge=LEFT))
    return pages


def partial_sums(pages, total: float, fonts) -> MathTex | None:
    """For products on several pages: the pages' sums added up, = the products' sum."""
    if len(pages) == 1:
        return None
    parts = [page[1].tex_string.removeprefix("= ") for page in pages]
    return MathTex(" + ".join(f"({part})" if part.startswith("-") else part for part in parts) + " = " + fmt(total),
                   font_size=fonts.math(34))


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
    if note.width > digit.width:   # the post layout's: wider than the digit, it ran into the written sum
        note = Text("grey: padding,\nzeros", font_size=fonts.small, line_spacing=0.8)
    keep_inside(note.next_to(digit, DOWN, 0.15))
    with say(scene, lines["place"]):
        scene.play(FadeIn(title), FadeIn(digit), FadeIn(note), run_time=1.0)
        scene.play(FadeIn(window, scale=1.3), run_time=0.6)
    scene.bring_to_back(title, digit, note)

    total = float((weights * under).sum())
    bias = MathTex(r"\text{plus the bias: }" + fmt(total) + " + (" + fmt(kernel.bias, WEIGHT_DIGITS) + ") = ",
                   fmt(kernel.value), font_size=fonts.math(34))
    bias[1].set_color(style.HIGHLIGHT)
    there = Text(f"the network's map {kernel.channel} there: {fmt(kernel.value)}",
                 font_size=fonts.small)
    tail = VGroup(bias, there).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
    # the room right of the digit, under the title, above the frame's bottom
    left = digit.get_right()[0] + 0.6
    top, bottom = title.get_bottom()[1] - 0.3, -config.frame_height / 2 + 0.25
    pages = product_pages(weights, under, fonts, config.frame_width / 2 - 0.3 - left, top - bottom - tail.height - 0.3)
    summed = partial_sums(pages, total, fonts)
    first = VGroup(summed or pages[0], tail).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
    # on the digit's height, inside the room: a page is shown alone, before the sum and the tail
    block = max(first.height, *(page.height for page in pages))
    first.next_to(digit, RIGHT, 0.6).shift(UP * (min(top, max(digit.get_y() + block / 2, bottom + block))
                                                 - first.get_top()[1]))
    for page in pages:
        page.align_to(first, UP + LEFT)
    with say(scene, lines["products"]):
        for number, page in enumerate(pages):
            if number:
                scene.play(FadeOut(pages[number - 1]), run_time=0.3)
            scene.play(Write(page), run_time=2.0 if len(pages) == 1 else 1.5)
            if len(pages) > 1:
                scene.wait(style.READ_SECONDS)
        if summed is not None:
            scene.play(FadeOut(pages[-1]), Write(summed), run_time=1.0)
    with say(scene, lines["bias"]):
        scene.play(Write(bias), run_time=1.0)
        scene.play(FadeIn(there), run_time=0.5)
        scene.wait(style.READ_SECONDS)
    formula = summed if summed is not None else pages[0]

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
