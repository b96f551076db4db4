"""The 28x28 pixel grid of a digit: grey squares whose brightness is the pixel value."""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Square, VGroup, VMobject

from nn_explainer.scenes import style
from .input_blocks import BLOCK_SIDE, BLOCKS_PER_SIDE, SIDE


class PixelGrid(VGroup):
    """A digit as white squares with opacity = pixel value, on faint grid lines.

    Cairo pays per mobject, so pixels of equal value share one mobject (`shades`, one
    per distinct value, each a set of square subpaths) and the grid lines are one
    mobject: a digit of 200 inked pixels draws as about 80 paths, not 784 squares.
    Blank pixels draw nothing: on the black background they would look the same.
    """

    def __init__(self, pixels, size: float = style.PIXEL_GRID_SIZE, **kwargs):
        super().__init__(**kwargs)
        self.pixels = np.asarray(pixels, dtype=np.float64).reshape(-1)
        self.cell_size = size / SIDE
        self.shades = VGroup()
        self.shade_of_value = {}
        for value in np.unique(self.pixels[self.pixels > 0]):
            indices = np.flatnonzero(self.pixels == value)
            shade = VMobject(stroke_width=0).set_fill(style.NEURON_FILL, opacity=float(value))
            shade.set_points(square_points(self._local_centres(indices), self.cell_size))
            shade.pixel_indices = indices
            self.shade_of_value[float(value)] = shade
            self.shades.add(shade)
        self.lines = grid_lines(size, SIDE)
        self.add(self.shades, self.lines)

    def _local_centres(self, indices) -> np.ndarray:
        rows, cols = np.divmod(np.asarray(indices), SIDE)
        half = self.cell_size * SIDE / 2
        return np.stack([-half + (cols + 0.5) * self.cell_size, half - (rows + 0.5) * self.cell_size,
                         np.zeros(len(rows))], axis=1)

    def cell_centre(self, index: int) -> np.ndarray:
        """Where pixel `index` is drawn now (follows moves and scaling of the grid)."""
        top_left = self.lines.get_corner(UP + LEFT)
        step = self.lines.width / SIDE
        row, col = divmod(int(index), SIDE)
        return top_left + (RIGHT * (col + 0.5) + DOWN * (row + 0.5)) * step

    def block_squares(self, values) -> VGroup:
        """16 squares over the 7x7 blocks, filled with `values` (the pooled means)."""
        step = self.lines.width / SIDE * BLOCK_SIDE
        top_left = self.lines.get_corner(UP + LEFT)
        squares = VGroup()
        for block, value in enumerate(values):
            row, col = divmod(block, BLOCKS_PER_SIDE)
            square = Square(side_length=step, stroke_color=style.HIGHLIGHT, stroke_width=1.5)
            square.set_fill(style.NEURON_FILL, opacity=float(value))
            squares.add(square.move_to(top_left + (RIGHT * (col + 0.5) + DOWN * (row + 0.5)) * step))
        return squares


def square_points(centres: np.ndarray, side: float) -> np.ndarray:
    """Bezier points for many axis-aligned squares, each a closed subpath."""
    return rectangle_points(centres, side, side)


def rectangle_points(centres: np.ndarray, width, height) -> np.ndarray:
    """Bezier points for many axis-aligned rectangles, each a closed subpath. `width` and
    `height`: one size for all, or one per rectangle."""
    w = np.broadcast_to(np.asarray(width, dtype=float) / 2, len(centres))
    h = np.broadcast_to(np.asarray(height, dtype=float) / 2, len(centres))
    signs = np.array([[-1, 1], [1, 1], [1, -1], [-1, -1], [-1, 1]])
    corners = np.zeros((len(centres), 5, 3))
    corners[..., 0] = signs[None, :, 0] * w[:, None]
    corners[..., 1] = signs[None, :, 1] * h[:, None]
    corners += centres[:, None, :]
    return line_points(corners[:, :-1].reshape(-1, 3), corners[:, 1:].reshape(-1, 3))


def cell_run_points(indices, side: int, size: float) -> np.ndarray:
    """Bezier points filling the cells `indices` (row-major) of a side x side grid `size`
    wide, centred on the origin. Cells next to each other in a row become one rectangle:
    the same area, but Cairo traces each path's curves in Python, so a run of twelve
    cells costs what one cell does."""
    indices = np.sort(np.asarray(indices, dtype=int))
    rows, cols = np.divmod(indices, side)
    breaks = np.flatnonzero((np.diff(rows) != 0) | (np.diff(cols) != 1)) + 1
    first = np.concatenate([[0], breaks])
    lengths = np.diff(np.concatenate([first, [len(indices)]]))
    cell, half = size / side, size / 2
    centres = np.stack([-half + (cols[first] + lengths / 2) * cell, half - (rows[first] + 0.5) * cell,
                        np.zeros(len(first))], axis=1)
    return rectangle_points(centres, lengths * cell, cell)


def grid_lines(size: float, count: int, width: float | None = None, columns: int | None = None) -> VMobject:
    """All the lines of a count x count grid as one mobject of many straight subpaths; or,
    given `width` and `columns`, of count rows `size` tall and `columns` columns `width` wide."""
    half_w, half_h = (size if width is None else width) / 2, size / 2
    xs = np.linspace(-half_w, half_w, (count if columns is None else columns) + 1)
    ys = np.linspace(-half_h, half_h, count + 1)
    starts = np.concatenate([np.stack([xs, -half_h + 0 * xs, 0 * xs], 1), np.stack([-half_w + 0 * ys, ys, 0 * ys], 1)])
    ends = np.concatenate([np.stack([xs, half_h + 0 * xs, 0 * xs], 1), np.stack([half_w + 0 * ys, ys, 0 * ys], 1)])
    lines = VMobject(stroke_color=style.PIXEL_STROKE, stroke_width=style.PIXEL_STROKE_WIDTH,
                     stroke_opacity=style.PIXEL_STROKE_OPACITY)
    return lines.set_points(line_points(starts, ends))


def line_points(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Bezier points for many straight segments, [4n, 3]: four points per segment."""
    thirds = np.array([0, 1 / 3, 2 / 3, 1])[None, :, None]
    return (starts[:, None, :] + (ends - starts)[:, None, :] * thirds).reshape(-1, 3)
