"""Does drawing cost grow with the network? ForwardPass at 480p15 for the default
network, the widest one `train` allows (one hidden layer of 4096) and the deepest (six
layers of 16), timed side by side, plus the time to build the first frame.

    .venv/bin/python benchmarks/network_shapes.py [--rounds 3] [--keep DIR]

Trains each network for one epoch first (the weights' quality does not change the
drawing), renders interleaved rounds, and prints medians. Targets (issue 10): the widest
within 1.2x of the default's render time and under 1 s to build its first frame; six
hidden layers within 1.5x of two.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SHAPES = {"default 16-16": (16, 16), "widest 4096": (4096,), "six layers of 16": (16,) * 6}


def train(folder: Path) -> dict[str, Path]:
    from nn_explainer.model.pipeline import run_training
    from nn_explainer.model.train import TrainConfig

    exports = {}
    for name, hidden in SHAPES.items():
        export = folder / f"{hidden[0]}x{len(hidden)}.json"
        if not export.exists():
            started = time.perf_counter()
            run_training(TrainConfig(hidden=hidden, epochs=1), export.with_suffix(".safetensors"), export, progress=False)
            print(f"trained {name} in {time.perf_counter() - started:.1f} s ({export.stat().st_size / 1e6:.1f} MB export)")
        exports[name] = export
    return exports


def build_seconds(export: Path) -> tuple[float, float]:
    """(seconds to read and verify the export, seconds to build ForwardPass's mobjects)."""
    from manim import tempconfig

    from nn_explainer.scenes.mobjects.layout import digit_beside_network
    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.story import Story, _read

    _read.cache_clear()
    started = time.perf_counter()
    story = Story.read(Settings(export=export))
    read = time.perf_counter() - started
    with tempconfig({"format": "none", "verbosity": "ERROR"}):
        started = time.perf_counter()
        digit_beside_network(story, 7.3)
        return read, time.perf_counter() - started


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def render_seconds(export: Path, media: Path) -> tuple[float, float, float]:
    """(wall seconds of the whole command, its CPU seconds, seconds of video it made)."""
    import json
    import subprocess

    started, cpu = time.perf_counter(), children_cpu()
    subprocess.run([sys.executable, "render.py", "render", "ForwardPass", "--quality", "low", "--export", str(export),
                    "--media-dir", str(media)], check=True, capture_output=True,
                   cwd=Path(__file__).resolve().parent.parent)
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    sidecar = json.loads((media / "clips/low/ForwardPass.mp4.json").read_text())
    return wall, cpu, sidecar["duration"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the trained exports here (and reuse them)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="shapes-"))
    folder.mkdir(parents=True, exist_ok=True)
    exports = train(folder)
    for name, export in exports.items():
        read, build = build_seconds(export)
        print(f"{name:<18} export read+verify {read:6.2f} s   first frame built in {build:5.2f} s")
    times, cpus, lengths = {name: [] for name in exports}, {name: [] for name in exports}, {}
    for _ in range(args.rounds):  # interleaved, so drift hits every shape alike
        for name, export in exports.items():
            wall, cpu, lengths[name] = render_seconds(export, folder / "media")
            times[name].append(wall)
            cpus[name].append(cpu)
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpus.items()}
    base, base_cpu = medians["default 16-16"], cpu_medians["default 16-16"]
    base_rate = base / lengths["default 16-16"]
    for name, median in medians.items():
        rate = median / lengths[name]
        print(f"{name:<18} ForwardPass 480p15, whole command: median {median:5.2f} s "
              f"(min {min(times[name]):.2f}, max {max(times[name]):.2f})  {median / base:.2f}x the default; "
              f"CPU {cpu_medians[name]:.2f} s ({cpu_medians[name] / base_cpu:.2f}x); "
              f"{lengths[name]:.1f} s of video, {rate:.2f} s per video second ({rate / base_rate:.2f}x)")
    print("CPU seconds (all threads, x264's included) are steadier than wall seconds on a busy machine")


if __name__ == "__main__":
    main()
