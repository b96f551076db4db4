"""Example ids (`train:7`, `test:0`, `image:my3`): one safe alphabet, checked where an
id is made (export.py, an image's file name) and where it is read (schema.py).

An id becomes part of a clip's file name, so it must never carry a path: the name part
is 1-64 of A-Z a-z 0-9 _ -, nothing else (no dots, slashes or spaces). An image's file
name outside that alphabet is transliterated (NFKD: "drei-é" -> "drei-e"); a name with
nothing left to transliterate (a name in Chinese, say) gets a short hash of the name,
so two such images never share an id.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from . import invocation
from .errors import UserError

NAME_LENGTH = 64
EXAMPLE_ID = re.compile(rf"(train|test|image):[A-Za-z0-9_-]{{1,{NAME_LENGTH}}}")
_OUTSIDE_ALPHABET = re.compile(r"[^A-Za-z0-9_-]+")


def is_example_id(text) -> bool:
    return isinstance(text, str) and EXAMPLE_ID.fullmatch(text) is not None


def check_example_id(text, where: str = "example id") -> str:
    if not is_example_id(text):
        raise UserError(f"{where} {text!r} is not an example id: train:N, test:N or image:NAME, "
                        f"NAME being 1-{NAME_LENGTH} of A-Z a-z 0-9 _ -")
    return text


def image_id(path: str | Path) -> str:
    """The id for an image file: its name in the safe alphabet, or a hash of it."""
    stem = Path(path).stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    name = _OUTSIDE_ALPHABET.sub("-", ascii_stem).strip("-")[:NAME_LENGTH].strip("-")
    if not name or not stem.isascii() and len(name) < len(stem) / 2:
        # Little survived transliteration: a hash keeps distinct names distinct.
        name = "digit-" + hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"image:{name}"


def wanted_id(text: str) -> str:
    """What `--digit` names: `train:7`, `test:0`, `image:NAME`, or a bare image NAME."""
    if not isinstance(text, str) or not text.strip():
        raise UserError("the digit to draw is empty: give an example id such as train:7 or image:NAME")
    if text.isdigit():  # taken for an image's name, it named none: say what the forms are
        raise UserError(f"--digit {text}: which digit? train:{text} (MNIST training image {text}), test:{text} "
                        f"(test image {text}), or image:NAME (an image added with `{invocation.program()} export --digit FILE`)")
    return check_example_id(text if ":" in text else f"image:{text}", "--digit")
