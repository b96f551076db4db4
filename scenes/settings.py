"""What a render is drawn with: one frozen settings object, built once and passed down.

The CLI builds it from its flags (`publish.requests.RenderRequest.settings`), tests
build it directly, and the stock `manim` CLI, which creates a scene with no
arguments, gets it from `Settings.from_environment()` — the one place that reads the
NN_EXPLAINER_* variables. No other module reads the environment, and nothing writes
to it: two renders in one process cannot leak their settings into each other.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from nn_explainer.model import paths
from nn_explainer.model.errors import UserError

DEFAULT_DIGIT = "train:7"     # the sloppy three of 3Blue1Brown's video
EDGE_MODES = ("weight", "contribution")  # an edge drawn by its weight w, or by w·a for this digit
# "video": the 16:9 clip, legible at 854x480; "post": the same beats laid out for the
# GIF preset, whose frames are scaled to 480 px wide: bigger text, reflowed (style.Typography).
LAYOUTS = ("video", "post")

ENVIRONMENT = {  # for `manim render scenes/chapter_one/forward_pass.py ForwardPass` only
    "export": "NN_EXPLAINER_EXPORT",
    "relu_export": "NN_EXPLAINER_RELU_EXPORT",
    "digit": "NN_EXPLAINER_DIGIT",
    "edges": "NN_EXPLAINER_EDGES",
    "layout": "NN_EXPLAINER_LAYOUT",
    "voice": "NN_EXPLAINER_VOICE",
}


def asked_voice(environ=None) -> str:
    """The voice a command line asks for when it names none: NN_EXPLAINER_VOICE, else "auto".

    One variable for both CLIs, so that `NN_EXPLAINER_VOICE=none` silences every render
    of a session (the test suite's, say) without a flag on each command."""
    environ = os.environ if environ is None else environ
    return environ.get(ENVIRONMENT["voice"]) or "auto"


@dataclass(frozen=True)
class Settings:
    # Read when a Settings is made, not when this module is imported: a network trained a
    # moment ago in the working folder is the one drawn (model/paths.py).
    export: Path = field(default_factory=lambda: paths.DEFAULT_EXPORT)        # the network every beat draws
    relu_export: Path = field(default_factory=lambda: paths.RELU_EXPORT)      # the ReLU network the ReLU beat compares
    digit: str = DEFAULT_DIGIT                   # train:7, test:0, image:NAME
    edges: str = "weight"
    layout: str = "video"                        # LAYOUTS: "post" for the GIF preset
    # Who speaks the narration (scenes/speech/voice.py): "joe", "none", "recorded:DIR", or "auto"
    # (joe when the voice extra is installed), resolved here once. Silent unless asked:
    # render.py and the stock CLI ask for "auto".
    voice: str = "none"

    def __post_init__(self):
        if self.edges not in EDGE_MODES:
            raise UserError(f"edge mode {self.edges!r} is not one of {', '.join(EDGE_MODES)}")
        if self.layout not in LAYOUTS:
            raise UserError(f"layout {self.layout!r} is not one of {', '.join(LAYOUTS)}")
        if not isinstance(self.digit, str) or not self.digit.strip():
            raise UserError("the digit to draw is empty: give an example id such as train:7 or image:NAME")
        from .speech.voice import resolve

        object.__setattr__(self, "voice", resolve(self.voice))
        object.__setattr__(self, "export", Path(self.export))
        object.__setattr__(self, "relu_export", Path(self.relu_export))

    @classmethod
    def from_environment(cls, environ=None) -> "Settings":
        """The stock manim CLI's settings: NN_EXPLAINER_* variables over the defaults."""
        environ = os.environ if environ is None else environ
        given = {field: environ[name] for field, name in ENVIRONMENT.items() if environ.get(name)}
        return cls(**{"voice": asked_voice(environ), **given})

    def environment(self) -> dict[str, str]:
        """The variables that make the stock manim CLI draw with these settings."""
        return {name: str(getattr(self, field)) for field, name in ENVIRONMENT.items()}
