"""Benchmark: what ForwardPass costs to render, against two reference scenes.

Renders, side by side in one run and with the same settings (`manim render
--disable_caching`, each in a fresh process and a fresh media folder):
- `Floor` (one moving dot): what manim's pipeline costs per frame whatever is drawn;
- `NaiveForwardPass`: the same network drawn the obvious ManimCE way;
- our `ForwardPass`.
The reference scenes live outside the project (default ../shared/bench). Prints each
scene's wall time, video length and seconds per second of video, then the ratios the
targets are about, then how long building ForwardPass takes before its first frame.

    .venv/bin/python benchmarks/render_speed.py [--quality h] [--runs 1] [--bench DIR]

Last, it times H.264 encoding alone of one 1080p frame, ForwardPass's final picture
against a blank one: most of a render is encoding, and detailed frames cost more to
encode, which sets how close to the floor any scene of this network can get.

A script to run by hand, not a test: times depend on the machine.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def render(file: Path, scene: str, quality: str) -> tuple[float, float]:
    """(wall seconds, video seconds) of one `manim render` in a fresh media folder, run
    from the repository root so that every scene uses the project's manim.cfg."""
    import av

    with tempfile.TemporaryDirectory() as media:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "manim", "render", f"-q{quality}", "--disable_caching",
                        "--media_dir", media, "--progress_bar", "none", "-v", "WARNING", str(file), scene],
                       check=True, cwd=REPO)
        wall = time.perf_counter() - started
        video = next(Path(media).rglob(f"{scene}.mp4"))
        with av.open(str(video)) as container:
            length = container.duration / 1e6
    return wall, length


def build_seconds() -> float:
    """Seconds to construct ForwardPass's mobjects (the export read, the grid, the diagram)."""
    from manim import tempconfig

    from nn_explainer.scenes.beat import check_beats
    from nn_explainer.scenes.mobjects.network_diagram import NetworkDiagram
    from nn_explainer.scenes.mobjects.pixel_grid import PixelGrid
    from nn_explainer.scenes.settings import Settings

    with tempconfig({"format": "none"}):
        started = time.perf_counter()
        story = check_beats(("ForwardPass",), Settings())
        NetworkDiagram(story.network, story.example)
        PixelGrid(story.example.pixels)
        return time.perf_counter() - started


def encode_milliseconds(frame, count: int = 120) -> float:
    """Milliseconds to encode one RGBA frame with manim's settings (libx264, crf 23)."""
    import av

    with tempfile.TemporaryDirectory() as folder:
        with av.open(f"{folder}/probe.mp4", "w") as container:
            stream = container.add_stream("libx264", rate=60, options={"crf": "23"})
            stream.width, stream.height, stream.pix_fmt = frame.shape[1], frame.shape[0], "yuv420p"
            started = time.perf_counter()
            for index in range(count):
                video_frame = av.VideoFrame.from_ndarray(frame, format="rgba")
                video_frame.pts = index
                for packet in stream.encode(video_frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
            return (time.perf_counter() - started) / count * 1000


def final_frame():
    """ForwardPass's last frame at 1080p, drawn without rendering a video."""
    import numpy as np
    from manim import tempconfig

    from nn_explainer.scenes.chapter_one.forward_pass import ForwardPass

    with tempconfig({"quality": "high_quality", "format": "none", "verbosity": "ERROR", "progress_bar": "none"}):
        scene = ForwardPass(skip_animations=True)
        scene.render()
        scene.renderer.update_frame(scene)
        frame = scene.renderer.get_frame()
    blank = np.zeros_like(frame)
    blank[..., 3] = 255
    return frame, blank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", default="h", help="manim quality letter: l, m, h (1080p60), k")
    parser.add_argument("--runs", type=int, default=3, help="renders of each scene; the median is used")
    parser.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench")
    args = parser.parse_args()
    scenes = {
        "Floor": (args.bench / "floor_scene.py", "Floor"),
        "NaiveForwardPass": (args.bench / "naive_forward_pass.py", "NaiveForwardPass"),
        "ForwardPass": (REPO / "scenes" / "chapter_one" / "forward_pass.py", "ForwardPass"),
    }
    for file, _ in scenes.values():
        if not file.exists():
            sys.exit(f"render_speed: {file} not found (pass --bench DIR with the reference scenes)")
    walls = {name: [] for name in scenes}
    lengths = {}
    for _ in range(args.runs):  # interleaved, so a drift in machine speed hits all alike
        for name, (file, scene) in scenes.items():
            wall, lengths[name] = render(file, scene, args.quality)
            walls[name].append(wall)
    per_second = {}
    print(f"{'scene':<18} {'wall s (median, min-max)':>26} {'video s':>8} {'s per video s':>14}")
    for name in scenes:
        wall = statistics.median(walls[name])
        per_second[name] = wall / lengths[name]
        spread = f"{wall:.1f} ({min(walls[name]):.1f}-{max(walls[name]):.1f})"
        print(f"{name:<18} {spread:>26} {lengths[name]:8.1f} {per_second[name]:14.2f}")
    ours = per_second["ForwardPass"]
    print(f"ForwardPass / Floor, per second of video:           {ours / per_second['Floor']:.2f}x (target <= 1.10, same encoder settings)")
    print(f"NaiveForwardPass / ForwardPass, per second of video: {per_second['NaiveForwardPass'] / ours:.2f}x (target >= 3)")
    print(f"building ForwardPass before its first frame: {build_seconds():.2f} s (target < 1)")
    picture, blank = final_frame()
    print(f"encoding one 1080p frame: ForwardPass's picture {encode_milliseconds(picture):.1f} ms, "
          f"a blank frame {encode_milliseconds(blank):.1f} ms")


if __name__ == "__main__":
    main()
