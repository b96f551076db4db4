"""TeX and text glyphs kept between renders, one cache folder per live process.

manim turns every `MathTex` into a LaTeX run plus an SVG (about 0.1 s each) and every
`Text` into an SVG, cached in `tex_dir` / `text_dir`. A render in a fresh work folder
would redo all of them every time; so renders use `media/.cache/slot-N/`, kept between
runs. A glyph depends only on its text, the TeX template and manim, never on a
network or a media folder, so one cache serves every render of this checkout:
`.cache/glyphs/slot-N/` (untracked). manim checks a cached SVG only by its name, so two
processes writing the same glyph into one folder could read each other's half-written
file: each live process takes a slot of its own, held by an flock for the process's
life (released by the kernel even if it is killed), and the slots persist, warm, for
later runs.
"""
from __future__ import annotations

import fcntl
from pathlib import Path

from nn_explainer.model import paths

MAX_SLOTS = 64         # more live renders than this at once share nothing and start cold

_held: dict[Path, Path] = {}   # cache folder -> this process's slot in it (its lock stays open)
_handles = []


def glyph_dirs(cache: Path = paths.GLYPH_CACHE) -> dict:
    """manim config entries pointing its TeX and text caches at this process's slot."""
    slot = _held.get(cache) or _take_slot(cache)
    if slot is None:
        return {}  # every slot busy: manim's own folders inside the work folder
    return {"tex_dir": str(slot / "Tex"), "text_dir": str(slot / "texts")}


def _take_slot(cache: Path) -> Path | None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only checkout renders all the same, without the cache
    for number in range(MAX_SLOTS):
        handle = open(cache / f"slot-{number}.lock", "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        _handles.append(handle)  # kept open: the slot is ours until this process ends
        _held[cache] = cache / f"slot-{number}"
        return _held[cache]
    return None
