"""Reading files a user hands us, without trusting them: regular files only, a size
cap, and JSON parsed strictly.

- Only a regular file is opened (a FIFO would block forever, /dev/zero never ends): it
  is stat'ed first, opened non-blocking, stat'ed again through the open handle (the
  path may have been swapped in between), and read for at most cap + 1 bytes.
- A byte-order mark or UTF-16/32 text is refused with a line saying how to fix it,
  rather than reported as "not JSON".
- JSON: duplicate keys are refused (Python keeps the last one silently), NaN and
  Infinity are refused (not JSON), and nesting deeper than MAX_JSON_DEPTH is refused
  *before* parsing, since Python's parser recurses and would raise RecursionError.
"""
from __future__ import annotations

import gc
import json
import os
import re
import stat
from pathlib import Path

from .errors import UserError
from .limits import MAX_JSON_DEPTH, check_size

READ_CHUNK = 1024 * 1024
BYTE_ORDER_MARKS = {b"\xef\xbb\xbf": "UTF-8 with a byte-order mark", b"\xff\xfe": "UTF-16 or UTF-32",
                    b"\xfe\xff": "UTF-16", b"\x00\x00\xfe\xff": "UTF-32"}
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
# Every byte but the four brackets: deleted by bytes.translate, which is C-speed (a regex
# substitution over a 43 MB export took a tenth of a second).
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def read_capped(path: Path, cap: int, what: str = "file") -> bytes:
    """The bytes of the regular file at `path`, refusing anything else or more than `cap`."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UserError(f"{path}: no such {what}") from None
    except OSError as err:
        raise UserError(f"{path}: cannot read ({err.strerror})") from None
    _check_regular(path, info, what)
    check_size(f"{path}", info.st_size, cap)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise UserError(f"{path}: cannot read ({err.strerror})") from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        _check_regular(path, os.fstat(fd), what)  # the very file we opened, not a swapped one
        chunks, total = [], 0
        while total <= cap:
            chunk = handle.read(min(READ_CHUNK, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    check_size(f"{path}", total, cap)  # it grew while we read
    return b"".join(chunks)


def _check_regular(path: Path, info: os.stat_result, what: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise UserError(f"{path}: is a directory, not the {what}")
    if not stat.S_ISREG(info.st_mode):
        raise UserError(f"{path}: not a regular file (a pipe, device or socket cannot be read as the {what})")


def decode_text(raw: bytes, where: str) -> str:
    """UTF-8 text, refusing a byte-order mark or UTF-16/32 with the fix in the message."""
    for mark, name in sorted(BYTE_ORDER_MARKS.items(), key=lambda item: -len(item[0])):
        if raw.startswith(mark):
            raise UserError(f"{where}: the file is {name}; save it as UTF-8 without a byte-order mark")
    if b"\x00" in raw[:4]:
        raise UserError(f"{where}: the file looks like UTF-16 or UTF-32; save it as UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"{where}: not UTF-8 text (byte {err.start})") from None


def nesting_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest, counting only brackets outside strings."""
    if b"\\" in raw:  # an escaped quote may hide inside a string: the careful way
        outside_strings = _STRING.sub(b"", raw)
    else:  # no escapes: every other piece between quotes is outside a string (4x faster)
        outside_strings = b"".join(raw.split(b'"')[::2])
    brackets = outside_strings.translate(None, _NOT_A_BRACKET)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _no_constants(name):
    raise ValueError(f"{name} is not a number JSON allows")


def loads(raw: bytes | str, where: str, max_depth: int = MAX_JSON_DEPTH, invalid: str = "not valid JSON"):
    """Parse JSON strictly; any defect is one UserError naming `where`."""
    if isinstance(raw, bytes):
        text = decode_text(raw, where)
        data = raw
    else:
        text, data = raw, raw.encode("utf-8", "surrogatepass")
    depth = nesting_depth(data)
    if depth > max_depth:
        raise UserError(f"{where}: JSON nested {depth} deep, over the limit of {max_depth}")
    collecting = gc.isenabled()
    gc.disable()  # a large export is millions of floats in thousands of lists: no cycles to find
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except ValueError as err:  # JSONDecodeError is a ValueError, and so are ours
        raise UserError(f"{where}: {invalid} ({err})") from None
    finally:
        if collecting:
            gc.enable()


def read_json(path: Path, cap: int, what: str = "JSON file"):
    """A capped, strict read of a JSON file: (document, raw bytes)."""
    raw = read_capped(path, cap, what)
    return loads(raw, str(path)), raw


def exact_int(value) -> bool:
    """An integer, and not a bool (True == 1 in Python) nor a float such as 1.0."""
    return type(value) is int
