"""WriteAProgram: the original's challenge, with the digit's real pixel values.

The digit is nothing but numbers, one per pixel: a window of its most inked
rows and columns is written out with their real values (and the caption says which
rows and columns, of how many numbers), then the challenge: write a program that
reads these numbers and says which digit it is. The count is the network's input
width, never a constant of this module.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Indicate, LaggedStart, Rectangle, Text, TransformFromCopy, VGroup, Write

from nn_explainer.model.shapes import IMAGE_SIDE
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.speech.narration import say
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.pixel_grid import PixelGrid

ROWS, COLS = 6, 7    # the window written out: readable at 480p, the rest elided


def inked_window(pixels: np.ndarray, rows: int = ROWS, cols: int = COLS) -> tuple[int, int]:
    """(first row, first column) of the rows x cols window holding the most ink."""
    image = np.asarray(pixels).reshape(IMAGE_SIDE, IMAGE_SIDE)
    row = int(np.argmax([image[r:r + rows].sum() for r in range(IMAGE_SIDE - rows + 1)]))
    band = image[row:row + rows]
    col = int(np.argmax([band[:, c:c + cols].sum() for c in range(IMAGE_SIDE - cols + 1)]))
    return row, col


def number_rows(pixels: np.ndarray, row: int, col: int) -> list[str]:
    """Each window row's real values, with ellipses for the columns on either side."""
    image = np.asarray(pixels).reshape(IMAGE_SIDE, IMAGE_SIDE)
    left, right = ("…  " if col > 0 else ""), ("  …" if col + COLS < IMAGE_SIDE else "")
    return [left + "  ".join(fmt(v) for v in image[r, col:col + COLS]) + right for r in range(row, row + ROWS)]


def script(story) -> dict[str, str]:
    count = spoken.integer(story.network.sizes[0])
    row, col = inked_window(story.example.pixels)
    return {
        "grid": "So for a machine, the digit is nothing but numbers.",
        "window": "Here they are for the part of the image with the most ink.",
        "table": (f"These are rows {spoken.integer(row + 1)} to {spoken.integer(row + ROWS)}, "
                  f"columns {spoken.integer(col + 1)} to {spoken.integer(col + COLS)}."),
        "shown": (f"That is {spoken.integer(ROWS * COLS)} of the {count} numbers. "
                  "The dots stand for the rest."),
        "question": f"Now the challenge. Write a program that reads these {count} numbers and says which digit it is.",
        "frame": "Only these numbers, nothing else. Where would you even begin?",
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    pixels, count = story.example.pixels, story.network.sizes[0]
    grid = PixelGrid(pixels, size=fonts.pick(3.2, 2.6)).to_edge(LEFT, buff=fonts.pick(0.7, 0.4)).shift(DOWN * 0.4)
    row, col = inked_window(pixels)
    cell = grid.cell_size
    marker = Rectangle(width=cell * COLS, height=cell * ROWS, stroke_color=style.HIGHLIGHT, stroke_width=2)
    marker.move_to((grid.cell_centre(row * IMAGE_SIDE + col)
                    + grid.cell_centre((row + ROWS - 1) * IMAGE_SIDE + col + COLS - 1)) / 2)

    labels = VGroup(*[Text(f"row {r + 1}", font_size=fonts.small, color=style.INDEX_COLOUR)
                      for r in range(row, row + ROWS)])
    values = VGroup(*[Text(line, font_size=fonts.small) for line in number_rows(pixels, row, col)])
    table = VGroup()
    for label, line in zip(labels, values):
        # The post layout leaves out the "row N" labels (the caption under the table
        # names the rows): at a legible size they would push the numbers over the digit.
        table.add(VGroup(line) if fonts.post else VGroup(label, line).arrange(RIGHT, buff=0.35))
    table.arrange(DOWN, buff=0.22, aligned_edge=RIGHT)
    table.next_to(grid, RIGHT, fonts.pick(0.8, 0.6)).align_to(grid, UP).shift(DOWN * 0.2)
    fit_width(table, margin=0.3)
    if table.get_right()[0] > 7.1 - 0.3:
        table.shift(LEFT * (table.get_right()[0] - 6.8))
    frame = Rectangle(width=table.width + 0.3, height=table.height + 0.3, stroke_color=style.HIGHLIGHT,
                      stroke_width=1.5).move_to(table)
    shown = fit_width(Text(f"rows {row + 1}-{row + ROWS}, columns {col + 1}-{col + COLS}: {ROWS * COLS} of the"
                           + fonts.pick(" ", "\n") + f"{count} numbers; … marks the rest", font_size=fonts.small,
                           color=style.INDEX_COLOUR))
    shown.next_to(frame, DOWN, 0.3).align_to(frame, LEFT)
    if shown.get_right()[0] > 6.8:
        shown.shift(LEFT * (shown.get_right()[0] - 6.8))
    question = fit_width(Text(f"Write a program that reads these {count} numbers\nand says which digit it is.",
                              font_size=fonts.title, line_spacing=0.8, t2c={f"{count}": style.HIGHLIGHT}))
    question.to_edge(UP, 0.4)

    with say(scene, lines["grid"]):
        scene.play(FadeIn(grid), run_time=style.APPEAR_SECONDS)
    with say(scene, lines["window"]):
        scene.play(FadeIn(marker), run_time=0.5)
    with say(scene, lines["table"]):
        scene.play(TransformFromCopy(marker, frame), LaggedStart(*[FadeIn(line) for line in table], lag_ratio=0.15),
                   run_time=1.5)
    with say(scene, lines["shown"]):
        scene.play(FadeIn(shown), run_time=0.6)
        scene.wait(style.READ_SECONDS)
    with say(scene, lines["question"]):
        scene.play(Write(question), run_time=1.8)
        scene.wait(style.READ_SECONDS)
    with say(scene, lines["frame"]):
        scene.play(Indicate(frame, scale_factor=1.03, color=style.HIGHLIGHT), run_time=0.8)  # these numbers, nothing else
    scene.wait(style.READ_SECONDS)


class WriteAProgram(BeatScene):
    beats = ("WriteAProgram",)
