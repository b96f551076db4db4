"""manim's video writer, converting a held frame once instead of once per repeat.

A `wait` (or any still stretch) hands manim's writer one frame to repeat N times; manim
0.22 builds a new `av.VideoFrame` from the RGBA array for every repeat, and the encoder
converts each to yuv420p again: at 1080p60 that conversion, not x264, is most of what
a held second costs (../shared/bench/README.md measured 17 ms vs 6 ms a frame). Here a
repeated frame is converted once and the same converted frame is encoded N times, with
consecutive timestamps. The encoder receives the very same pictures, so the file is the
same; only the work before it is done once. render.py uses this writer; the stock
`manim` CLI keeps manim's own.
"""
from __future__ import annotations

from fractions import Fraction

import av
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter
from manim.scene.video_segment_encoder import VideoSegmentEncoder

from nn_explainer.scenes.camera import BoxCamera


class HeldFrameEncoder(VideoSegmentEncoder):
    def write_frame(self, pixels, *, repeat: int = 1) -> None:
        if repeat == 1:
            return super().write_frame(pixels, repeat=repeat)
        self._validate_frame(pixels, repeat)
        time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
        try:
            frame = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(format=self.spec.pixel_format)
            for _ in range(repeat):
                frame.pts = self._next_pts  # the encoder keeps its own reference to each one sent
                frame.time_base = time_base
                self._next_pts += 1
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
        except BaseException as error:
            raise self._operation_error("encode", error) from error


class HeldFrameWriter(SceneFileWriter):
    """Also keeps the scene's sounds as a list (file, seconds into the scene) instead of
    mixing them with pydub: clips.produce lays the narration track itself, in the
    codec each format wants, for the clip and for each of its sections (audio_track.py)."""

    def init_audio(self) -> None:
        super().init_audio()
        self.sounds: list[tuple[str, float]] = []

    def add_sound(self, sound_file, time=None, gain=None, **kwargs) -> None:
        self.sounds.append((str(sound_file), float(time)))

    def _create_segment_encoder(self, target):
        if self.video_encoder is None:
            return super()._create_segment_encoder(target)
        return HeldFrameEncoder(target=target, spec=self.video_encoder)


def renderer() -> CairoRenderer:
    """A Cairo renderer writing with HeldFrameWriter and drawing with the beats' camera
    (scenes/camera.py): `Scene(renderer=renderer())`."""
    return CairoRenderer(file_writer_class=HeldFrameWriter, camera_class=BoxCamera)
