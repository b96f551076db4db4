"""What chapter two draws from: the story's digit through the network backwards, and
the export's verified `gradients` section (model/backprop.py re-proves it on every read).

The digit's cost and gradient are computed here by the same numpy backward pass the
reader checks the exported autograd numbers with, for whichever labelled digit the
render draws (for the sloppy three, they are the file's numbers). Pure numpy: the clip
keys import it without manim.
"""
from __future__ import annotations

import numpy as np

from nn_explainer.model import backprop
from nn_explainer.model.errors import UserError


def check(story, scene_name: str, needs_section: bool = True) -> None:
    """Refuse, with the reason, what chapter two cannot draw honestly."""
    story.check_drawable(scene_name)
    if needs_section and story.export.gradients is None:
        raise UserError(f"{scene_name} draws the export's gradients section, and this export has none "
                        "(rebuild it with `python render.py export`)")
    if story.example.label is None:
        raise UserError(f"{scene_name} needs to know what the digit should be, and {story.example.id} has no label "
                        "(add it with `render.py export --digit PATH --label N`)")


def backward(story) -> backprop.Backward:
    """The story's digit through the network and back: its cost and every derivative."""
    network, example = story.network, story.example
    return backprop.backward(network.weights, network.biases, network.hidden_activation, network.output_activation,
                             example.pixels, [example.label])


def cost_of(export, example_id: str) -> float | None:
    """The cost of an example as that export's network (a snapshot's) computed it, from
    its verified z; None if the export does not hold the example."""
    for example in export.examples:
        if example.id == example_id and example.label is not None:
            return float(backprop.costs(example.z[-1], [example.label]))
    return None


def squared_error(outputs: np.ndarray, label: int) -> float:
    """3Blue1Brown's cost of one digit: Σ (a_j - y_j)² over the ten outputs. Drawn beside
    the real one for comparison; training did not minimise it."""
    target = np.zeros(len(outputs))
    target[label] = 1.0
    return float(((np.asarray(outputs) - target) ** 2).sum())


def first_snapshot(story):
    """(epoch, export) of the earliest kept snapshot that holds the story's digit, or None."""
    for epoch, snapshot in story.snapshots[:-1]:
        if cost_of(snapshot, story.example.id) is not None:
            return epoch, snapshot
    return None


def digits_for(value: float) -> int:
    """Decimals that show a cost or a gradient with two significant digits, at least two:
    0.22 -> 2, 0.0045 -> 4 (fixed decimals, never 4.5e-03: on screen and aloud alike)."""
    value = abs(float(value))
    if value == 0 or value >= 0.1:
        return 2
    return min(8, int(-np.floor(np.log10(value))) + 1)


def relative(values: np.ndarray) -> np.ndarray:
    """Values as a share of the largest magnitude among them (-1..1): how a layer's wanted
    changes fill its neurons, whatever their scale."""
    values = np.asarray(values, dtype=np.float64)
    top = np.abs(values).max()
    return values / top if top > 0 else values
