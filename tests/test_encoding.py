"""Our encoder settings reach every clip, by render.py and by the stock manim CLI alike,
and joining clips never re-encodes them."""
import configparser
import os
import subprocess
import sys

import av
import numpy as np
import pytest
from PIL import Image

from conftest import REPO, run_cli
from nn_explainer.model.errors import UserError
from nn_explainer.publish import encoding


def x264_settings(path) -> str:
    """The settings string x264 writes into the first frame of every stream it encodes."""
    data = path.read_bytes()
    start = data.index(b"x264 - core")
    return data[start:data.index(b"\0", start)].decode()


def test_manim_cfg_holds_the_project_settings():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "manim.cfg")
    assert dict(cfg["video_encoder.options"]) == encoding.X264_OPTIONS
    assert cfg["CLI"].getint("max_inflight_encoders") == encoding.INFLIGHT_ENCODERS


def test_render_py_and_the_stock_cli_encode_with_them(tmp_path):
    result = run_cli("render", "OneNeuronsWeights", "--media-dir", tmp_path / "ours")
    assert result.returncode == 0, result.stderr
    ours = x264_settings(tmp_path / "ours/clips/low/OneNeuronsWeights.mp4")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    stock = subprocess.run([sys.executable, "-m", "manim", "render", "-ql", "--disable_caching",
                            "--media_dir", str(tmp_path / "stock"), "scenes/chapter_one/one_neurons_weights.py",
                            "OneNeuronsWeights"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert stock.returncode == 0, stock.stderr
    theirs = x264_settings(next((tmp_path / "stock").rglob("OneNeuronsWeights.mp4")))
    for settings in (ours, theirs):
        assert "crf=21.0" in settings and "bframes=5" in settings and "psy_rd=0.40" in settings
        assert "aq=1:0.60" in settings and "deblock=1:1:1" in settings
        assert "me=hex" in settings and "subme=2" in settings  # what preset veryfast sets
        assert "chroma_qp_offset=-2" in settings  # what preset medium's psy-rd would have set
    # VP9 (transparent webm) refuses x264's options by name; manim.cfg holds none it refuses
    webm = subprocess.run([sys.executable, "-m", "manim", "render", "-ql", "--disable_caching", "--format", "webm",
                           "--media_dir", str(tmp_path / "webm"), "scenes/chapter_one/one_neurons_weights.py",
                           "OneNeuronsWeights"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert webm.returncode == 0, webm.stderr


def tiny_clip(path, colours, size=(64, 48), rate=15):
    """A clip with one flat frame per colour, encoded with the project's settings."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=rate, options=dict(encoding.X264_OPTIONS))
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        for index, colour in enumerate(colours):
            frame = av.VideoFrame.from_ndarray(np.full((size[1], size[0], 3), colour, np.uint8), format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def frames(path):
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_joined_clips_decode_to_their_own_frames_in_order(tmp_path):
    first, second = tmp_path / "a.mp4", tmp_path / "b.mp4"
    tiny_clip(first, [(200, 30, 30)] * 7 + [(30, 200, 30)] * 5)
    tiny_clip(second, [(30, 30, 200)] * 9)
    encoding.concatenate([first, second], tmp_path / "joined.mp4", "mp4")
    joined = frames(tmp_path / "joined.mp4")
    own = frames(first) + frames(second)
    assert len(joined) == len(own) == 21
    assert all(np.array_equal(a, b) for a, b in zip(joined, own))  # copied, not re-encoded
    with av.open(str(tmp_path / "joined.mp4")) as container:
        assert container.duration / 1e6 == pytest.approx(21 / 15, abs=0.01)


def test_clips_encoded_differently_are_refused(tmp_path):
    tiny_clip(tmp_path / "a.mp4", [(10, 10, 10)] * 3)
    tiny_clip(tmp_path / "b.mp4", [(10, 10, 10)] * 3, size=(32, 48))
    with pytest.raises(UserError, match="encoded unlike the clips before it"):
        encoding.concatenate([tmp_path / "a.mp4", tmp_path / "b.mp4"], tmp_path / "joined.mp4", "mp4")


def test_joined_gifs_keep_every_frame_and_its_colours(tmp_path):
    colours = [[(255, 0, 0), (0, 255, 0)], [(0, 0, 255), (0, 0, 128), (0, 0, 64)]]
    for name, frame_colours in zip("ab", colours):
        images = [Image.new("RGB", (20, 10), colour) for colour in frame_colours]
        images[0].save(tmp_path / f"{name}.gif", save_all=True, append_images=images[1:], duration=60, loop=0)
    encoding.concatenate([tmp_path / "a.gif", tmp_path / "b.gif"], tmp_path / "joined.gif", "gif")
    with Image.open(tmp_path / "joined.gif") as gif:
        seen, milliseconds = [], 0
        for index in range(gif.n_frames):
            gif.seek(index)
            seen.append(gif.convert("RGB").getpixel((5, 5)))
            milliseconds += gif.info["duration"]
    assert seen == [(255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 0, 128), (0, 0, 64)]
    assert milliseconds == 5 * 60


def test_a_held_frame_converted_once_gives_the_same_file(tmp_path):
    """render.py's writer converts a held frame once, not once per repeat: x264 gets the
    same pictures, so the file is byte for byte what manim's own encoder writes."""
    from fractions import Fraction

    from manim._config.video_encoder import VideoEncoderSpec
    from manim.scene.video_segment_encoder import VideoSegmentEncoder

    from nn_explainer.publish.frame_writer import HeldFrameEncoder

    spec = VideoEncoderSpec(container_format="mp4", codec="libx264", pixel_format="yuv420p", width=96, height=64,
                            frame_rate=Fraction(15), options=tuple(encoding.X264_OPTIONS.items()))
    rng = np.random.default_rng(1)
    frames = [(rng.integers(0, 256, (64, 96, 4), dtype=np.uint8), repeat) for repeat in (1, 20, 1, 1, 35, 3)]
    digests = []
    for kind in (VideoSegmentEncoder, HeldFrameEncoder):
        target = tmp_path / f"{kind.__name__}.mp4"
        encoder = kind(target=target, spec=spec)
        for pixels, repeat in frames:
            encoder.write_frame(pixels, repeat=repeat)
        encoder.finish()
        digests.append(target.read_bytes())
    assert digests[0] == digests[1]
    assert len(frames_of(tmp_path / "HeldFrameEncoder.mp4")) == 61


def frames_of(path):
    with av.open(str(path)) as container:
        return [frame for frame in container.decode(video=0)]


def test_render_py_writes_holds_through_the_once_converted_path(tmp_path, monkeypatch):
    from nn_explainer.publish.clips import render_clip
    from nn_explainer.publish.frame_writer import HeldFrameEncoder
    from nn_explainer.publish.requests import RenderRequest

    repeats, write = [], HeldFrameEncoder.write_frame
    monkeypatch.setattr(HeldFrameEncoder, "write_frame",
                        lambda self, pixels, repeat=1: (repeats.append(repeat), write(self, pixels, repeat=repeat)))
    render_clip(RenderRequest("OneNeuronsWeights", media_dir=tmp_path))
    assert max(repeats) > 15  # the beat's holds: one conversion each, many frames


@pytest.mark.parametrize("rate", [15, 60])
def test_a_gif_plays_as_long_as_its_video(tmp_path, rate):
    """A GIF's delays are hundredths of a second; 1000/15 ms rounded frame by frame
    (60 ms) played a 2 s clip in 1.8 s. The summed delays must equal the video's length."""
    frames = 2 * rate   # two seconds of video
    tiny_clip(tmp_path / "clip.mp4", [(index * 4 % 256, 0, 255 - index * 4 % 256) for index in range(frames)],
              rate=rate)
    encoding.make_gif(tmp_path / "clip.mp4", tmp_path / "clip.gif")
    with Image.open(tmp_path / "clip.gif") as gif:
        delays = []
        for index in range(gif.n_frames):
            gif.seek(index)
            delays.append(gif.info["duration"])
    assert sum(delays) == 2000


def thin_coloured_lines(size=(640, 360), moving=30, held=45):
    """Frames like the network's edges: thin blue and red lines on the dark background,
    fading in while they slide, then held still (a beat's `wait`)."""
    from PIL import ImageDraw

    rng = np.random.default_rng(21)
    width, height = size
    lines = [(*rng.uniform(0, width, 2), *rng.uniform(0, height, 2), bool(rng.integers(2)), rng.uniform(0.3, 1),
              int(rng.integers(1, 3))) for _ in range(120)]

    def frame(t):
        image = Image.new("RGB", size, (0, 0, 0))
        pen = ImageDraw.Draw(image, "RGBA")
        for x0, x1, y0, y1, red, opacity, line_width in lines:
            colour = (252, 98, 85) if red else (88, 196, 221)  # style.py's negative and positive edges
            pen.line([x0 + t, y0, x1 + t, y1], fill=(*colour, int(255 * opacity * min(1, 2 * t / moving))),
                     width=line_width)
        return np.asarray(image)

    return [frame(t) for t in range(moving)] + [frame(moving - 1)] * held


def encoded_planes(frames, options, path):
    """(Y, U, V) planes of each frame once encoded with `options`, and the file's bytes."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=60, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index, pixels in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    planes = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            yuv = frame.to_ndarray(format="yuv420p").astype(np.float64)
            chroma = yuv[height:].reshape(2, height // 2, -1)
            planes.append((yuv[:height], chroma[0], chroma[1]))
    return planes, path.stat().st_size


def test_thin_coloured_lines_get_chroma_bits_of_their_own(tmp_path):
    """The edges' colour lives in the chroma planes, which x264 codes more coarsely than
    luma unless told otherwise (issue 21: ForwardPass at 1080p60 lost 1.5 dB of U and V
    against manim's default). Our settings lower the chroma QP: against the same settings
    without that, U and V gain at least 0.5 dB over a lossless copy, luma stays, and the
    file grows by at most 15%."""
    frames = thin_coloured_lines()
    params = encoding.X264_OPTIONS["x264-params"]
    without = {**encoding.X264_OPTIONS,
               "x264-params": ":".join(p for p in params.split(":") if not p.startswith("chroma-qp-offset"))}
    lossless, _ = encoded_planes(frames, {"crf": "0", "preset": "ultrafast"}, tmp_path / "lossless.mp4")
    ours, our_bytes = encoded_planes(frames, dict(encoding.X264_OPTIONS), tmp_path / "ours.mp4")
    plain, plain_bytes = encoded_planes(frames, without, tmp_path / "plain.mp4")

    def psnr(planes, plane):
        errors = [((a[plane] - b[plane]) ** 2).mean() for a, b in zip(planes, lossless)]
        return float(np.mean([10 * np.log10(255 ** 2 / max(e, 1e-12)) for e in errors]))

    assert psnr(ours, 1) >= psnr(plain, 1) + 0.5 and psnr(ours, 2) >= psnr(plain, 2) + 0.5
    assert psnr(ours, 0) >= psnr(plain, 0) - 0.1
    assert our_bytes <= 1.15 * plain_bytes
