"""What every scene of the chapter shares: the base class `Beat` and small helpers.

A beat's story lives in its `beat()` method; `construct()` only prepares and calls it.
That lets `Chapter` play every beat, in order, inside one scene: it calls each class's
`beat()` on itself. So a beat keeps its state on `self` under names of its own and
leaves nothing behind (the Chapter fades the screen between beats).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import Scene

from . import style
from .export_data import SceneInputs, scene_inputs
from .settings import Settings


class Beat(Scene):
    narration = ""      # one line of subtitle for this beat (see Chapter)
    hidden_layers = range(1, 4)  # the network shapes a beat can draw:
    max_hidden = 20              # 1-3 hidden layers of at most 20 neurons, by default
    export_dependency = "values"  # what it reads from the export: "values", or only "shapes"
    inner_sections = True  # a beat's own sections; off inside the Chapter, where a beat is one

    def __init__(self, settings: Settings | None = None, **kwargs):
        # The stock manim CLI creates a scene with no arguments: then the environment says.
        self.settings = settings or Settings.from_environment()
        super().__init__(**kwargs)

    def section(self, name: str) -> None:
        if self.inner_sections:
            self.next_section(name)

    def construct(self):
        self.camera.background_color = style.BACKGROUND
        self.beat()

    def beat(self):  # pragma: no cover - every beat defines it
        raise NotImplementedError

    def inputs(self, name: str | None = None) -> SceneInputs:
        return scene_inputs(name or type(self).__name__, self.settings, hidden_layers=self.hidden_layers, max_hidden=self.max_hidden)

    def featured(self) -> FeaturedNeuron:
        inputs = self.inputs()
        index = featured_neuron(inputs.example)
        weights, pixels = inputs.network.weights[0][index], inputs.example.pixels
        return FeaturedNeuron(index, weights, float(inputs.network.biases[0][index]), pixels,
                              float(weights @ pixels), float(inputs.example.z[0][index]),
                              float(inputs.example.a[1][index]))


@dataclass(frozen=True)
class FeaturedNeuron:
    """The first-hidden-layer neuron that beats 6-9 zoom in on, with its real numbers."""

    index: int
    weights: np.ndarray      # its 784 incoming weights
    bias: float
    pixels: np.ndarray       # the digit: the activations it weighs
    weighted_sum: float      # Σ w·a over all 784 pixels
    z: float                 # weighted_sum + bias, as exported
    activation: float        # σ(z), as exported


def featured_neuron(example) -> int:
    """The first-hidden-layer neuron the chapter zooms in on: the most active one for
    this digit, so that its weighted sum, bias and σ are the interesting case."""
    return int(np.argmax(example.a[1]))


def fmt(value: float, digits: int = 2) -> str:
    """A number as written on screen: fixed decimals, a real minus sign for LaTeX."""
    text = f"{value:.{digits}f}"
    return "0." + "0" * digits if text in (f"-0.{'0' * digits}",) else text


def top_terms(weights: np.ndarray, activations: np.ndarray, count: int) -> list[int]:
    """Indices of the `count` largest contributions |w·a|, in pixel order."""
    contributions = np.abs(np.asarray(weights) * np.asarray(activations))
    return sorted(int(i) for i in np.argsort(-contributions, kind="stable")[:count])
