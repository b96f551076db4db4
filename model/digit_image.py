"""Turn a photo or drawing of a digit into a 28x28 MNIST-style input.

MNIST's digits were made this way (LeCun et al.): the ink's bounding box is scaled to
fit a 20x20 box keeping its aspect ratio, then placed in a 28x28 field so that its
centre of mass sits at the centre. We do the same, so a user's digit looks to the
network like the digits it was trained on. Any size works; RGB, greyscale or RGBA;
dark ink on light paper or light ink on dark. An image with transparency (a canvas
export) takes its ink from the alpha channel.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import UserError
from .shapes import IMAGE_SIDE

SIDE = IMAGE_SIDE
BOX = 20              # pixels: MNIST fits each digit into a 20x20 box, then pads to 28x28
MIN_SIDE = 8          # pixels; below this there is no digit to see
INK_THRESHOLD = 0.2   # of full ink: fainter pixels are paper texture or noise
MIN_CONTRAST = 0.15   # the whole image must hold at least this much ink somewhere


def load_digit(path: str | Path) -> np.ndarray:
    """The image at `path` as 784 values in [0, 1], row-major, ink bright."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such image")
    if path.is_dir():
        raise UserError(f"{path}: is a directory, not an image")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: empty file")
    try:
        with Image.open(path) as image:
            image.load()
            ink = ink_map(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise UserError(f"{path}: not a readable image ({err})") from None
    try:
        return mnist_style(ink)
    except UserError as err:
        raise UserError(f"{path}: {err}") from None


def ink_map(image: Image.Image) -> np.ndarray:
    """A float array in [0, 1] where 1 is full ink and 0 is bare paper."""
    if image.width < MIN_SIDE or image.height < MIN_SIDE:
        raise UserError(f"image is {image.width}x{image.height}, too small to hold a digit (need {MIN_SIDE}x{MIN_SIDE})")
    if "A" in image.getbands() or "transparency" in image.info:
        alpha = np.asarray(image.convert("RGBA").getchannel("A"), dtype=np.float64) / 255
        if alpha.min() < 1:  # a real cut-out: what is opaque is the ink
            return alpha
    grey = np.asarray(image.convert("L"), dtype=np.float64) / 255
    # The paper is what dominates the border; ink is whatever differs from it.
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    paper = float(np.median(border))
    ink = (paper - grey) if paper >= 0.5 else (grey - paper)
    return np.clip(ink, 0, None) / max(paper if paper >= 0.5 else 1 - paper, 1e-9)


def mnist_style(ink: np.ndarray) -> np.ndarray:
    """Crop to the ink, fit into 20x20 keeping aspect, centre by mass in 28x28."""
    if ink.max() < MIN_CONTRAST:
        raise UserError("blank image: no ink found")
    ink = ink / ink.max()
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    height, width = crop.shape
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # PIL's float mode resamples with antialiasing, as MNIST's own anti-aliased scaling did.
    boxed = np.asarray(Image.fromarray(crop.astype(np.float32), mode="F").resize(size, Image.LANCZOS), dtype=np.float64)
    boxed = np.clip(boxed, 0, 1)
    field = np.zeros((SIDE, SIDE))
    ys, xs = np.indices(boxed.shape)
    mass = boxed.sum()
    centre_y, centre_x = (ys * boxed).sum() / mass, (xs * boxed).sum() / mass
    top = int(round(SIDE / 2 - centre_y))
    left = int(round(SIDE / 2 - centre_x))
    # Keep the whole box inside the field even if its mass sits far off-centre.
    top = min(max(top, 0), SIDE - boxed.shape[0])
    left = min(max(left, 0), SIDE - boxed.shape[1])
    field[top:top + boxed.shape[0], left:left + boxed.shape[1]] = boxed
    return field.reshape(-1)
