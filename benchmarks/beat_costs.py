"""Benchmark: what each beat costs per second of video, against the floor scene.

For the floor scene (one moving dot, ../shared/bench/floor_scene.py, rendered by the
stock `manim` CLI from the repository root, so with the project's manim.cfg) and for
every beat (`render.py render BEAT`, so with the project's writer), each in a fresh
process and media folder, prints:
- wall seconds and CPU seconds (all threads, x264's included) per second of video;
- the ratio of each to the floor's (target at 1080p60: wall at most 1.10x);
- drawing alone (`dry_run`: every frame drawn, none written), CPU seconds per second of
  video: what the beat itself costs beyond the writer, the part a beat's code can cut.
CPU seconds are steadier than wall seconds on a busy machine; both are printed.

    .venv/bin/python benchmarks/beat_costs.py [--quality high] [--scenes A,B] [--runs 1] [--export PATH] [--no-drawing]
A script to run by hand, not a test: times depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MANIM_QUALITY = {"low": "l", "medium": "m", "high": "h", "4k": "k"}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one command in a fresh process."""
    cpu, started = children_cpu(), time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, children_cpu() - cpu


def floor(quality: str, bench: Path) -> tuple[float, float, float]:
    import av

    with tempfile.TemporaryDirectory() as media:
        wall, cpu = timed([sys.executable, "-m", "manim", "render", f"-q{MANIM_QUALITY[quality]}", "--disable_caching",
                           "--media_dir", media, "--progress_bar", "none", str(bench / "floor_scene.py"), "Floor"])
        with av.open(str(next(Path(media).rglob("Floor.mp4")))) as container:
            return wall, cpu, container.duration / 1e6


def beat(name: str, quality: str, export: list[str]) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as media:
        wall, cpu = timed([sys.executable, str(REPO / "render.py"), "render", name, "--quality", quality,
                           "--media-dir", media, *export])
        # another export's clip is NAME_net-EXPORT.mp4
        record = json.loads(next(Path(media).rglob(f"{name}*.mp4.json")).read_text())
        return wall, cpu, record["duration"]


DRAW_ONLY = """
import sys, time
sys.path.insert(0, {repo!r})
from manim import tempconfig
from nn_explainer.scenes.outline import scene_class
from nn_explainer.scenes.settings import Settings
with tempconfig({{"quality": {quality!r}, "dry_run": True, "disable_caching": True, "verbosity": "ERROR",
                 "progress_bar": "none"}}):
    scene = scene_class({name!r})(settings=Settings(**{settings!r}))
    started = time.process_time()
    scene.render()
    print(time.process_time() - started, scene.renderer.time)
"""


def drawing(name: str, quality: str, export: Path | None) -> float:
    """CPU seconds per video second to draw every frame of the beat, writing none."""
    manim_quality = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality",
                     "4k": "fourk_quality"}[quality]
    out = subprocess.run([sys.executable, "-c", DRAW_ONLY.format(repo=str(REPO), quality=manim_quality, name=name,
                                                                        settings={"export": str(export)} if export else {})],
                         cwd=REPO, check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]) / float(out[1])


def main() -> None:
    from nn_explainer.scenes.outline import BEATS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", default="high", choices=list(MANIM_QUALITY))
    parser.add_argument("--scenes", default=",".join(beat.name for beat in BEATS))
    parser.add_argument("--runs", type=int, default=1, help="rounds; medians are used")
    parser.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench")
    parser.add_argument("--export", type=Path, help="draw this export (a CNN's, for the convolution beats)")
    parser.add_argument("--no-drawing", action="store_true",
                        help="leave out the drawing-only column (it draws every frame once more: for a whole chapter, minutes)")
    args = parser.parse_args()
    names = args.scenes.split(",")
    export = ["--export", str(args.export.resolve())] if args.export else []
    # warm the glyph cache, as for any render after the first
    subprocess.run([sys.executable, str(REPO / "render.py"), "render", *names, "--media-dir",
                    tempfile.mkdtemp(), *export], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    runs = {name: [] for name in ["Floor", *names]}
    for _ in range(args.runs):  # interleaved, so a drift in machine speed hits all alike
        runs["Floor"].append(floor(args.quality, args.bench))
        for name in names:
            runs[name].append(beat(name, args.quality, export))

    def per_second(name):
        wall = statistics.median(w / d for w, _, d in runs[name])
        cpu = statistics.median(c / d for _, c, d in runs[name])
        return wall, cpu, runs[name][0][2]

    floor_wall, floor_cpu, _ = per_second("Floor")
    print(f"-q {args.quality}, {args.runs} round(s); per second of video")
    print(f"{'scene':<20} {'video s':>7} {'wall':>6} {'x floor':>7} {'CPU':>6} {'x floor':>7} {'drawing CPU':>11}")
    print(f"{'Floor':<20} {runs['Floor'][0][2]:7.1f} {floor_wall:6.2f} {1:7.2f} {floor_cpu:6.2f} {1:7.2f}")
    for name in names:
        wall, cpu, length = per_second(name)
        drawn = "" if args.no_drawing else f"{drawing(name, args.quality, args.export.resolve() if args.export else None):11.2f}"
        print(f"{name:<20} {length:7.1f} {wall:6.2f} {wall / floor_wall:7.2f} {cpu:6.2f} {cpu / floor_cpu:7.2f} {drawn}",
              flush=True)


if __name__ == "__main__":
    main()
