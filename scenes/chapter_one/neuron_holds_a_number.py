"""NeuronHoldsANumber: a neuron is a thing that holds a number between 0 and 1.

Beat 2. A 5x5 window of the digit is enlarged with its real pixel values written on
it; then a few neurons fill to exactly those values.
"""
from __future__ import annotations

import numpy as np
from manim import LEFT, RIGHT, UP, FadeIn, Rectangle, Square, Text, TransformFromCopy, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.speech.narration import say
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.layout import keep_inside
from nn_explainer.scenes.mobjects.network_diagram import NeuronLayer
from nn_explainer.model.shapes import IMAGE_SIDE
from nn_explainer.scenes.mobjects.pixel_grid import PixelGrid

WINDOW = 5  # pixels a side of the enlarged window
SQUARE = 0.62       # frame units a side of an enlarged pixel
POST_SQUARE = 1.1   # the post layout's values are bigger: so are the squares they are written on


def inked_window(pixels: np.ndarray, size: int = WINDOW) -> tuple[int, int]:
    """(row, col) of the top-left of the size x size window holding the most ink
    variety: some full, some partial, some blank pixels, to show the range."""
    image = pixels.reshape(IMAGE_SIDE, IMAGE_SIDE)
    best, best_score = (0, 0), -1.0
    for row in range(IMAGE_SIDE - size + 1):
        for col in range(IMAGE_SIDE - size + 1):
            window = image[row:row + size, col:col + size]
            score = len(np.unique(np.round(window, 2))) + window.std()
            if score > best_score:
                best, best_score = (row, col), score
    return best

def window_indices(pixels: np.ndarray) -> tuple[list[int], list[int]]:
    """(the enlarged window's pixels, its middle row's): indices into the digit."""
    row, col = inked_window(pixels)
    indices = [(row + r) * IMAGE_SIDE + col + c for r in range(WINDOW) for c in range(WINDOW)]
    return indices, indices[WINDOW * (WINDOW // 2):WINDOW * (WINDOW // 2 + 1)]


def script(story) -> dict[str, str]:
    pixels = story.example.pixels
    window, middle = window_indices(pixels)
    # A grey pixel of the window says "in between" better than a 0 or a 1 would.
    values = [float(pixels[i]) for i in window]
    grey = max(values, key=lambda v: min(v, 1 - v))
    held = sorted(float(pixels[i]) for i in middle)
    lines = {
        "grid": "To a computer, every pixel of this image is simply a number.",
        "window": "Take a small patch of it, where the ink meets the background.",
        "values": ("Each pixel holds its brightness: zero for black, one for full white, "
                   f"and in between at the edges, like {spoken.decimal(grey)}."),
        "neuron": "Now think of a neuron as a thing that holds a number between zero and one.",
        "fill": (f"These {spoken.count(len(middle), 'neuron')} hold the middle row of the patch, "
                 f"from {spoken.decimal(held[0])} up to {spoken.decimal(held[-1])}. "
                 "That number is the neuron's activation."),
    }
    return lines


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    pixels = story.example.pixels
    grid = PixelGrid(pixels, size=fonts.pick(3.6, 2.9)).to_edge(LEFT, buff=fonts.pick(0.6, 0.4))
    row, col = inked_window(pixels)
    cell = grid.cell_size
    marker = Rectangle(width=cell * WINDOW, height=cell * WINDOW, stroke_color=style.HIGHLIGHT, stroke_width=2)
    marker.move_to((grid.cell_centre(row * IMAGE_SIDE + col) + grid.cell_centre((row + WINDOW - 1) * IMAGE_SIDE + col + WINDOW - 1)) / 2)
    with say(scene, lines["grid"]):
        scene.play(FadeIn(grid), run_time=style.APPEAR_SECONDS)
    with say(scene, lines["window"]):
        scene.play(FadeIn(marker), run_time=0.5)

    # The window, enlarged, each square labelled with its real value.
    indices, middle = window_indices(pixels)
    big = VGroup()
    for index in indices:
        square = Square(side_length=fonts.pick(SQUARE, POST_SQUARE), stroke_color=style.PIXEL_STROKE, stroke_width=1)
        square.set_fill(style.NEURON_FILL, opacity=float(pixels[index]))
        value = float(pixels[index])
        label = Text(fmt(value), font_size=fonts.text(style.SMALL_FONT_SIZE - 2), color=style.BACKGROUND if value > 0.55 else style.TEXT)
        big.add(VGroup(square, label.move_to(square)))
    big.arrange_in_grid(WINDOW, WINDOW, buff=0).move_to(RIGHT * fonts.pick(0.6, -0.5))
    with say(scene, lines["values"]):
        scene.play(TransformFromCopy(marker, big), run_time=1.2)
        scene.wait(style.READ_SECONDS)

    # A few neurons hold the values of the window's middle row.
    neurons = NeuronLayer(len(middle)).scale(1.6).to_edge(RIGHT, buff=fonts.pick(1.6, 1.9))
    values = [float(pixels[i]) for i in middle]
    numbers = VGroup(*[Text(fmt(v), font_size=fonts.label).next_to(n, RIGHT, 0.2)
                       for n, v in zip(neurons.neurons, values)])
    caption = Text(fonts.pick("neuron: holds a number\nbetween 0 and 1", "neuron:\nholds a number\nbetween 0 and 1"),
                   font_size=fonts.small, line_spacing=0.8).next_to(neurons, UP, fonts.pick(0.4, 0.25))
    if fonts.post:
        keep_inside(caption)
    with say(scene, lines["neuron"]):
        scene.play(FadeIn(neurons), FadeIn(caption), run_time=0.6)
    with say(scene, lines["fill"]):
        scene.play(*neurons.fill_animations(values), FadeIn(numbers), run_time=1.2)
    scene.wait(style.READ_SECONDS)


class NeuronHoldsANumber(BeatScene):
    beats = ("NeuronHoldsANumber",)
