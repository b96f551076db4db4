"""Benchmark: the whole chapter, as a user waits for it.

Times, each as a separate `render.py` process in a fresh media folder:
1. `render.py render Chapter --quality Q` from nothing (the beats rendered in parallel,
   one per core, then joined), against the chapter's own duration (target at 1080p60:
   at most 0.6x);
2. the same again, from up-to-date beat clips (only the join; target: under 5 s);
3. `render.py all` with nothing changed, for the same scenes (target: under 1 s).
The glyph cache (.cache/glyphs) is left as it is: pass --cold to empty it first, as in a
fresh clone.

    .venv/bin/python benchmarks/chapter_speed.py [--quality high] [--cold]
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


def timed(*args) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "render.py"), *map(str, args)], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    from model import paths

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", default="high", choices=["low", "medium", "high", "4k"])
    parser.add_argument("--cold", action="store_true", help="empty the glyph cache first")
    args = parser.parse_args()
    if args.cold:
        shutil.rmtree(paths.GLYPH_CACHE, ignore_errors=True)
    with tempfile.TemporaryDirectory() as media:
        fresh = timed("render", "Chapter", "--quality", args.quality, "--media-dir", media)
        record = json.loads(next(Path(media).rglob("Chapter.mp4.json")).read_text())
        joined = timed("render", "Chapter", "--quality", args.quality, "--media-dir", media)
        # `all` over the same clips: run once so its own bookkeeping (the export check) is
        # recorded, then time the run with nothing changed.
        timed("all", "--quality", args.quality, "--media-dir", media)
        noop = timed("all", "--quality", args.quality, "--media-dir", media)
    duration = record["duration"]
    print(f"Chapter at {args.quality}: {duration:.1f} s of video")
    print(f"  from nothing:          {fresh:6.1f} s  = {fresh / duration:.2f}x its duration")
    print(f"  from up-to-date beats: {joined:6.1f} s")
    print(f"  `all`, nothing changed: {noop:5.2f} s")


if __name__ == "__main__":
    main()
