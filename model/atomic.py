"""Write files so that a reader never sees half of one, and sweep up after killed runs.

Every output goes to a temporary name in the same directory and is renamed into place
only when complete; `os.replace` is atomic on POSIX, so an interrupted run (Ctrl-C, a
crash, a full disk) leaves the previous file exactly as it was.

A temporary name carries the writer's process id (`.NAME.PID.RANDOM.tmp`), so a later
run can tell a temporary left by a killed process (its pid is gone: removed) from one
a running process is still writing (kept). The same goes for work folders and
training generations being built (see generations.py and publish/clips.py).
"""
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

_OWNED = re.compile(r"\.(?P<pid>\d+)\.[^.]*\.tmp$|^\.(?:work|building)-(?P<owner>\d+)-")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (ours, or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_pid(name: str) -> int | None:
    """The pid in a temporary file's or work folder's name, or None if it has none."""
    match = _OWNED.search(name)
    if not match:
        return None
    return int(match.group("pid") or match.group("owner"))


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporaries and work folders in `folder` whose process is gone."""
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith("."):
            continue
        pid = owner_pid(entry.name)
        if pid is None or pid_alive(pid):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


@contextmanager
def atomic_path(final: Path):
    """Yield a temporary path beside `final`; on success rename it onto `final`."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.{os.getpid()}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        # mkstemp makes the file private (0600); an output is meant to be shared.
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(final: Path, data: bytes) -> None:
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)


def write_text(final: Path, text: str) -> None:
    write_bytes(final, text.encode("utf-8"))
