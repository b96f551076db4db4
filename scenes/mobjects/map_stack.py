"""A stack of a convolutional layer's feature maps: each map one picture, one pixel per value.

Colours as the network diagram's neurons: a positive value is white, a negative one red,
with opacity |value| / `scale`, where `scale` is one number for the whole stack (the
largest |value| of its layer, said in the caption), so maps side by side compare. A map
is one `ImageMobject` scaled up without smoothing (nearest neighbour): 64 maps of 24x24
cost 64 images to composite, never 36,864 squares (scenes/camera.py composites an image
over its own box only). The maps' frames are one path for the whole stack.

A stack deeper than `MAX_DRAWN_MAPS` shows its most active maps for this digit (largest
mean |value|), in channel order; the note under it says how many are not drawn.
"""
from __future__ import annotations

import math

import numpy as np
from manim import Group, ImageMobject
from manim.utils.color import ManimColor

from nn_explainer.scenes import style
from .feature_maps import frames, pixel_picture

MAX_DRAWN_MAPS = 16     # as wide dense layers draw their 16 most active neurons
ROWS = 4                # maps per column of the grid, at most (unless told otherwise)
GAP = 0.08              # frame units between maps


def most_active(maps: np.ndarray, cap: int = MAX_DRAWN_MAPS) -> np.ndarray:
    """Which channels of maps [C, H, W] to draw: all if they fit, else the `cap` with the
    largest mean |value| (ties to the lower channel), in channel order."""
    activity = np.abs(np.asarray(maps, dtype=np.float64)).reshape(len(maps), -1).mean(axis=1)
    if len(maps) <= cap:
        return np.arange(len(maps))
    return np.sort(np.argsort(-activity, kind="stable")[:cap])


def map_pixels(values: np.ndarray, scale: float) -> np.ndarray:
    """RGBA bytes of one map [H, W]: white where positive, red where negative, alpha
    255·|value| / scale (rounded; clipped at the scale)."""
    values = np.asarray(values, dtype=np.float64)
    relative = np.clip(np.abs(values) / scale, 0, 1) if scale > 0 else np.zeros_like(values)
    colours = np.array([ManimColor(c).to_int_rgb() for c in (style.NEGATIVE, style.NEURON_FILL)], dtype=np.uint8)
    rgba = np.empty((*values.shape, 4), dtype=np.uint8)
    rgba[..., :3] = colours[(values >= 0).astype(int)]
    rgba[..., 3] = np.rint(255 * relative)
    return rgba


def drawn_values(rgba: np.ndarray, scale: float) -> np.ndarray:
    """What a map's picture shows, read back: +-alpha/255 · scale by its colour."""
    negative = np.all(rgba[..., :3] == ManimColor(style.NEGATIVE).to_int_rgb(), axis=-1)
    return np.where(negative, -1.0, 1.0) * rgba[..., 3] / 255 * scale


def grid_shape(count: int, rows: int = ROWS) -> tuple[int, int]:
    """(rows, columns) of a stack of `count` maps: at most `rows` high, filled column by column."""
    columns = max(1, math.ceil(count / rows))
    return math.ceil(count / columns), columns


class FeatureMapStack(Group):
    """The drawn maps of one layer, `maps[c]` for each channel c in `channels`, in a grid
    of `map_size`-unit squares. `set_maps(values, scale)` redraws them (ReLU, pooling: the
    same channels, new values; a pooled map has fewer pixels in the same square)."""

    def __init__(self, values: np.ndarray, channels, scale: float, map_size: float, rows: int = ROWS, **kwargs):
        super().__init__(**kwargs)
        self.channels = np.asarray(channels)
        self.total = len(values)
        self.colour_scale = float(scale)
        rows, columns = grid_shape(len(self.channels), rows)
        step = map_size + GAP
        self.pictures = []
        centres = []
        for place, channel in enumerate(self.channels):
            column, row = divmod(place, rows)
            centre = np.array([(column - (columns - 1) / 2) * step, ((rows - 1) / 2 - row) * step, 0.0])
            picture = pixel_picture(map_pixels(values[channel], self.colour_scale), map_size, map_size).move_to(centre)
            self.pictures.append(picture)
            centres.append(centre)
        self.frames = frames(np.array(centres), map_size, map_size)
        self.add(*self.pictures, self.frames)

    def pictures_of(self, values: np.ndarray, scale: float | None = None) -> list[ImageMobject]:
        """New pictures of `values` [C, H, W] (the same channels) where the current ones
        are: the target of a transition to the next layer's maps."""
        scale = self.colour_scale if scale is None else float(scale)
        new = []
        for picture, channel in zip(self.pictures, self.channels):
            new.append(pixel_picture(map_pixels(values[channel], scale), picture.height, picture.width).move_to(picture))
        return new

    def replace_pictures(self, pictures: list[ImageMobject], scale: float | None = None) -> None:
        """Take `pictures` as the stack's maps (after they were animated in)."""
        self.remove(*self.pictures)
        self.pictures = list(pictures)
        self.colour_scale = self.colour_scale if scale is None else float(scale)
        self.add_to_back(*self.pictures)

    def drawn(self) -> list[np.ndarray]:
        """Each drawn map's values as its picture shows them (under the stack's scale)."""
        return [drawn_values(picture.get_pixel_array(), self.colour_scale) for picture in self.pictures]
