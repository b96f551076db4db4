"""OneKernel: a real first-layer kernel, as its numbers and as a picture, and its bias.

The convolution chapter's first beat. Of the first convolution's kernels, the one whose
map reaches the highest value on the digit (picks.chosen_kernel) is followed through the
chapter; the beat says why it was chosen, with that value. Its weights are written in a
grid (at most three significant figures, as the voice says them) beside the same
weights as a heatmap (blue positive, red negative, on the kernel's own scale), and all
the layer's kernels as a strip of small pictures with this one framed.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, RIGHT, UP, FadeIn, Group, MathTex, Rectangle, Text, Write, config

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.convolutions.picks import chosen_kernel, digit_words, layer_title
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.feature_maps import MapMosaic, MapPicture
from nn_explainer.scenes.mobjects.heatmap import HeatmapLegend
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.number_grid import NumberGrid
from nn_explainer.scenes.speech.narration import say

DIGITS = 3             # decimals of a written weight (spoken.figures: never more than three significant figures)
MAX_WRITTEN = 7        # sides of a kernel whose weights are written out; a larger one is shown as its picture
POST_MAX_WRITTEN = 5   # the post layout's: 6 numbers of legible size side by side leave no room for the picture
GRID_SIZE = 3.0        # frame units: the numbers' grid and the heatmap, side by side


def script(story) -> dict[str, str]:
    kernel = chosen_kernel(story)
    network = story.network
    rows, cols = kernel.side
    conv = network.layers[kernel.layer]
    weights = kernel.weight
    named = network.names[kernel.layer]
    where = f"This network's first convolution{f', {named},' if named else ''}"
    written = written_out(story, kernel)
    return {
        "kernels": (f"A convolution looks at the digit through small kernels. {where} has "
                    f"{spoken.count(kernel.channels, 'kernel')}, each {spoken.integer(rows)} by "
                    f"{spoken.integer(cols)} weights, moved {_stride_words(conv.stride)}."),
        "choice": (f"We follow kernel {spoken.integer(kernel.channel)}: of the {spoken.integer(kernel.channels)}, "
                   f"its map reaches the highest value on {digit_words(story)}, {spoken.decimal(kernel.value)}."),
        "numbers": ((f"Here are its {spoken.integer(weights.size)} weights. " if written else
                     f"Its {spoken.integer(weights.size)} weights are too many to write out. ")
                    + f"The largest is {spoken.decimal(float(weights.max()), DIGITS)}, "
                      f"the smallest {spoken.decimal(float(weights.min()), DIGITS)}."),
        "picture": "As a picture, blue where a weight is positive and red where it is negative: the same numbers.",
        "bias": (f"And one bias, {spoken.decimal(kernel.bias, DIGITS)}, added to every value of its map."),
    }


def written_out(story, kernel) -> bool:
    """Whether the kernel's weights are written (else only drawn): at most MAX_WRITTEN a side."""
    most = story.typography.pick(MAX_WRITTEN, POST_MAX_WRITTEN)
    return max(kernel.side) <= most


def _stride_words(stride) -> str:
    if tuple(stride) == (1, 1):
        return "one pixel at a time"
    if stride[0] == stride[1]:
        return f"{spoken.integer(stride[0])} pixels at a time"
    return f"{spoken.integer(stride[0])} rows and {spoken.integer(stride[1])} columns at a time"


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    network = story.network
    kernel = chosen_kernel(story)
    conv = network.layers[kernel.layer]
    every = conv.weight[:, 0]                      # [C, kh, kw]: every kernel of the layer
    title = fit_width(Text(f"{layer_title(network, kernel.layer)}: {kernel.channels} kernels of "
                           f"{kernel.side[0]}x{kernel.side[1]}", font_size=fonts.title)).to_edge(UP, 0.35)
    strip = MapMosaic(every, float(np.abs(every).max()), columns=min(16, len(every)),
                      width=min(fonts.pick(8.0, 10.0), 0.9 * len(every))).next_to(title, DOWN, 0.3)
    tile = strip.tile_height()
    frame = Rectangle(width=tile * every.shape[2] / every.shape[1] + 0.12, height=tile + 0.12,
                      color=style.HIGHLIGHT, stroke_width=3).move_to(strip.tile_centre(kernel.channel))
    why = fit_width(Text(f"kernel {kernel.channel}: its map's highest value on the digit, {fmt(kernel.value)}, "
                         f"is the highest of the {kernel.channels}" if not fonts.post else
                         f"kernel {kernel.channel}: its map peaks highest ({fmt(kernel.value)})",
                         font_size=fonts.small)).next_to(strip, DOWN, 0.25)
    with say(scene, lines["kernels"]):
        scene.play(FadeIn(title), FadeIn(strip), run_time=1.0)
    with say(scene, lines["choice"]):
        scene.play(FadeIn(frame), FadeIn(why), run_time=0.8)

    size = fonts.pick(GRID_SIZE, 2.6)
    numbers_size = fonts.pick(GRID_SIZE, 4.5)   # the post layout's bigger numbers need wider cells
    written = written_out(story, kernel)
    scale = float(np.abs(kernel.weight).max()) or 1.0
    picture = MapPicture(kernel.weight, scale, size, cells=True, clear_zeros=False)
    legend = HeatmapLegend(scale, width=fonts.pick(size, 3.8), typography=fonts, digits=DIGITS).next_to(picture, DOWN, 0.3)
    bias = MathTex(r"\text{bias } b = " + fmt(kernel.bias, DIGITS), font_size=fonts.formula)
    if written:
        grid = NumberGrid([[fmt(w, DIGITS) for w in row] for row in kernel.weight], numbers_size, fonts.label)
        body = Group(grid, Group(picture, legend), bias).arrange(RIGHT, buff=fonts.pick(0.9, 0.6))
        if body.width > config.frame_width - 1.0:
            # a 5x5 kernel's legible numbers need wider cells: the bias goes under the picture
            # (shrinking the row to fit would write the numbers too small to read)
            bias.next_to(legend, DOWN, 0.35)
            body = Group(grid, Group(picture, legend, bias)).arrange(RIGHT, buff=fonts.pick(0.9, 0.6))
    else:
        grid = None
        body = Group(Group(picture, legend), bias).arrange(RIGHT, buff=0.9)
    fit_width(body).next_to(why, DOWN, 0.35)
    with say(scene, lines["numbers"]):
        if grid is not None:
            scene.play(FadeIn(grid.lines), Write(grid.numbers), run_time=1.5)
        scene.wait(style.READ_SECONDS)
    scene.bring_to_back(title, strip)
    with say(scene, lines["picture"]):
        scene.play(FadeIn(picture, shift=RIGHT * 0.3), FadeIn(legend), run_time=1.0)
    with say(scene, lines["bias"]):
        scene.play(Write(bias), run_time=0.8)
        scene.wait(style.READ_SECONDS)
    scene.wait(style.READ_SECONDS)


class OneKernel(BeatScene):
    beats = ("OneKernel",)
