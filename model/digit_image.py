"""Turn a photo or drawing of a digit into a 28x28 MNIST-style input.

MNIST's digits were made this way (LeCun et al.): the ink's bounding box is scaled to
fit a 20x20 box keeping its aspect ratio, then placed in a 28x28 field so that its
centre of mass sits at the centre. We do the same, so a user's digit looks to the
network like the digits it was trained on. Any size works; RGB, greyscale or RGBA;
dark ink on light paper or light ink on dark. An image with transparency (a canvas
export) takes its ink from the alpha channel.
"""
from __future__ import annotations

import io
import struct
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from . import limits
from .errors import UserError
from .strict_json import read_capped
from .shapes import IMAGE_SIDE

SIDE = IMAGE_SIDE
BOX = 20              # pixels: MNIST fits each digit into a 20x20 box, then pads to 28x28
MIN_SIDE = 8          # pixels; below this there is no digit to see
INK_THRESHOLD = 0.2   # of full ink: fainter pixels are paper texture or noise
MIN_CONTRAST = 0.15   # the whole image must hold at least this much ink somewhere

# Pillow's own decompression-bomb guard, at our cap (it warns above it and refuses at twice).
Image.MAX_IMAGE_PIXELS = limits.MAX_IMAGE_PIXELS


def load_digit(path: str | Path) -> np.ndarray:
    """The image at `path` as 784 values in [0, 1], row-major, ink bright."""
    return read_digit(path)[0]


def read_digit(path: str | Path) -> tuple[np.ndarray, str | None]:
    """(the 784 values load_digit gives, why the image looks little like a digit or None)."""
    path = Path(path)
    raw = read_capped(path, limits.MAX_IMAGE_FILE_BYTES, "image")  # regular files only: never a FIFO
    if not raw:
        raise UserError(f"{path}: empty file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused just below, with its size
            image = Image.open(io.BytesIO(raw))
        with image:
            # The header's size is known before any pixel is decoded: refuse a bomb here.
            if image.width * image.height > limits.MAX_IMAGE_PIXELS:
                raise UserError(f"{path}: {image.width}x{image.height} pixels, over the limit of "
                                f"{limits.MAX_IMAGE_PIXELS:,} pixels")
            image.load()
            ink = ink_map(upright(image))
    except Image.DecompressionBombError:  # over twice the cap: Pillow refuses at open
        raise UserError(f"{path}: too many pixels, over the limit of {limits.MAX_IMAGE_PIXELS:,} pixels") from None
    except UnidentifiedImageError:  # Pillow's own words name its in-memory file object, not the user's file
        raise UserError(f"{path}: not a readable image (not in any image format Pillow knows: PNG, JPEG, GIF, "
                        "BMP, TIFF, WebP, ...)") from None
    except (OSError, SyntaxError, ValueError, struct.error) as err:
        raise UserError(f"{path}: not a readable image ({str(err).splitlines()[0] if str(err) else type(err).__name__})") from None
    try:
        return mnist_style(ink), doubt(ink)
    except UserError as err:
        raise UserError(f"{path}: {err}") from None


def upright(image: Image.Image) -> Image.Image:
    """The image as it is meant to be seen: a phone stores a photo sideways and says so
    in its EXIF orientation tag, which browsers honour and so must we."""
    return ImageOps.exif_transpose(image) or image


def grey_levels(image: Image.Image) -> np.ndarray:
    """Brightness in [0, 1] for any mode: 8-bit, 16-bit (I;16, I), float, palette, RGB."""
    if image.mode.startswith("I;16") or image.mode == "I":
        # 16-bit greyscale: convert("L") would clip everything over 255 to white.
        values = np.asarray(image, dtype=np.float64)
        full_scale = 65535.0 if image.mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        return np.clip(values / full_scale, 0, 1)
    if image.mode == "F":
        return np.clip(np.asarray(image, dtype=np.float64), 0, 1)
    if image.mode in ("P", "PA"):  # palette indices are not brightness: look the colours up
        image = image.convert("RGBA")
    return np.asarray(image.convert("L"), dtype=np.float64) / 255


def ink_map(image: Image.Image) -> np.ndarray:
    """A float array in [0, 1] where 1 is full ink and 0 is bare paper."""
    if image.width < MIN_SIDE or image.height < MIN_SIDE:
        raise UserError(f"image is {image.width}x{image.height}, too small to hold a digit (need {MIN_SIDE}x{MIN_SIDE})")
    if "A" in image.getbands() or "transparency" in image.info:
        alpha = np.asarray(image.convert("RGBA").getchannel("A"), dtype=np.float64) / 255
        if alpha.min() < 1:  # a real cut-out: what is opaque is the ink
            return alpha
    grey = grey_levels(image)
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


DOUBT_SIDE = 128          # pixels: the ink map is judged at this size at most (a photo's noise averages out)
BLOB_RADIUS = 0.15        # of the ink's extent: a stroke is thinner than twice this, a shade is not


def doubt(ink: np.ndarray) -> str | None:
    """Why an ink map looks little like a digit, or None. A digit is strokes: connected
    ink on bare paper, thin against its size. Random noise has no connected ink; a
    photo of a blank page or a colour gradient has ink over most of the page, or blobs
    no pen draws. The image is still used (the network reads anything); the user is
    told, and the caption says so. Heuristics, checked on 300 upscaled MNIST test digits
    (none doubted) and on noise and gradients (tests/test_digit_image.py)."""
    image = Image.fromarray(ink.astype(np.float32), mode="F")
    scale = DOUBT_SIDE / max(image.size)
    if scale < 1:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.BOX)
    small = np.asarray(image, dtype=np.float64)
    mask = small > 0.5 * small.max()
    if mask.mean() > 0.5:
        return "ink over most of the page"
    if _largest_connected(mask) < 0.3 * mask.sum():
        return "no connected ink, only specks"
    ys, xs = np.nonzero(mask)
    radius = round(BLOB_RADIUS * max(np.ptp(ys) + 1, np.ptp(xs) + 1))
    if radius >= 1:
        # What survives shrinking the ink by `radius` on every side is thicker than a stroke.
        core = Image.fromarray(mask.astype(np.uint8) * 255).filter(ImageFilter.MinFilter(2 * radius + 1))
        if (np.asarray(core) > 0).sum() > 0.25 * mask.sum():
            return "a shade across the page, not strokes"
    return None


def _largest_connected(mask: np.ndarray) -> int:
    """The pixel count of the largest 8-connected region of `mask` (small: DOUBT_SIDE)."""
    seen = np.zeros_like(mask)
    height, width = mask.shape
    largest = 0
    for y, x in zip(*np.nonzero(mask)):
        if seen[y, x]:
            continue
        seen[y, x] = True
        stack, size = [(y, x)], 0
        while stack:
            cy, cx = stack.pop()
            size += 1
            for ny in (cy - 1, cy, cy + 1):
                for nx in (cx - 1, cx, cx + 1):
                    if 0 <= ny < height and 0 <= nx < width and mask[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((ny, nx))
        largest = max(largest, size)
    return largest
