"""Feature maps and kernels as pictures: one pixel per value, blue positive, red negative.

A map (or a kernel) is drawn with the weight heatmap's colours (heatmap.heat_pixels:
the sign's colour, opacity = |value| relative to a scale, in HEATMAP_LEVELS steps), so
kernels, maps and weights read alike. A map's exact zeros (what ReLU leaves of the
negatives) are drawn as nothing, not as the faintest blue: "zeroed" looks empty.

- `MapPicture`: one map as ONE ImageMobject scaled up without smoothing, in a thin
  frame; `reveal(count)` shows only its first `count` values (row-major), as the
  sliding window fills it in, by changing the picture's alpha, never adding mobjects.
- `MapMosaic`: every map of a layer in ONE picture, tiles in rows with transparent
  gaps, and one mobject of frames: a layer of 32 maps costs Cairo two mobjects.
- `pixel_picture`, `frames`: RGBA bytes as one such unsmoothed picture, and thin frames
  as one mobject (every map-drawing module's).
"""
from __future__ import annotations

import numpy as np
from manim import RESAMPLING_ALGORITHMS, Group, ImageMobject, VMobject
from manim.utils.color import ManimColor

from nn_explainer.scenes import style
from .heatmap import heat_pixels
from .pixel_grid import grid_lines, rectangle_points


def map_pixels(values: np.ndarray, scale: float, clear_zeros: bool = True) -> np.ndarray:
    """RGBA bytes [H, W, 4] of a 2-D array of values on the heat scale `scale`."""
    values = np.asarray(values, dtype=np.float64)
    pixels = heat_pixels(values.reshape(-1), scale, values.shape)
    if clear_zeros:
        pixels[values == 0, 3] = 0
    return pixels


def pixel_picture(pixels: np.ndarray, height: float, width: float) -> ImageMobject:
    """RGBA bytes as one picture `height` x `width` frame units, scaled up without
    smoothing (nearest neighbour): a value's square stays one colour."""
    picture = ImageMobject(pixels)
    picture.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    return picture.stretch_to_fit_height(height).stretch_to_fit_width(width)


def frames(centres: np.ndarray, width: float, height: float, opacity: float = 0.6) -> VMobject:
    """Thin frames of `width` x `height` around `centres` [N, 3]: one mobject for them all."""
    return VMobject(stroke_color=style.PIXEL_STROKE, stroke_width=1, stroke_opacity=opacity).set_points(
        rectangle_points(centres, width, height))


def outline(width: float, height: float) -> VMobject:
    return frames(np.zeros((1, 3)), width, height)


class MapPicture(Group):
    """One 2-D array as a picture `size` frame units high (its width to its aspect),
    pixel (row, col) drawn at value [row, col]; `cells`: grid lines between the values
    (a kernel's few numbers), else a frame only."""

    def __init__(self, values, scale: float, size: float, cells: bool = False, clear_zeros: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.values = np.asarray(values, dtype=np.float64)
        self.scale_value, self.clear_zeros = float(scale), clear_zeros
        rows, cols = self.values.shape
        self.full = map_pixels(self.values, self.scale_value, clear_zeros)
        width = size * cols / rows
        self.image = pixel_picture(self.full.copy(), size, width)
        if cells and rows == cols:
            frame = grid_lines(size, rows).set_stroke(style.PIXEL_STROKE, width=1, opacity=0.6)
        else:
            frame = outline(width, size)
        self.frame = frame
        self.add(self.image, frame)

    @property
    def shape(self) -> tuple:
        return self.values.shape

    def cell_centre(self, row: int, col: int) -> np.ndarray:
        rows, cols = self.values.shape
        left, top = self.image.get_left()[0], self.image.get_top()[1]
        return np.array([left + (col + 0.5) * self.image.width / cols, top - (row + 0.5) * self.image.height / rows, 0])

    def cell_size(self) -> float:
        return self.image.height / self.values.shape[0]

    def reveal(self, count: int) -> "MapPicture":
        """Show the first `count` values (row-major); the rest are not drawn yet."""
        flat = self.image.pixel_array.reshape(-1, 4)
        flat[:, 3] = 0
        flat[:count, 3] = self.full.reshape(-1, 4)[:count, 3]
        return self

    def drawn_colour(self, row: int, col: int):
        """(colour, opacity) value (row, col) is drawn with: the picture's pixel there."""
        red, green, blue, alpha = (int(v) for v in self.image.pixel_array[row, col])
        return ManimColor.from_rgb((red, green, blue)), alpha / 255


class MapMosaic(Group):
    """Maps [N, H, W] as one picture of `columns` tiles a row, `width` frame units wide."""

    def __init__(self, maps, scale: float, columns: int, width: float, **kwargs):
        super().__init__(**kwargs)
        self.maps = np.asarray(maps, dtype=np.float64)
        self.scale_value = float(scale)
        count, height, side = self.maps.shape
        self.columns = min(columns, count)
        self.rows = -(-count // self.columns)
        self.gap = max(1, side // 6)   # pixels between tiles
        pixels = self.pixels_of(self.maps)
        pixels_high, pixels_wide = pixels.shape[:2]
        self.image = pixel_picture(pixels, width * pixels_high / pixels_wide, width)
        unit = width / pixels_wide
        centres = np.array([[-width / 2 + (self._left(i) + side / 2) * unit,
                             self.image.height / 2 - (self._top(i) + height / 2) * unit, 0] for i in range(count)])
        self.frames = frames(centres, side * unit, height * unit, opacity=0.5)
        self.add(self.image, self.frames)

    def _left(self, index: int) -> int:
        return (index % self.columns) * (self.maps.shape[2] + self.gap)

    def _top(self, index: int) -> int:
        return (index // self.columns) * (self.maps.shape[1] + self.gap)

    def pixels_of(self, maps) -> np.ndarray:
        """The mosaic's RGBA bytes for maps of this mosaic's shape (another layer state: after ReLU)."""
        count, height, side = maps.shape
        out = np.zeros((self.rows * (height + self.gap) - self.gap, self.columns * (side + self.gap) - self.gap, 4),
                       dtype=np.uint8)
        for index, values in enumerate(maps):
            top, left = self._top(index), self._left(index)
            out[top:top + height, left:left + side] = map_pixels(values, self.scale_value)
        return out

    def tile(self, index: int) -> np.ndarray:
        """The drawn RGBA bytes of map `index`, as a viewer sees it."""
        count, height, side = self.maps.shape
        top, left = self._top(index), self._left(index)
        return self.image.pixel_array[top:top + height, left:left + side]

    def tile_centre(self, index: int) -> np.ndarray:
        count, height, side = self.maps.shape
        unit = self.image.width / self.image.pixel_array.shape[1]
        left, top = self.image.get_left()[0], self.image.get_top()[1]
        return np.array([left + (self._left(index) + side / 2) * unit, top - (self._top(index) + height / 2) * unit, 0])

    def tile_height(self) -> float:
        unit = self.image.width / self.image.pixel_array.shape[1]
        return self.maps.shape[1] * unit
