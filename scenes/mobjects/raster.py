"""Vector drawings turned into pictures, for the frames where they only fade or change colour.

Cairo pays for a path on every frame it is drawn in, and a path of many crossing strokes
(an edge bundle: hundreds of lines meeting at the neurons) costs far more than its area,
since the stroke's outline is tessellated with all its crossings each time: a 16x16 bundle
takes 12 ms a frame at 1080p. Drawn once into a picture, at the very pixels the frame
has (same scale, box on whole pixels), it composites in about a millisecond
(scenes/camera.py) and looks the same, to a rounding step of 8-bit colour.

- `rasterise(mobject, box)`: the mobject as drawn, as a `Raster` (an `ImageMobject`).
- `coverage(vmobject)`: how much of each pixel its stroke covers; `Raster.tint(colour,
  opacity)` then draws it as Cairo would with that colour and opacity, and
  `retint` animates it as `.animate.set_stroke(colour, opacity=...)` would.
- `cross_fade(old, new)`: a picture of `old` turning into one of `new`, for a change that
  replaces one drawing by another (premultiplied, so an edge fades over the background,
  not through black).
- `fade_in_as_picture` / `fade_out_as_picture`: FadeIn / FadeOut of a group as one
  picture whose alpha is scaled; the same frames where its parts do not overlap.
A scene swaps the picture in for the animation and the vector mobject back after it, so
what stays on screen (and what tests read) is the vector drawing. Pictures are drawn at
the quality being rendered (config's pixels), when the scene makes them.
"""
from __future__ import annotations

import numpy as np
from manim import RESAMPLING_ALGORITHMS, ImageMobject, UpdateFromAlphaFunc, VMobject, config
from manim.utils.color import ManimColor
from PIL import Image

from nn_explainer.scenes.camera import BoxCamera

PAD = 3  # pixels around the bounding box: antialiasing and stroke caps reach beyond it


def pixel_box(*mobjects, pad: int = PAD) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) whole frame pixels around the mobjects' drawing,
    their widest stroke included, clipped to the frame."""
    scale = config.pixel_width / config.frame_width
    points = np.concatenate([m.get_all_points() for m in mobjects])
    stroke = max([getattr(m, "stroke_width", 0) or 0 for mob in mobjects for m in mob.get_family()] + [0])
    margin = stroke * 0.01 * scale / 2 + pad  # manim draws stroke width w as w/100 frame units
    xs = points[:, 0] * scale + config.pixel_width / 2
    ys = config.pixel_height / 2 - points[:, 1] * scale
    return (max(int(np.floor(xs.min() - margin)), 0), max(int(np.floor(ys.min() - margin)), 0),
            min(int(np.ceil(xs.max() + margin)), config.pixel_width),
            min(int(np.ceil(ys.max() + margin)), config.pixel_height))


def _draw(mobjects, box) -> np.ndarray:
    """Premultiplied RGBA (Cairo's own output) of the mobjects over transparency, in `box`."""
    left, top, right, bottom = box
    unit = config.frame_width / config.pixel_width
    centre = np.array([(left + right) / 2 - config.pixel_width / 2, config.pixel_height / 2 - (top + bottom) / 2,
                       0]) * unit
    # see-through: BoxCamera composites images premultiplied, as Cairo draws the rest
    camera = BoxCamera(pixel_width=right - left, pixel_height=bottom - top, frame_width=(right - left) * unit,
                       frame_height=(bottom - top) * unit, frame_center=centre, background_color="#000000",
                       background_opacity=0)
    camera.capture_mobjects(list(mobjects))
    return camera.pixel_array


def _straight(premultiplied: np.ndarray) -> np.ndarray:
    """Straight-alpha uint8 RGBA from premultiplied floats or bytes (what PIL composites)."""
    rgba = np.asarray(premultiplied, dtype=np.float32)
    alpha = rgba[..., 3:]
    rgb = np.where(alpha > 0, rgba[..., :3] * 255 / np.maximum(alpha, 1), 0)
    return np.concatenate([np.clip(np.rint(rgb), 0, 255), np.rint(alpha)], axis=-1).astype(np.uint8)


class Raster(ImageMobject):
    """A picture placed on whole frame pixels of `box`, drawn pixel for pixel."""

    def __init__(self, pixels: np.ndarray, box, **kwargs):
        super().__init__(pixels, **kwargs)
        self.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        self.box = box
        left, top, right, bottom = box
        # The camera's pixels are square, frame_width / pixel_width units a side (480p's
        # 854 x 480 is not quite 16:9: its frame is a little less than 8 units high).
        unit = config.frame_width / config.pixel_width
        self.stretch_to_fit_height((bottom - top) * unit).stretch_to_fit_width((right - left) * unit)
        # A thousandth of a pixel right and down: the camera truncates corner coordinates
        # to whole pixels, and a corner at 399.99999 would shift the picture by one.
        self.move_to(np.array([(left + right) / 2 - config.pixel_width / 2 + 1e-3,
                               config.pixel_height / 2 - (top + bottom) / 2 - 1e-3, 0]) * unit)
        self.coverage_mask = None

    def fade_in(self, **kwargs) -> UpdateFromAlphaFunc:
        """`FadeIn(picture)` as it looks (the alpha scaled from 0, the colours kept),
        without the float copy of every pixel that a Transform makes on each frame."""
        return UpdateFromAlphaFunc(self, lambda picture, alpha: picture.set_opacity(alpha), introducer=True,
                                   **kwargs)

    def fade_out(self, **kwargs) -> UpdateFromAlphaFunc:
        """`FadeOut(picture)`, as `fade_in` backwards; the picture leaves the scene."""
        return UpdateFromAlphaFunc(self, lambda picture, alpha: picture.set_opacity(1 - alpha), remover=True,
                                   **kwargs)

    def tint(self, colour, opacity: float) -> "Raster":
        """Draw the coverage mask in one colour at `opacity`, as Cairo strokes a path."""
        rgb = np.rint(np.asarray(ManimColor(colour).to_rgb(), dtype=np.float32) * 255)
        return self._tint_rgba(rgb, opacity)

    def _tint_rgba(self, rgb, opacity: float) -> "Raster":
        self.pixel_array[..., :3] = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
        self.pixel_array[..., 3] = np.rint(self.coverage_mask * opacity).astype(np.uint8)
        return self


def rasterise(*mobjects, box=None) -> Raster:
    """The mobjects as drawn now, as one picture (in `box`, default: around them)."""
    box = box or pixel_box(*mobjects)
    return Raster(_straight(_draw(mobjects, box)), box)


def fade_in_as_picture(scene, *mobjects, others=(), **kwargs) -> None:
    """Play `FadeIn` of the mobjects (and the animations `others` beside it) with one
    picture of them fading in (the alpha of each pixel scaled: where nothing overlaps,
    each mobject's own fade), then put the mobjects themselves on screen in its place."""
    picture = rasterise(*mobjects)
    scene.play(picture.fade_in(), *others, **kwargs)
    # in the picture's place in the drawing order, each on its own: an animation of one
    # later on redraws what lies after it, not its neighbours in a group
    place = scene.mobjects.index(picture)
    scene.mobjects[place:place + 1] = [m for m in mobjects if m not in scene.mobjects]


def fade_out_as_picture(scene, *mobjects, **kwargs) -> None:
    """Play `FadeOut` of the mobjects as one picture of them fading out."""
    picture = rasterise(*mobjects)
    # with their parts: a group's members may be on screen on their own (manim's remove
    # takes only what it is given off the screen)
    scene.remove(*[part for mobject in mobjects for part in mobject.get_family()])
    scene.play(picture.fade_out(), **kwargs)


def coverage(vmobject: VMobject, box=None) -> Raster:
    """A picture of how much of each pixel the vmobject's stroke covers (0-255), to be
    `tint`ed: its stroke drawn white and opaque, its fill left out."""
    box = box or pixel_box(vmobject)
    shape = vmobject.copy().set_fill(opacity=0).set_stroke("#ffffff", opacity=1)
    mask = _draw([shape], box)[..., 3].astype(np.float32)
    raster = Raster(np.zeros((*mask.shape, 4), dtype=np.uint8), box)
    raster.coverage_mask = mask
    return raster


def stroke_of(vmobject: VMobject) -> tuple[np.ndarray, float]:
    """(RGB 0-255 floats, opacity) of a one-colour stroke."""
    rgba = vmobject.get_stroke_rgbas()[0]
    return np.asarray(rgba[:3], dtype=np.float32) * 255, float(rgba[3])


def retint(raster: Raster, start: VMobject, colour, opacity: float, **kwargs) -> UpdateFromAlphaFunc:
    """`start.animate.set_stroke(colour, opacity=opacity)` drawn by the picture: colour
    and opacity interpolated linearly, as manim interpolates a stroke's RGBA."""
    rgb0, opacity0 = stroke_of(start)
    rgb1 = np.asarray(ManimColor(colour).to_rgb(), dtype=np.float32) * 255
    raster._tint_rgba(rgb0, opacity0)

    def update(mobject, alpha):
        mobject._tint_rgba(rgb0 + (rgb1 - rgb0) * alpha, opacity0 + (opacity - opacity0) * alpha)

    return UpdateFromAlphaFunc(raster, update, **kwargs)


def _premultiplied_image(pixels: np.ndarray) -> Image.Image:
    height, width = pixels.shape[:2]
    return Image.frombuffer("RGBa", (width, height), np.ascontiguousarray(pixels).tobytes(), "raw", "RGBa", 0, 1)


def cross_fade(old, new, box=None, **kwargs) -> tuple[Raster, UpdateFromAlphaFunc]:
    """(a picture of `old`, an animation turning it into a picture of `new`). `old`
    None: `new` fades in from nothing. Blended premultiplied (PIL's "RGBa", in C: a
    tenth of the time numpy takes), so an edge fades over the background, not through black."""
    box = box or pixel_box(*[m for m in (old, new) if m is not None])
    after = _draw([new], box)
    before = np.zeros_like(after) if old is None else _draw([old], box)
    before, after = _premultiplied_image(before), _premultiplied_image(after)
    raster = Raster(np.array(before.convert("RGBA")), box)

    def update(mobject, alpha):
        mobject.pixel_array = np.asarray(Image.blend(before, after, float(alpha)).convert("RGBA"))

    return raster, UpdateFromAlphaFunc(raster, update, **kwargs)
