"""The one exception type that means "the user gave us something we cannot use".

The CLI turns a `UserError` into a single line on stderr and a non-zero exit; any
other exception is a bug and keeps its traceback; except a full disk, whatever library
it surfaces through (`disk_full`).
"""
import errno
from contextlib import contextmanager

DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)


class UserError(Exception):
    """Bad input from the user: a file, a flag or an image we cannot use."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, as Ctrl-C raises KeyboardInterrupt: the
    same clean-up runs for both (render.py installs the handler)."""


def disk_full(error: BaseException | None) -> bool:
    """Whether `error`, or an exception it was raised from, is a full disk (or quota).
    Libraries wrap it: manim's video writer raises `RuntimeError("Failed to encode video
    segment ...")` from PyAV's OSError, which holds the errno."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS:
            return True
        error = error.__cause__ or error.__context__
    return False


def disk_full_message(what: str) -> str:
    return (f"{what}: no space left on device; free some space and run again (what was already "
            "published is unchanged, nothing was half-written)")


@contextmanager
def full_disk_is_a_user_error(what: str):
    """Around work that may run out of disk in another process (a render worker, a Ray
    task): its error crosses a pickle, which keeps no `__cause__`, so it is turned into
    one line here, where the errno is still known."""
    try:
        yield
    except Exception as error:
        if disk_full(error):
            raise UserError(disk_full_message(what)) from None
        raise
