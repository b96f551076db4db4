"""The 28x28 pixel grid of a digit: grey squares whose brightness is the pixel value."""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Square, VGroup, VMobject

from . import style
from .input_blocks import BLOCK_SIDE, BLOCKS, SIDE, block_of_pixel


class PixelGrid(VGroup):
    """A digit as 784 squares, white with opacity = pixel value, on faint grid lines.

    `cells[p]` is the square of pixel p (row-major, as in the export). The grid lines
    are one mobject, drawn once: Cairo pays per mobject, not per line.
    """

    def __init__(self, pixels, size: float = style.PIXEL_GRID_SIZE, **kwargs):
        super().__init__(**kwargs)
        self.pixels = np.asarray(pixels, dtype=np.float64).reshape(-1)
        self.cell_size = size / SIDE
        template = Square(side_length=self.cell_size, stroke_width=0).set_fill(style.NEURON_FILL, opacity=0)
        top_left = (LEFT + UP) * size / 2 + (RIGHT + DOWN) * self.cell_size / 2
        self.cells = VGroup()
        for index, value in enumerate(self.pixels):
            row, col = divmod(index, SIDE)
            cell = template.copy().move_to(top_left + RIGHT * col * self.cell_size + DOWN * row * self.cell_size)
            cell.set_fill(opacity=float(value))
            self.cells.add(cell)
        self.lines = grid_lines(size, SIDE)
        self.add(self.cells, self.lines)

    def ink_cells(self) -> list[int]:
        """Indices of the pixels with any ink: the only cells worth moving."""
        return [int(i) for i in np.flatnonzero(self.pixels > 0)]

    def block_cells(self) -> list[VGroup]:
        """For each of the 16 7x7 blocks, a group of its inked cells (see input_blocks)."""
        groups = [VGroup() for _ in range(BLOCKS)]
        blocks = block_of_pixel()
        for index in self.ink_cells():
            groups[blocks[index]].add(self.cells[index])
        return groups

    def block_outline(self, block: int) -> Square:
        """The square around one 7x7 block, for showing what an input neuron pools."""
        members = [self.cells[i] for i in np.flatnonzero(block_of_pixel() == block)]
        outline = Square(side_length=self.cell_size * BLOCK_SIDE, stroke_color=style.HIGHLIGHT, stroke_width=2)
        return outline.move_to(VGroup(*members).get_center())


def grid_lines(size: float, count: int) -> VMobject:
    """All the lines of a count x count grid as one mobject of many straight subpaths."""
    step = size / count
    half = size / 2
    segments = []
    for i in range(count + 1):
        offset = -half + i * step
        segments.append(((offset, -half, 0), (offset, half, 0)))
        segments.append(((-half, offset, 0), (half, offset, 0)))
    lines = VMobject(stroke_color=style.PIXEL_STROKE, stroke_width=style.PIXEL_STROKE_WIDTH,
                     stroke_opacity=style.PIXEL_STROKE_OPACITY)
    lines.set_points(line_points(np.array([s for s, _ in segments], float), np.array([e for _, e in segments], float)))
    return lines


def line_points(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Bezier points for many straight segments, each its own subpath: [4n, 3]."""
    thirds = np.array([0, 1 / 3, 2 / 3, 1])[None, :, None]
    return (starts[:, None, :] + (ends - starts)[:, None, :] * thirds).reshape(-1, 3)
