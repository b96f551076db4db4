"""Pictures standing in for vector drawings (scenes/mobjects/raster.py) and the camera that
composites them (scenes/camera.py) draw the frame the viewer would see anyway: compared
pixel by pixel with manim's own drawing."""
import numpy as np
import pytest
from manim import (LEFT, ORIGIN, RESAMPLING_ALGORITHMS, RIGHT, UP, Circle, Group, ImageMobject, VGroup, VMobject,
                   tempconfig)
from manim.camera.camera import Camera

from nn_explainer.scenes import style
from nn_explainer.scenes.camera import BoxCamera
from nn_explainer.scenes.mobjects.pixel_grid import line_points
from nn_explainer.scenes.mobjects.raster import coverage, cross_fade, rasterise, retint

LOW = {"quality": "low_quality", "format": "none", "verbosity": "ERROR"}


def frame(camera_class, *mobjects, background=None, **options):
    camera = camera_class(**options)
    camera.reset()
    if background is not None:
        camera.pixel_array[:] = background
    camera.capture_mobjects(list(mobjects))
    return camera.pixel_array.astype(int)


def bundle(colour=style.PIXEL_STROKE, opacity=0.5, width=0.8):
    """16 x 16 crossing lines, as ParameterCount draws a layer's edges."""
    ys = np.linspace(-2, 2, 16)
    starts = np.stack([np.full(16, -2.0), ys, np.zeros(16)], 1)
    ends = np.stack([np.full(16, 1.5), ys * 0.8 + 0.3, np.zeros(16)], 1)
    pairs = np.array([(s, e) for e in range(16) for s in range(16)])
    path = VMobject(stroke_color=colour, stroke_width=width, stroke_opacity=opacity)
    return path.set_points(line_points(starts[pairs[:, 0]], ends[pairs[:, 1]]))


def test_the_box_camera_composites_images_as_manim_does():
    rng = np.random.default_rng(1)
    with tempconfig(LOW):
        background = rng.integers(0, 256, (Camera().pixel_height, Camera().pixel_width, 4), dtype=np.uint8)
        for height, place, turn in [(4.5, ORIGIN, 0), (1.4, LEFT * 6.8 + UP * 3.8, 0), (2, RIGHT * 2, 0.3),
                                    (3, RIGHT * 8, 0)]:
            image = ImageMobject(rng.integers(0, 256, (37, 23, 4), dtype=np.uint8))
            image.height = height
            image.move_to(place).rotate(turn)
            image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
            assert np.array_equal(frame(Camera, image, background=background),
                                  frame(BoxCamera, image, background=background)), (height, place)
        # a picture on the frame's own pixels, which the box camera does not resample
        picture = rasterise(VGroup(bundle(style.POSITIVE, 0.9, 2.0), Circle().set_fill(style.NEGATIVE, 0.5)))
        assert np.array_equal(frame(Camera, picture, background=background),
                              frame(BoxCamera, picture, background=background))
        camera = BoxCamera()
        assert camera._resampled(picture)[0].tobytes() == picture.pixel_array.tobytes()  # as is: not resampled


def test_a_tinted_coverage_draws_the_stroke_cairo_draws():
    with tempconfig(LOW):
        for colour, opacity in [(style.PIXEL_STROKE, 0.5), (style.HIGHLIGHT, 0.9)]:
            lines = bundle(colour, opacity)
            picture = coverage(lines).tint(colour, opacity)
            drawn, seen = frame(Camera, lines), frame(BoxCamera, picture)
            assert np.abs(drawn - seen).max() <= 2  # a rounding step of 8-bit colour
            assert (drawn[..., :3] > 20).sum() > 1000  # and there is something to see


def test_retint_passes_through_the_colours_manim_interpolates():
    with tempconfig(LOW):
        lines = bundle()
        picture = coverage(lines)
        animation = retint(picture, lines, style.HIGHLIGHT, 0.9)
        animation.update_mobjects(0)
        animation.interpolate(0.5)
        halfway = lines.copy()
        halfway.interpolate_color(lines, lines.copy().set_stroke(style.HIGHLIGHT, opacity=0.9), 0.5)
        assert np.abs(frame(BoxCamera, picture) - frame(Camera, halfway)).max() <= 2


def test_a_rasterised_group_and_a_cross_fade_end_on_the_drawings():
    with tempconfig(LOW):
        old = VGroup(bundle(style.POSITIVE, 0.9, 2.0), Circle(radius=0.5).set_fill(style.NEGATIVE, 0.6))
        new = VGroup(bundle(style.NEGATIVE, 0.4, 1.0).shift(UP * 0.2))
        assert np.abs(frame(BoxCamera, rasterise(old)) - frame(Camera, old)).max() <= 2
        # a picture among the vectors (a heatmap) is drawn into the picture as Cairo draws
        cells = ImageMobject(np.random.default_rng(2).integers(0, 256, (28, 28, 4), dtype=np.uint8))
        cells.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        cells.height = 2
        mixed = Group(cells, Circle(radius=1.2).set_stroke(style.PIXEL_STROKE, 3, opacity=0.6))
        assert np.abs(frame(BoxCamera, rasterise(mixed)) - frame(Camera, mixed)).max() <= 2
        picture, animation = cross_fade(old, new)
        animation.begin()
        for alpha, drawing in [(0, old), (1, new)]:
            animation.interpolate(alpha)
            assert np.abs(frame(BoxCamera, picture) - frame(Camera, drawing)).max() <= 2, alpha
        animation.interpolate(0.5)
        assert 0 < frame(BoxCamera, picture)[..., :3].sum() < frame(Camera, old, new)[..., :3].sum()


def test_over_a_see_through_frame_pictures_are_drawn_as_cairo_draws_there():
    """A transparent render: Cairo leaves premultiplied pixels, and a picture standing in
    for vectors must leave the same (manim's straight-alpha image composite would not)."""
    with tempconfig(LOW):
        lines = VGroup(bundle(style.PIXEL_STROKE, 0.5), Circle(radius=0.7).set_fill(style.NEGATIVE, 0.4))
        clear = {"background_opacity": 0}
        drawn, seen = frame(Camera, lines, **clear), frame(BoxCamera, rasterise(lines), **clear)
        assert np.abs(drawn - seen).max() <= 2
        assert (drawn[..., 3] < 200).sum() > 1000 and (drawn[..., 3] > 0).sum() > 1000  # see-through parts drawn
