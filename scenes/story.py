"""What a beat draws from: the network, the digit run through it, and the neuron the
chapter zooms in on, all read through the one export reader (`model.schema`), which
recomputes the network on every read and refuses numbers it did not produce.

A `Story` is built once per scene from its `Settings` and handed to every beat; no beat
opens a file or reads the environment itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from nn_explainer.model import invocation, paths
from nn_explainer.model.activations import Activation, activation
from nn_explainer.model.errors import UserError
from nn_explainer.model.example_ids import wanted_id
from nn_explainer.model.schema import Example, Export, Network, read_export
from nn_explainer.model.shapes import MAX_HIDDEN_LAYERS

from .settings import Settings



@lru_cache(maxsize=8)
def _read(path: Path, version: tuple) -> Export:
    # Cached per file version: beats of one render share it. A CNN's export is read too:
    # which beats can draw it is the outline's to say (outline.why_not).
    return read_export(path, convolutional=True)


def load_export(path: Path) -> Export:
    path = Path(path).resolve()
    try:
        stat = path.stat()  # a rewrite (always a rename into place) changes the inode
    except FileNotFoundError:
        raise UserError(f"{path}: no export file (run `{invocation.command('train')}` to make one)") from None
    return _read(path, (stat.st_mtime_ns, stat.st_size, stat.st_ino))


def resolve_digit(export: Export, wanted: str) -> Example:
    """`train:7`, `test:0`, `image:my-three`; a bare image name works too (a bare number
    is refused with the forms: example_ids.wanted_id)."""
    return export.example(wanted_id(wanted))


def snapshots_of(path: Path, final: Export) -> list[tuple[int, Export]]:
    """The training snapshots kept beside an export (`network.epochN.json`), in epoch
    order, that are of the run that made it: same seed and shape, taken from a run of
    as many epochs. A leftover of another run is not drawn as this one's past."""
    found = []
    for epoch in paths.snapshot_epochs(path):
        snapshot = load_export(paths.snapshot_path(path, epoch))
        if (snapshot.training.get("snapshot_of") == final.training["epochs"] and epoch < final.training["epochs"]
                and snapshot.training["seed"] == final.training["seed"]
                and shape_of(snapshot.network) == shape_of(final.network)):
            found.append((epoch, snapshot))
    return found


def shape_of(network) -> tuple:
    """What must match for a snapshot to be of the same network: an MLP's sizes and
    activations, a CNN's layer kinds and shapes."""
    if hasattr(network, "layers"):  # a CNN (conv_schema.ConvNetwork)
        return tuple(layer.kind for layer in network.layers), tuple(map(tuple, network.shapes))
    return tuple(network.sizes), network.hidden_activation


@dataclass(frozen=True)
class FeaturedNeuron:
    """The first-hidden-layer neuron that several beats zoom in on, with its real numbers:
    the most active one for this digit, so its weighted sum, bias and activation are the
    interesting case."""

    index: int
    weights: np.ndarray      # its incoming weights, one per pixel
    bias: float
    pixels: np.ndarray       # the digit: the activations it weighs
    weighted_sum: float      # Σ w·a over every pixel
    z: float                 # weighted_sum + bias, as exported
    activation: float        # f(z), as exported


# The test accuracy from which the chapter calls a network's reading good and its misses
# rare: below it (a network barely trained, or imported untrained) the words say the number.
READS_WELL = 0.9


@dataclass(frozen=True)
class Story:
    settings: Settings
    export: Export
    example: Example

    @classmethod
    def read(cls, settings: Settings, export_path: Path | None = None) -> "Story":
        export = load_export(export_path or settings.export)
        return cls(settings, export, resolve_digit(export, settings.digit))

    @property
    def network(self) -> Network:
        """The MLP (schema.Network), or a CNN's layers (conv_schema.ConvNetwork)."""
        return self.export.network

    @property
    def convolutional(self) -> bool:
        return self.export.convolutional

    @property
    def reads_well(self) -> bool:
        """Whether the network gets most test digits right (READS_WELL)."""
        return self.export.training["test_accuracy"] >= READS_WELL

    @property
    def typography(self):
        """The text sizes of this render's layout (style.Typography): video or post."""
        from . import style  # imports manim: story.py stays importable without it (publish/keys.py)

        return style.Typography(self.settings.layout)

    @property
    def hidden_activation(self) -> Activation:
        return activation(self.network.hidden_activation)

    @property
    def output_activation(self) -> Activation:
        return activation(self.network.output_activation)

    @cached_property
    def featured(self) -> FeaturedNeuron:
        example, network = self.example, self.network
        index = int(np.argmax(example.a[1]))
        weights = network.weights[0][index]
        return FeaturedNeuron(index, weights, float(network.biases[0][index]), example.pixels,
                              float(weights @ example.pixels), float(example.z[0][index]), float(example.a[1][index]))

    @cached_property
    def snapshots(self) -> list[tuple[int, Export]]:
        """(epoch, export) for each training snapshot of this network, then the export
        itself at its last epoch: the weights as training found them. A network trained
        elsewhere has no snapshots of ours and no epoch we know: [(None, export)]."""
        if not self.export.trained_here:
            return [(None, self.export)]
        return snapshots_of(self.settings.export, self.export) + [(self.export.training["epochs"], self.export)]

    def relu(self) -> "Story":
        """The same digit through the ReLU network the ReLU beat compares."""
        return Story.read(self.settings, self.settings.relu_export)

    def check_drawable(self, scene_name: str) -> None:
        """Refuse, with the reason, a network deeper than the diagram spaces across the
        frame (any width fits: wide layers are drawn in part, see NetworkDiagram)."""
        hidden = self.network.sizes[1:-1]
        if not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS:
            shape = "-".join(map(str, self.network.sizes))
            raise UserError(f"{scene_name} draws networks with 1-{MAX_HIDDEN_LAYERS} hidden layers; this export is {shape}")
