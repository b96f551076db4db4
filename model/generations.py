"""Publish a training run's files as one set: all of them at once, or none.

A run writes checkpoint, metrics, curve, export and snapshots. Renamed into place one
by one, a kill between two renames would leave a checkpoint of one run beside the
export of another. Instead each run builds a complete *generation* folder, and one
symlink, `current`, is switched to it with a single atomic rename:

    assets/checkpoints/network.generations/
        current -> gen-20250101T120000-4242       (the one switch)
        gen-20250101T120000-4242/network.safetensors, network.json, ...
    assets/checkpoints/network.safetensors -> network.generations/current/network.safetensors
    assets/export/network.json             -> ../checkpoints/network.generations/current/network.json

The published names (`paths.DEFAULT_EXPORT`, ...) are symlinks through `current`, so a
reader sees the old set or the new one, whatever instant a SIGTERM or SIGKILL lands.
A generation being built is named `.building-PID-...`; the next run removes those of
dead processes, and every generation but the current one once it has switched, except
`gen-committed`: the network the repository ships, kept so that a user's own training
run never deletes tracked files, and `render.py restore` can switch back to it.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from . import paths, test_seam
from .atomic import remove_stale
from .errors import UserError

CURRENT = "current"
GENERATION_PREFIX = "gen-"
COMMITTED = "gen-committed"   # the generation in git: never swept


def current_folder(folder: Path) -> Path | None:
    """The current generation's folder, or None before the first run."""
    current = Path(folder) / CURRENT
    return current.resolve() if current.is_dir() else None


def committed_in_use(checkpoint: Path) -> bool:
    """Whether `checkpoint` is the committed network: one the installed package ships, or
    in a clone the one published through `gen-committed` (so `restore` has nothing to do)."""
    if paths.is_shipped(checkpoint):
        return True
    current = current_folder(paths.generations_dir(checkpoint))
    return current is not None and current.name == COMMITTED


def managed_by(path: Path, folder: Path) -> bool:
    """Whether `path` is published through `folder`'s current generation."""
    path = Path(path)
    return path.is_symlink() and Path(os.path.realpath(path.parent / os.readlink(path))).parent == \
        Path(os.path.realpath(folder / CURRENT))


@contextmanager
def locked(folder: Path):
    """Serialise switching and sweeping between runs publishing to the same set."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(folder: Path, outputs: dict[Path, Callable[[Path], None]], carry_over: bool = False) -> Path:
    """Write each output (published path -> writer of a file at the path it is given)
    into a new generation of `folder`, then switch to it in one rename. `carry_over`
    keeps the current generation's other files (hard links, no copy)."""
    folder = Path(folder)
    names = [Path(published).name for published in outputs]
    if len(set(names)) != len(names):
        raise UserError(f"two outputs of one training set share a file name: {', '.join(names)}")
    with locked(folder):
        remove_stale(folder)  # generations half-built by killed runs
        for parent in {Path(published).parent for published in outputs}:
            remove_stale(parent)  # temporaries of killed runs beside the published names
    building = Path(tempfile.mkdtemp(prefix=f".building-{os.getpid()}-", dir=folder))
    try:
        previous = current_folder(folder)
        if carry_over and previous is not None:
            for old in previous.iterdir():
                # a set's files only: never a stray temporary or folder (os.link cannot take those)
                if old.name not in names and not old.name.startswith(".") and old.is_file():
                    _link_or_copy(old, building / old.name)
        for published, write in outputs.items():
            write(building / Path(published).name)
            test_seam.pause(f"generation:wrote:{Path(published).name}")
        os.chmod(building, 0o755)  # mkdtemp makes it private; a set is meant to be shared
        with locked(folder):
            generation = folder / f"{GENERATION_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
            os.rename(building, generation)
            test_seam.pause("generation:built")
            for published in outputs:
                _point(Path(published), folder / CURRENT / Path(published).name)
            _switch(folder, generation.name)
            test_seam.pause("generation:switched")
            _remove_all_but(folder, generation)
        return generation
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _remove_all_but(folder: Path, current: Path) -> None:
    """Remove every generation but `current` and the committed one."""
    for old in folder.glob(f"{GENERATION_PREFIX}*"):
        if old != current and old.name != COMMITTED:
            shutil.rmtree(old, ignore_errors=True)


def restore_committed(folder: Path, published_in: list[Path]) -> bool:
    """Switch `folder` back to its committed generation (one rename), remove the others,
    and remove the published names in `published_in` that then lead nowhere (a
    snapshot epoch only the user's run kept). False when there is no committed one."""
    folder = Path(folder)
    committed = folder / COMMITTED
    if not committed.is_dir():
        return False
    with locked(folder):
        _switch(folder, COMMITTED)
        _remove_all_but(folder, committed)
        for parent in published_in:
            for link in Path(parent).iterdir():
                if link.is_symlink() and not link.exists() and \
                        f"{folder.name}/{CURRENT}/" in os.readlink(link):
                    link.unlink()
    return True


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _symlink_atomically(target: str, link: Path) -> None:
    """Make `link` point at `target`, replacing whatever was there in one rename."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    os.symlink(target, temporary)
    try:
        os.replace(temporary, link)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def _point(published: Path, through_current: Path) -> None:
    """Make a published name a symlink through `current` (once: then it never changes)."""
    published.parent.mkdir(parents=True, exist_ok=True)
    target = os.path.relpath(through_current, published.parent)
    if published.is_symlink() and os.readlink(published) == target:
        return
    if published.is_dir() and not published.is_symlink():
        raise UserError(f"{published}: is a directory; cannot publish a file there")
    _symlink_atomically(target, published)


def _switch(folder: Path, generation: str) -> None:
    current = folder / CURRENT
    if current.is_dir() and not current.is_symlink():
        # A set copied without its links (`cp -r`, an archive that follows them) has a
        # real folder here, which no rename of a link can replace (EISDIR): move it
        # aside as an old generation (swept below), then switch as usual. Signals are
        # held meanwhile (pipeline.no_interrupts); only a SIGKILL in between leaves no
        # `current`, and then the next run publishes a whole new one.
        os.rename(current, folder / f"{GENERATION_PREFIX}copied-{os.getpid()}-{time.monotonic_ns()}")
    _symlink_atomically(generation, current)
