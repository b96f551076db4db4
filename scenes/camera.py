"""The camera every beat draws with: manim's, with images composited only where they lie.

manim 0.22 draws an `ImageMobject` by pasting it into a transparent image as large as the
frame and alpha-compositing that whole frame: about 13 ms at 1080p for any image, even a
28x28 heatmap (measured: 16 ms for an 800x700 image, 13 ms for a 28x28 one). `BoxCamera`
composites the same resampled image over the pixels it covers only. Outside that box the
stock composite adds a fully transparent pixel, which changes nothing, so the frame is the
same to the byte (tests/test_raster.py compares the two); only the work is smaller.
A picture already on whole pixels at its own size (raster.py's) skips the resampling,
which would hand it back unchanged. Over a see-through frame (a transparent render) an
image is composited premultiplied, as Cairo composites the vectors there.
`BeatScene` uses it, so render.py and the stock `manim` CLI draw alike.
"""
from __future__ import annotations

import numpy as np
from manim import RESAMPLING_ALGORITHMS
from manim.camera.camera import Camera
from manim.utils.space_ops import cross2d
from PIL import Image


class BoxCamera(Camera):
    def display_image_mobject(self, image_mobject, pixel_array) -> None:
        placed = self._resampled(image_mobject)
        if placed is None:
            return
        sub_image, (left, top) = placed
        # The part of the resampled image inside the frame (manim's paste clips the same way).
        x0, y0 = max(left, 0), max(top, 0)
        x1, y1 = min(left + sub_image.width, self.pixel_width), min(top + sub_image.height, self.pixel_height)
        if x1 <= x0 or y1 <= y0:
            return
        source = sub_image.crop((x0 - left, y0 - top, x1 - left, y1 - top))
        if self.background_opacity < 1:
            # Over a see-through frame Cairo's pixels are premultiplied (and written out
            # as they are): an image is composited the same way, so that it looks as the
            # vectors around it do, and as the vectors a picture stands in for did.
            composite_premultiplied(pixel_array[y0:y1, x0:x1], source)
            return
        region = Image.fromarray(np.ascontiguousarray(pixel_array[y0:y1, x0:x1]))
        pixel_array[y0:y1, x0:x1] = np.asarray(Image.alpha_composite(region, source))

    def _resampled(self, image_mobject):
        """(the image resampled to where it is drawn, its top-left pixel), or None where
        it covers no pixel: manim 0.22's own computation, step for step."""
        sub_image = Image.fromarray(image_mobject.get_pixel_array())
        original_coords = np.array([[0, 0], [sub_image.width, 0], [0, sub_image.height],
                                    [sub_image.width, sub_image.height]])
        target_coords = self.points_to_subpixel_coords(image_mobject, image_mobject.points)
        int_target_coords = target_coords.astype(np.int64)
        shift_vector = np.array([min(*[x for x, y in int_target_coords]), min(*[y for x, y in int_target_coords])])
        target_coords -= shift_vector
        int_target_coords -= shift_vector
        target_size = (max(*[x for x, y in int_target_coords]), max(*[y for x, y in int_target_coords]))
        if self._drawn_as_is(image_mobject, sub_image, target_coords, target_size):
            return sub_image, (int(shift_vector[0]), int(shift_vector[1]))
        ordered_vertices = [target_coords[i] for i in (0, 1, 3, 2)]
        sides = [ordered_vertices[(i + 1) % 4] - ordered_vertices[i] for i in range(4)]
        side_lengths_in_pixels = np.linalg.norm(sides, axis=1)
        longest_side_index = np.argmax(side_lengths_in_pixels)
        longest_side = sides[longest_side_index]
        longest_side_length_in_pixels = side_lengths_in_pixels[longest_side_index]
        if longest_side_length_in_pixels == 0:
            return None
        previous_side = sides[(longest_side_index - 1) % 4]
        next_side = sides[(longest_side_index - 1) % 4]  # sic: manim's own
        h1 = abs(cross2d(longest_side, previous_side)) / longest_side_length_in_pixels
        h2 = abs(cross2d(longest_side, next_side)) / longest_side_length_in_pixels
        if max(h1, h2) < 0.5:
            return None
        homography = []
        for (x, y), (X, Y) in zip(target_coords, original_coords, strict=True):
            homography.append([x, y, 1, 0, 0, 0, -X * x, -X * y])
            homography.append([0, 0, 0, x, y, 1, -Y * x, -Y * y])
        try:
            coefficients = np.linalg.solve(np.array(homography, dtype=np.float64),
                                           original_coords.reshape(8).astype(np.float64))
        except np.linalg.LinAlgError:
            return None
        sub_image = sub_image.transform(size=target_size, method=Image.Transform.PERSPECTIVE, data=coefficients,
                                        resample=image_mobject.resampling_algorithm)
        return sub_image, (int(shift_vector[0]), int(shift_vector[1]))

    @staticmethod
    def _drawn_as_is(image_mobject, sub_image, target_coords, target_size) -> bool:
        """Whether manim's resampling would hand back the picture itself: nearest
        neighbour, the same size, unturned, its corner less than half a pixel past a
        whole one (each output pixel centre then falls in the same source pixel). Such
        are the pictures of raster.py, placed on the frame's own pixels."""
        if image_mobject.resampling_algorithm != RESAMPLING_ALGORITHMS["nearest"]:
            return False
        width, height = sub_image.size
        if target_size != (width, height):
            return False
        corner = target_coords[0]
        expected = corner + np.array([[0, 0], [width, 0], [0, height], [width, height]])
        return bool(np.all((corner >= 0) & (corner < 0.49)) and np.abs(target_coords - expected).max() < 1e-3)


def composite_premultiplied(region: np.ndarray, image: Image.Image) -> None:
    """`image` (straight RGBA) over `region` (premultiplied RGBA bytes), in place, as Cairo
    composites a source over its surface."""
    source = np.asarray(image, dtype=np.float32)
    alpha = source[..., 3:] / 255
    below = region.astype(np.float32)
    over = np.concatenate([source[..., :3] * alpha, source[..., 3:]], axis=-1) + below * (1 - alpha)
    region[...] = np.clip(np.rint(over), 0, 255).astype(np.uint8)
