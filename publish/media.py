"""The media folder: checked, locked, swept, and never escaped.

- `check_media_dir`: `--media-dir` must be a folder (or not exist yet), not a file.
- `inside`: every path we write (clip, poster, sidecar, sections, subtitles, gallery,
  manifest) is resolved and proved to lie inside the media folder before it is written;
  names come from validated scene names and example ids, and this is the proof.
- `exclusive`: one lock, `media/.lock`, held by `render` and `all` for their whole run,
  so two runs never write the same clips at once: `render` waits its turn, `all` refuses.
- `sweep`: work folders and temporaries left by killed runs (their pid is gone) are
  removed; those of a live run are left alone.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from nn_explainer.model.atomic import remove_stale
from nn_explainer.model.errors import UserError

LOCK_NAME = ".lock"


def check_media_dir(media_dir: Path) -> Path:
    media_dir = Path(media_dir)
    if media_dir.exists() and not media_dir.is_dir():
        raise UserError(f"--media-dir {media_dir}: is a file, not a folder")
    for parent in media_dir.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise UserError(f"--media-dir {media_dir}: {parent} is a file, not a folder")
            break
    return media_dir.resolve()


def inside(media_dir: Path, path: Path) -> Path:
    """`path`, resolved, if it lies inside `media_dir`; else refuse to write it."""
    root = Path(media_dir).resolve()
    resolved = Path(path).resolve()
    if resolved != root and root not in resolved.parents:
        raise UserError(f"{path}: would be written outside the media folder {root}; refused")
    return resolved


@contextmanager
def exclusive(media_dir: Path, wait: bool = False, who: str = "render.py all"):
    """Hold media/.lock for the run. With `wait`, queue behind another holder (saying so
    on stderr); without, refuse with one line."""
    media_dir = check_media_dir(media_dir)
    media_dir.mkdir(parents=True, exist_ok=True)
    handle = open(media_dir / LOCK_NAME, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise UserError(f"another `{who}` is running (it holds {media_dir / LOCK_NAME}); "
                                "wait for it to finish") from None
            print(f"waiting for another render to finish (it holds {media_dir / LOCK_NAME})",
                  file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield media_dir
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def sweep(media_dir: Path, clips_dir: str) -> None:
    """Remove what killed runs left under the media folder (see model.atomic)."""
    media_dir = Path(media_dir)
    remove_stale(media_dir)
    for quality in (media_dir / clips_dir).glob("*"):
        if quality.is_dir():
            remove_stale(quality)
            for sections in quality.glob("*.sections"):
                remove_stale(sections)


def check_replaceable(out_dir: Path, ours, what: str) -> None:
    """Refuse to replace a folder holding anything but `ours` (names of entries an
    earlier run of this command writes), or a file: never a folder of the user's own."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise UserError(f"{out_dir}: exists and is not a folder")
    foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in ours)
    if foreign:
        raise UserError(f"{out_dir}: holds files that are not {what} ({', '.join(foreign[:3])}); choose another --out")


def swap_folder_into_place(building: Path, out_dir: Path) -> None:
    """Rename a finished folder onto `out_dir`. A folder cannot be renamed over a
    non-empty one, so the old one is first renamed aside (into a folder named by our
    pid, swept if we are killed: model/atomic.py) and removed afterwards."""
    if not out_dir.exists():
        os.replace(building, out_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{os.getpid()}.", suffix=".tmp", dir=out_dir.parent))
    try:
        os.replace(out_dir, old / out_dir.name)
        try:
            os.replace(building, out_dir)
        except OSError:
            os.replace(old / out_dir.name, out_dir)  # put the old folder back
            raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(building, ignore_errors=True)
