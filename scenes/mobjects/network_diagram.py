"""The network diagram: layers of neurons, the edges between them, the signal.

The vocabulary, after micrograd's Neuron / Layer / MLP:
- `NeuronLayer`: a column of circles, fill opacity = activation;
- `EdgeBundle`: every edge between two layers, colour = sign of the real weight
  (blue +, red -), width and opacity growing with its magnitude;
- `NetworkDiagram`: the whole 784-16-16-10 picture for one network and one digit.

Drawn for speed, since Cairo pays per mobject on every frame it draws one: the edges
of a bundle are grouped by sign and by strength step (`EDGE_LEVELS`), each group one
path of straight subpaths, so a bundle of 256 edges is at most 24 mobjects. Bundles
never change: they sit under the neurons, and manim draws them into its static
background once per animation instead of once per frame.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, Animation, Brace, Circle, Dot, Text, VGroup, VMobject

from model.activations import activation
from scenes import style
from scenes.settings import EDGE_MODES
from .input_blocks import pooled_contributions, pooled_pixels, pooled_weights
from .pixel_grid import line_points



class NeuronLayer(VGroup):
    """A column of neurons. `gap_after`: leave room for an ellipsis after that many."""

    def __init__(self, count: int, gap_after: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.neurons = VGroup(*[
            Circle(radius=style.NEURON_RADIUS, stroke_color=style.NEURON_STROKE,
                   stroke_width=style.NEURON_STROKE_WIDTH).set_fill(style.NEURON_FILL, opacity=0)
            for _ in range(count)])
        for index, neuron in enumerate(self.neurons):
            extra = style.INPUT_GAP if gap_after is not None and index >= gap_after else 0
            neuron.move_to(DOWN * (index * style.NEURON_SPACING + extra))
        self.neurons.move_to(np.zeros(3))
        self.add(self.neurons)

    def __len__(self):
        return len(self.neurons)

    def set_activations(self, values) -> "NeuronLayer":
        for neuron, value in zip(self.neurons, values):
            neuron.set_fill(opacity=float(value))
        return self

    def fill_animations(self, values, **kwargs) -> list[Animation]:
        return [neuron.animate(**kwargs).set_fill(opacity=float(value)) for neuron, value in zip(self.neurons, values)]

    def activations(self) -> list[float]:
        """What is drawn now: each neuron's fill opacity."""
        return [float(neuron.get_fill_opacity()) for neuron in self.neurons]


def strength_levels(strengths: np.ndarray) -> np.ndarray:
    """Each edge's step 0..EDGE_LEVELS-1 of |strength|, relative to the bundle's 95th
    percentile, so a few outliers cannot fade all the rest into grey."""
    magnitude = np.abs(strengths)
    scale = np.percentile(magnitude, style.EDGE_SCALE_PERCENTILE) or 1.0
    relative = np.clip(magnitude / scale, 0, 1)
    return np.minimum((relative * style.EDGE_LEVELS).astype(int), style.EDGE_LEVELS - 1)


def level_style(level: int) -> tuple[float, float]:
    """(stroke width, opacity) of a strength step: thin and faint to thick and bright."""
    relative = (level + 1) / style.EDGE_LEVELS
    width = style.EDGE_MIN_WIDTH + (style.EDGE_MAX_WIDTH - style.EDGE_MIN_WIDTH) * relative
    opacity = style.EDGE_MIN_OPACITY + (style.EDGE_MAX_OPACITY - style.EDGE_MIN_OPACITY) * relative ** 1.5
    return width, opacity



class EdgeBundle(VGroup):
    """All edges from `source` to `target`; `strengths[j][k]` for source k -> target j.

    Each submobject is the path of one (sign, strength step) group; its `edges` lists
    the (target, source) pairs it draws, in the order of its subpaths.
    """

    def __init__(self, source: NeuronLayer, target: NeuronLayer, strengths, **kwargs):
        super().__init__(**kwargs)
        self.strengths = np.asarray(strengths, dtype=np.float64)
        assert self.strengths.shape == (len(target), len(source))
        starts = np.array([n.get_center() + RIGHT * style.NEURON_RADIUS for n in source.neurons])
        ends = np.array([n.get_center() + LEFT * style.NEURON_RADIUS for n in target.neurons])
        levels = strength_levels(self.strengths)
        positive = self.strengths >= 0
        for sign in (True, False):
            for level in range(style.EDGE_LEVELS):
                targets, sources = np.nonzero((positive == sign) & (levels == level))
                if len(targets) == 0:
                    continue
                width, opacity = level_style(level)
                path = VMobject(stroke_color=style.POSITIVE if sign else style.NEGATIVE,
                                stroke_width=width, stroke_opacity=opacity)
                path.set_points(line_points(starts[sources], ends[targets]))
                path.edges = list(zip(targets.tolist(), sources.tolist()))
                self.add(path)

    def edge_count(self) -> int:
        return sum(len(path.edges) for path in self.submobjects)

    def drawn_edges(self):
        """(target, source, path, start, end) for every edge, where it is drawn now."""
        for path in self.submobjects:
            points = path.points
            for i, (j, k) in enumerate(path.edges):
                yield j, k, path, points[4 * i], points[4 * i + 3]


class NetworkDiagram(VGroup):
    """The whole network for one digit, neurons empty until a scene fills them.

    Layer 0 is the input drawn as 16 pooled blocks (see input_blocks.py); the others
    are the real neurons. `edge_mode` "weight" draws each edge by its weight,
    "contribution" by w·a for this digit.
    """

    def __init__(self, network, example, edge_mode: str = "weight", **kwargs):
        super().__init__(**kwargs)
        if edge_mode not in EDGE_MODES:
            raise ValueError(f"edge mode must be one of {EDGE_MODES}")
        self.network, self.example, self.edge_mode = network, example, edge_mode
        self.layers = VGroup()
        input_layer = NeuronLayer(16, gap_after=8)
        self.layers.add(input_layer, *[NeuronLayer(size) for size in network.sizes[1:]])
        self.layers.arrange(RIGHT, buff=style.LAYER_SPACING - 2 * style.NEURON_RADIUS)
        self.bundles = VGroup(*[
            EdgeBundle(source, target, self.edge_strengths(index))
            for index, (source, target) in enumerate(zip(self.layers, self.layers[1:]))])
        self.ellipsis = VGroup(*[Dot(radius=0.035) for _ in range(3)]).arrange(DOWN, buff=0.08)
        self.ellipsis.move_to((input_layer.neurons[7].get_center() + input_layer.neurons[8].get_center()) / 2)
        self.input_brace = Brace(input_layer, LEFT, buff=0.12)
        self.input_count = Text(str(network.sizes[0]), font_size=style.LABEL_FONT_SIZE).next_to(self.input_brace, LEFT, 0.1)
        self.output_labels = VGroup(*[
            Text(str(digit), font_size=style.LABEL_FONT_SIZE).next_to(neuron, RIGHT, 0.15)
            for digit, neuron in enumerate(self.layers[-1].neurons)])
        self.decorations = VGroup(self.ellipsis, self.input_brace, self.input_count, self.output_labels)
        # Edges first, so that neurons sit on top of them.
        self.add(self.bundles, self.decorations, self.layers)

    def drawn_values(self, layer: int) -> np.ndarray:
        """The brightness of a layer's drawn neurons: the activation, pooled blocks for the
        input. Unbounded activations (ReLU) have no top, so such a layer is drawn relative to
        its brightest neuron for this digit (which shows at 1)."""
        if layer == 0:
            return pooled_pixels(self.example.pixels)
        values = np.asarray(self.example.a[layer])
        last = layer == len(self.network.sizes) - 1
        drawn = activation(self.network.output_activation if last else self.network.hidden_activation)
        if not drawn.bounded and values.max() > 0:
            return values / values.max()
        return values

    def edge_strengths(self, index: int) -> np.ndarray:
        """What bundle `index` (into layer index + 1) draws, by the edge mode."""
        weights = self.network.weights[index]
        source_values = self.example.a[index]
        if index == 0:
            if self.edge_mode == "contribution":
                return pooled_contributions(weights, source_values)
            return pooled_weights(weights)
        return weights * source_values[None, :] if self.edge_mode == "contribution" else weights

    def answer(self) -> int:
        return int(self.example.prediction)
