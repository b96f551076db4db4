"""Every scene the tool renders, with what it shows: `render.py list` prints this."""
from __future__ import annotations

import importlib

from model.errors import UserError

# name -> (module, what it shows). Order is the chapter's order.
SCENES = {
    "ForwardPass": ("scenes.forward_pass",
                    "the trained network classifying the digit, one layer transition at a time"),
}


def scene_class(name: str) -> type:
    if name not in SCENES:
        raise UserError(f"unknown scene '{name}' (known: {', '.join(SCENES)}; see `render.py list`)")
    module = importlib.import_module(SCENES[name][0])
    return getattr(module, name)
