"""The media folder: checked, locked, swept, and never escaped.

- `check_media_dir`: `--media-dir` must be a folder (or not exist yet), not a file.
- `inside`: every path we write (clip, poster, sidecar, sections, subtitles, gallery,
  manifest) is resolved and proved to lie inside the media folder before it is written;
  names come from validated scene names and example ids, and this is the proof.
- `exclusive`: one lock, `media/.lock`, held by every command that writes clips (`render`,
  `all`, `video`, `slides`, the Python API) for its whole run, so two runs never write the
  same clips at once: a second one waits its turn, saying which command holds the folder
  and for how long (the holder writes its command, pid and start into the lock file).
- `sweep`: work folders and temporaries left by killed runs (their pid is gone) are
  removed; those of a live run are left alone.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from nn_explainer.model.atomic import remove_stale
from nn_explainer.model.errors import UserError

LOCK_NAME = ".lock"
LOCK_NOTE_LIMIT = 4096  # bytes of the holder's line read back: it is ours, but the folder is the user's


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


def holder_of(lock: Path) -> str:
    """Who holds `lock`, as its holder wrote it: "`render.py render` (pid 123, for 12 s)".
    Written after the lock is taken and cleared when it is let go, so a waiter may find
    none (or a killed holder's line)."""
    try:
        text = lock.read_text(encoding="utf-8")[:LOCK_NOTE_LIMIT]
        command, pid, since = text.rsplit("\t", 2)
        held = max(0, round(time.time() - float(since)))
        return f"`{command.strip()}` (pid {int(pid)}, for {held} s)"
    except (OSError, ValueError):
        return "another command"


@contextmanager
def exclusive(media_dir: Path, who: str):
    """Hold media/.lock for the run of the command `who` (as a user would type it, e.g.
    "render.py all"), queueing behind another holder with one line on stderr naming it.
    Ctrl-C while queued leaves nothing behind: the lock file is the only thing touched."""
    media_dir = check_media_dir(media_dir)
    media_dir.mkdir(parents=True, exist_ok=True)
    lock = media_dir / LOCK_NAME
    handle = open(lock, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting: {holder_of(lock)} is writing to {media_dir}; `{who}` starts when it ends",
                  file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        _note(handle, f"{who}\t{os.getpid()}\t{time.time():.3f}")
        try:
            yield media_dir
        finally:
            _note(handle, "")   # a finished command leaves the folder as it found it
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _note(handle, text: str) -> None:
    """Write who holds the lock into it, for waiters; a note that cannot be written (a
    full disk) only makes a waiter say "another command"."""
    try:  # unbuffered: nothing is left to flush (and fail) when the file is closed
        os.ftruncate(handle.fileno(), 0)
        os.write(handle.fileno(), text.encode("utf-8"))   # appended (a+): at 0, just emptied
    except OSError:
        pass


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
