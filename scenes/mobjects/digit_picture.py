"""A digit (or any 28x28 input in [0, 1]) as one small picture: white ink, opacity = pixel.

Grids of many digits (a neuron's most exciting test digits, the input that maximises
it) would cost Cairo dozens of paths each on every frame (PixelGrid); as pictures, one
pixel per pixel scaled up without smoothing, they look the same and cost one image to
composite. `pixels` keeps what is drawn, and the picture's alpha channel is it.
"""
from __future__ import annotations

import numpy as np
from manim import RESAMPLING_ALGORITHMS, Group, ImageMobject
from manim.utils.color import ManimColor

from nn_explainer.scenes import style
from .input_blocks import SIDE
from .pixel_grid import grid_lines


def ink_pixels(pixels: np.ndarray) -> np.ndarray:
    """RGBA bytes: the neuron-fill white, alpha = pixel value (SIDE x SIDE)."""
    values = np.clip(np.asarray(pixels, dtype=np.float64).reshape(SIDE, SIDE), 0, 1)
    rgba = np.empty((SIDE, SIDE, 4), dtype=np.uint8)
    rgba[..., :3] = ManimColor(style.NEURON_FILL).to_int_rgb()
    rgba[..., 3] = np.rint(255 * values)
    return rgba


class DigitPicture(Group):
    def __init__(self, pixels, size: float = 1.0, frame: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.pixels = np.asarray(pixels, dtype=np.float64).reshape(-1)
        self.image = ImageMobject(ink_pixels(self.pixels))
        self.image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        self.image.stretch_to_fit_height(size).stretch_to_fit_width(size)
        self.add(self.image)
        if frame:
            self.add(grid_lines(size, 1).set_stroke(style.PIXEL_STROKE, width=1, opacity=0.6))
