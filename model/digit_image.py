"""Turn a photo or drawing of a digit into a 28x28 MNIST-style input.

MNIST's digits were made this way (LeCun et al.): the ink's bounding box is scaled to
fit a 20x20 box keeping its aspect ratio, then placed in a 28x28 field so that its
centre of mass sits at the centre. We do the same, so a user's digit looks to the
network like the digits it was trained on. Any size works; RGB, greyscale or RGBA;
dark ink on light paper or light ink on dark.

How the ink is found (`ink_map`), in order:
1. An image with transparency (a canvas export): the ink is what is opaque (alpha).
2. Otherwise brightness: which is ink, dark or light, is decided by which way the
   pixels furthest from the paper around them lie (`dark_ink`); light ink is mirrored.
3. The paper's own brightness under each pixel is estimated as its local median over
   a window a quarter of the page wide, wider than any stroke (`paper_brightness`), so
   a shadow or a lamp at the side is paper, not ink; ink is the share of that light
   the pixel lacks (1 - grey / paper), so ink in shadow counts as much as ink in light.
4. The typical paper pixel is no ink, and the paper's noise, measured from the pixels
   brighter than their paper, is subtracted, so grain and sensor noise leave no veil.
5. `mnist_style` crops to the pixels with at least INK_THRESHOLD of the strongest ink.
benchmarks/photo_digits.py measures it on phone-like photos of real MNIST test digits.
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
INK_THRESHOLD = 0.3   # of full ink: fainter pixels are paper texture or noise
MIN_CONTRAST = 0.15   # the whole image must hold at least this much ink somewhere
COARSE_SIDE = 96      # pixels: the paper's lighting is estimated on the page this small
STROKE_WINDOW = 1 / 4  # of the page's longer side: wider than any pen stroke
NOISE_SIGMAS = 3      # ink fainter than this many standard deviations of the paper's noise is noise
HALF_NORMAL_MEDIAN = 0.6745  # the median of |x| for normal noise, in standard deviations
DARK_PAPER = 0.1      # of the typical paper's brightness: paper darker than this hides its ink

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
    if not dark_ink(grey):
        grey = 1 - grey  # light ink on dark paper: the same rules, mirrored
    # Ink absorbs a share of the light that reaches the paper, so dividing by the
    # paper's own brightness there leaves the ink alone, however the page is lit. The
    # typical paper pixel (the median: paper is most of a page) is what counts as no ink.
    paper = paper_brightness(grey)
    lit = grey / np.maximum(paper, 1e-6)
    ink = 1 - lit / max(float(np.median(lit)), 1e-6)
    # Where the paper itself is nearly black (the dark end of a gradient, a deep shadow)
    # dividing by it makes ink of anything: nothing there can be read.
    ink[paper < DARK_PAPER * float(np.median(paper))] = 0
    # Paper grain and sensor noise scatter both ways around no ink, and more so in a
    # shadow (divided by less light): the paper side (no ink or less) is only noise,
    # whose spread (robustly, from its median) says how far above zero noise reaches
    # too: no veil. A clean drawing's paper is exactly zero: no noise to subtract.
    below = -ink[ink <= 0]
    noise = NOISE_SIGMAS * float(np.median(below)) / HALF_NORMAL_MEDIAN if below.size else 0.0
    return np.clip((ink - noise) / max(1 - noise, 1e-6), 0, 1)


def _coarse(grey: np.ndarray) -> tuple[np.ndarray, int]:
    """The page at most COARSE_SIDE pixels wide, and the odd window (in its pixels) wider
    than any pen stroke: a stroke is narrower than a tenth of the digit, which is at
    most the page."""
    height, width = grey.shape
    scale = min(1.0, COARSE_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = Image.fromarray(grey.astype(np.float32), mode="F").resize(size, Image.BOX)
    return np.asarray(small, dtype=np.float64), max(3, round(max(size) * STROKE_WINDOW) | 1)


def _local_median(values: np.ndarray, window: int) -> np.ndarray:
    """The median of the window x window square around each point: strokes narrower than
    half the window vanish, in either colour, while what is larger (a shadow and its
    edge) stays where it is."""
    half = window // 2
    padded = np.pad(values, half, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, (window, window)), axis=(-2, -1))


def paper_brightness(grey: np.ndarray) -> np.ndarray:
    """The paper's brightness under each pixel, as if nothing were written on it: its
    local median over a window wider than any stroke, computed coarse and smoothed back
    to full size (a shadow or a lamp's fall-off is far larger than that window)."""
    small, window = _coarse(grey)
    paper = Image.fromarray(_local_median(small, window).astype(np.float32), mode="F")
    return np.asarray(paper.resize(grey.shape[::-1], Image.BILINEAR), dtype=np.float64)


def dark_ink(grey: np.ndarray) -> bool:
    """Whether the ink is darker than the paper: the pixels furthest from the paper
    around them lie below it rather than above."""
    small, window = _coarse(grey)
    differ = small - _local_median(small, window)
    return -float(np.percentile(differ, 0.5)) >= float(np.percentile(differ, 99.5))


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
BLOB_RADIUS = 0.15        # of the ink's extent: a stroke is thinner than twice this, a blob is not


def doubt(ink: np.ndarray) -> str | None:
    """Why an ink map looks little like a digit, or None. A digit is strokes: connected
    ink on bare paper, thin against its size. Scattered specks have no connected ink;
    a blot has ink thicker than any stroke. (Noise and a smooth gradient never get here:
    `ink_map` finds them no ink at all, and they are refused as blank.) The image is
    still used (the network reads anything); the user is told, and the caption says so.
    Heuristics, checked on 300 upscaled MNIST test digits (none doubted) and on specks
    and blots (tests/test_digit_image.py)."""
    image = Image.fromarray(ink.astype(np.float32), mode="F")
    scale = DOUBT_SIDE / max(image.size)
    if scale < 1:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.BOX)
    small = np.asarray(image, dtype=np.float64)
    mask = small > 0.5 * small.max()
    if not mask.any():
        return "no ink at all"
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
            return "a blob, not strokes"
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
