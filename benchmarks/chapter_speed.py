"""Benchmark: the whole chapter, as a user waits for it.

Times, each as a separate process in a fresh media folder:
1. the floor scene (one moving dot, ../shared/bench/floor_scene.py, through the stock
   `manim` CLI and the project's manim.cfg, as benchmarks/beat_costs.py renders it),
   before and after the Chapter: wall seconds per second of video, their mean. No scene
   of this encoder renders faster, and machines differ (0.80 s per video second on one,
   1.20 on another), so the Chapter's time means something only beside it;
2. `render.py render Chapter --quality Q` from nothing (the beats rendered in parallel,
   one per core, then joined): against its own duration, and against the floor's time
   for that duration (target at 1080p60: at most 0.75x the floor's time);
3. the same again with --force, from up-to-date beat clips (only the join; target: under 5 s);
4. `render.py all --scenes Chapter` with nothing changed (target: under 1 s).
The Chapter is narrated (`--voice auto`, the bundled voice when installed; `--voice none`
for the silent cut). The glyph cache (.cache/glyphs) and the narration's cache
(.cache/voice) are left as they are: pass --cold to empty both first, as in a fresh clone.

    .venv/bin/python benchmarks/chapter_speed.py [--quality high] [--voice auto|none] [--cold]
A script to run by hand, not a test: times depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from beat_costs import floor  # noqa: E402  (the floor, rendered as every benchmark here renders it)

FLOOR_TARGET = 0.75  # the Chapter from nothing, at most this share of the floor's time for its duration


def timed(*args) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "render.py"), *map(str, args)], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    from nn_explainer.model import paths

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", default="high", choices=["low", "medium", "high", "4k"])
    parser.add_argument("--cold", action="store_true", help="empty the glyph and voice caches first")
    parser.add_argument("--voice", default="auto", help="who narrates (render.py's --voice)")
    parser.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench",
                        help="the folder holding floor_scene.py")
    args = parser.parse_args()
    if args.cold:
        from nn_explainer.scenes.speech.voice import VOICE_CACHE

        shutil.rmtree(paths.GLYPH_CACHE, ignore_errors=True)
        shutil.rmtree(VOICE_CACHE, ignore_errors=True)
    common = ("--quality", args.quality, "--voice", args.voice)
    floors = [floor(args.quality, args.bench)]
    with tempfile.TemporaryDirectory() as media:
        fresh = timed("render", "Chapter", *common, "--media-dir", media)
        floors.append(floor(args.quality, args.bench))  # after too: a shared machine's load drifts
        record = json.loads(next(Path(media).rglob("Chapter.mp4.json")).read_text())
        joined = timed("render", "Chapter", *common, "--force", "--media-dir", media)  # --force: join again
        # `all` over the same clips: run once so its own bookkeeping (the export check) is
        # recorded, then time the run with nothing changed.
        timed("all", *common, "--scenes", "Chapter", "--media-dir", media)
        noop = timed("all", *common, "--scenes", "Chapter", "--media-dir", media)
    duration = record["duration"]
    floor_per_second = sum(wall / length for wall, _, length in floors) / len(floors)
    against_floor = fresh / (duration * floor_per_second)
    print(f"floor scene at {args.quality}: {floor_per_second:.2f} s per second of video "
          f"({', '.join(f'{wall / length:.2f}' for wall, _, length in floors)}: before, after)")
    print(f"Chapter at {args.quality}: {duration:.1f} s of video")
    print(f"  from nothing:          {fresh:6.1f} s  = {fresh / duration:.2f}x its duration, "
          f"{against_floor:.2f}x the floor's time for it (target: at most {FLOOR_TARGET}x: "
          f"{'met' if against_floor <= FLOOR_TARGET else 'missed'})")
    print(f"  from up-to-date beats: {joined:6.1f} s")
    print(f"  `all`, nothing changed: {noop:5.2f} s")


if __name__ == "__main__":
    main()
