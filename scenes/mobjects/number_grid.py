"""Numbers written in the cells of a small grid: a kernel's weights, a pooling window's values.

Each value is written at its cell's centre, row by row, on grid lines; a number shrinks
only where its cell is too narrow for it (a large kernel); one cell may be marked in the
highlight colour (the value a max pooling keeps).
"""
from __future__ import annotations

import numpy as np
from manim import LEFT, UP, Text, VGroup

from nn_explainer.scenes import style
from .pixel_grid import grid_lines


class NumberGrid(VGroup):
    """`texts` [rows, cols] of strings in a grid `size` units wide (square cells)."""

    def __init__(self, texts, size: float, font_size: float, marked: tuple | None = None, **kwargs):
        super().__init__(**kwargs)
        rows, cols = len(texts), len(texts[0])
        cell = size / max(rows, cols)
        self.lines = grid_lines(size, max(rows, cols)).set_stroke(style.PIXEL_STROKE, width=1, opacity=0.6)
        self.numbers = VGroup()
        corner = self.lines.get_corner(UP + LEFT)
        for row in range(rows):
            for col in range(cols):
                text = Text(texts[row][col], font_size=font_size)
                if text.width > cell * 0.92:
                    text.scale_to_fit_width(cell * 0.92)
                if (row, col) == marked:
                    text.set_color(style.HIGHLIGHT)
                self.numbers.add(text.move_to(corner + np.array([(col + 0.5) * cell, -(row + 0.5) * cell, 0])))
        self.add(self.lines, self.numbers)
