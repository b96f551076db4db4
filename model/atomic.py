"""Write files so that a reader never sees half of one, and sweep up after killed runs.

Every output goes to a temporary name in the same directory and is renamed into place
only when complete; `os.replace` is atomic on POSIX, so an interrupted run (Ctrl-C, a
crash, a full disk) leaves the previous file exactly as it was.

A temporary name carries the writer's process id (`.NAME.PID.RANDOM.tmp`), so a later
run can tell a temporary left by a killed process (removed) from one a running process
is still writing (kept). The same goes for work folders and training generations being
built (see generations.py and publish/clips.py). "Its process is gone" is decided the
way git and databases decide a lock is stale, and a pid alone is not enough: a killed
process not yet reaped by its parent is a zombie that still answers to its pid, and
pids are reused (in a container every command may start with the same few), so a
leftover whose pid now names a process that started after the leftover was last
written is a dead process's too.
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


def _boot_time() -> float | None:
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def process_state(pid: int) -> tuple[str, float] | None:
    """(state letter, start time in seconds since the epoch) of a live pid, from /proc;
    None where /proc cannot say (another system, or the process just ended)."""
    boot = _boot_time()
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (command name) ": state is field 3
    try:
        return fields[0], (boot or 0.0) + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (IndexError, ValueError):
        return None


# /proc's boot time is whole seconds, so a start time may read up to a second early.
_START_TIME_SLACK_S = 1.0


def owner_gone(pid: int, last_written: float) -> bool:
    """Whether the process named `pid` in a leftover last written at `last_written`
    (seconds since the epoch) has ended: no such pid, a zombie (killed, not yet reaped),
    or a pid now held by a process started after the leftover was written (reused)."""
    if not pid_alive(pid):
        return True
    state = process_state(pid)
    if state is None:
        return False  # alive, and nothing more to know: keep what it may still be writing
    letter, started = state
    return letter in ("Z", "X") or last_written < started - _START_TIME_SLACK_S


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
        try:
            last_written = entry.lstat().st_mtime
        except OSError:
            continue  # gone already
        if pid is None or not owner_gone(pid, last_written):
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
