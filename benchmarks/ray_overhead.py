"""Benchmark: what `render.py all --engine ray` costs over the local process pool.

1. The same clip set, from nothing (a fresh media folder each time), rendered by
   `render.py all` as a user runs it, once per engine and run, the engines taking
   turns: wall time of the whole command (Ray's start and shutdown included), and the
   ratio ray / local (target: at most 1.15 on the 2-core machine).
2. Ray's own cost per task on a local instance: 50 empty tasks one after another (the
   round trip a clip pays) and 50 at once; and what starting and stopping Ray costs.

    .venv/bin/python benchmarks/ray_overhead.py [--quality low] [--scenes A B ...] [--runs 1] [--jobs 2]

A script to run by hand, not a test: times depend on the machine and its load.
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

EMPTY_TASKS = 50


def render_all(engine: str, scenes: list[str], quality: str, jobs: int) -> tuple[float, dict[str, float]]:
    """Wall seconds of one `render.py all` from nothing, and each clip's render seconds."""
    import json

    from nn_explainer.model import paths

    with tempfile.TemporaryDirectory(prefix="ray-overhead-") as media:
        started = time.perf_counter()
        subprocess.run([sys.executable, str(REPO / "render.py"), "all", "--engine", engine, "--export",
                        str(paths.DEFAULT_EXPORT), "--scenes", *scenes, "--quality", quality, "--jobs", str(jobs),
                        "--media-dir", media], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        clips = json.loads((Path(media) / "manifest.json").read_text())["clips"]
    return wall, {clip["scene"]: clip["seconds_to_render"] for clip in clips}


def task_overhead(jobs: int) -> dict[str, float]:
    """Ray's own costs, in seconds: start, one empty task's round trip, 50 at once, stop."""
    import ray

    started = time.perf_counter()
    ray.init(address="local", num_cpus=jobs, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    start = time.perf_counter() - started

    @ray.remote(num_cpus=1)
    def empty():
        return None

    ray.get([empty.remote() for _ in range(jobs)])  # workers started: what a long run pays once
    started = time.perf_counter()
    for _ in range(EMPTY_TASKS):
        ray.get(empty.remote())
    sequential = (time.perf_counter() - started) / EMPTY_TASKS
    started = time.perf_counter()
    ray.get([empty.remote() for _ in range(EMPTY_TASKS)])
    batch = time.perf_counter() - started
    started = time.perf_counter()
    ray.shutdown()
    return {"start": start, "per_task": sequential, "batch": batch, "stop": time.perf_counter() - started}


def main() -> None:
    from nn_explainer.scenes.outline import BEATS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", default="low", choices=["low", "medium", "high", "4k"])
    parser.add_argument("--scenes", nargs="+", default=[beat.name for beat in BEATS], help="default: every beat")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    walls: dict[str, list[float]] = {"local": [], "ray": []}
    per_clip: dict[str, float] = {}
    print(f"{len(args.scenes)} clips at {args.quality} quality, {args.jobs} workers, {args.runs} run(s) each")
    for run in range(args.runs):
        for engine in (("local", "ray") if run % 2 == 0 else ("ray", "local")):  # take turns: drift hits both
            wall, seconds = render_all(engine, args.scenes, args.quality, args.jobs)
            walls[engine].append(wall)
            if engine == "local":
                per_clip = seconds
            print(f"  run {run + 1} {engine:<5} {wall:7.1f} s  (clip render times add up to "
                  f"{sum(seconds.values()):.1f} s)", flush=True)
    local, ray_ = statistics.median(walls["local"]), statistics.median(walls["ray"])
    print(f"local pool {local:.1f} s, Ray {ray_:.1f} s: ratio {ray_ / local:.3f} (target <= 1.15)")
    print("per clip (local engine, render seconds): "
          + ", ".join(f"{scene} {seconds:.1f}" for scene, seconds in sorted(per_clip.items())))

    costs = task_overhead(args.jobs)
    print(f"Ray on this machine: start {costs['start']:.2f} s, stop {costs['stop']:.2f} s; an empty task's "
          f"round trip {1000 * costs['per_task']:.1f} ms; {EMPTY_TASKS} empty tasks at once "
          f"{1000 * costs['batch']:.0f} ms ({1000 * costs['batch'] / EMPTY_TASKS:.2f} ms each)")


if __name__ == "__main__":
    main()
