"""Numbers written in the cells of a small grid: a kernel's weights, a pooling window's values.

Each value is written at its cell's centre, row by row, on grid lines; the numbers keep
their size (a smaller one would be illegible), and where the widest is wider than a
square cell (a 5x5 kernel) the cells are made wider instead; one cell may be marked in
the highlight colour (the value a max pooling keeps).
"""
from __future__ import annotations

import numpy as np
from manim import LEFT, UP, Text, VGroup

from nn_explainer.scenes import style
from .pixel_grid import grid_lines

FILL = 0.8     # of a cell's width the widest number takes at most: the rest keeps neighbours apart


class NumberGrid(VGroup):
    """`texts` [rows, cols] of strings in a grid `size` units tall (and as wide, with square
    cells, unless the numbers need wider ones)."""

    def __init__(self, texts, size: float, font_size: float, marked: tuple | None = None, **kwargs):
        super().__init__(**kwargs)
        rows, cols = len(texts), len(texts[0])
        cell = size / max(rows, cols)                              # a cell's height
        numbers = [[Text(text, font_size=font_size) for text in row] for row in texts]
        wide = max(cell, max(text.width for row in numbers for text in row) / FILL)   # a cell's width
        self.lines = grid_lines(rows * cell, rows, cols * wide, cols).set_stroke(style.PIXEL_STROKE, width=1,
                                                                                 opacity=0.6)
        self.numbers = VGroup()
        corner = self.lines.get_corner(UP + LEFT)
        for row in range(rows):
            for col in range(cols):
                text = numbers[row][col]
                if (row, col) == marked:
                    text.set_color(style.HIGHLIGHT)
                self.numbers.add(text.move_to(corner + np.array([(col + 0.5) * wide, -(row + 0.5) * cell, 0])))
        self.add(self.lines, self.numbers)
