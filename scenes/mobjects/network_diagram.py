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
from manim import DOWN, LEFT, RIGHT, UP, Animation, Brace, Circle, Dot, Text, VGroup, VMobject

from nn_explainer.model.activations import activation
from nn_explainer.scenes import style
from nn_explainer.scenes.settings import EDGE_MODES
from .input_blocks import BLOCKS, pooled_contributions, pooled_pixels, pooled_weights
from .pixel_grid import line_points



class NeuronLayer(VGroup):
    """A column of neurons. `gap_after`: leave room for an ellipsis after that many.
    `indices`: which neuron of the real layer each circle is, when only some are drawn.

    A neuron's fill opacity is |activation|; a negative activation (tanh) fills in the
    negative colour, so the sign shows as it does on the edges."""

    def __init__(self, count: int, gap_after: int | None = None, indices=None, **kwargs):
        super().__init__(**kwargs)
        self.indices = np.arange(count) if indices is None else np.asarray(indices)
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
            neuron.set_fill(*_fill(value))
        return self

    def fill_animations(self, values, **kwargs) -> list[Animation]:
        return [neuron.animate(**kwargs).set_fill(*_fill(value)) for neuron, value in zip(self.neurons, values)]

    def activations(self) -> list[float]:
        """What is drawn now: each neuron's fill opacity, negative where filled negative."""
        negative = style.NEGATIVE.to_hex()
        return [float(n.get_fill_opacity()) * (-1 if n.get_fill_color().to_hex() == negative else 1)
                for n in self.neurons]


def _fill(value: float):
    value = float(value)
    return (style.NEGATIVE if value < 0 else style.NEURON_FILL), abs(value)


def drawn_neurons(values: np.ndarray, cap: int) -> np.ndarray:
    """Which neurons of a layer to draw: all if they fit, else the `cap` most active for
    this digit (largest |a|; ties to the lower index), kept in index order."""
    values = np.abs(np.asarray(values, dtype=np.float64))
    if len(values) <= cap:
        return np.arange(len(values))
    return np.sort(np.argsort(-values, kind="stable")[:cap])


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
    are the real neurons. A layer wider than `style.MAX_DRAWN_NEURONS` is drawn like the
    input column: its most active neurons for this digit, in index order and labelled
    with their indices, an ellipsis in the middle, and a brace with the true width and
    how many neurons and edges are not drawn. Edges to and from neurons not drawn are
    not drawn. Columns are spaced to fit `max_width`, whatever the depth. `edge_mode`
    "weight" draws each edge by its weight, "contribution" by w·a for this digit.
    `typography`: the layout's text sizes (style.Typography); in the post layout a wide
    layer's per-neuron index labels and its "not drawn" note are left out (too small to
    read at 480 px wide), its brace and true width kept.
    `input_blocks`: layer 0 is the digit's 16 pooled blocks (an MLP's input); False draws
    it as the network's first real layer (a CNN's flattened maps, `network.sizes[0]` of
    them, `example.a[0]`), a wide one in part as a wide hidden layer is, its true width and
    what is not drawn beside its brace.
    """

    def __init__(self, network, example, edge_mode: str = "weight", max_width: float = style.NETWORK_MAX_WIDTH,
                 typography=None, input_blocks: bool = True, **kwargs):
        super().__init__(**kwargs)
        if edge_mode not in EDGE_MODES:
            raise ValueError(f"edge mode must be one of {EDGE_MODES}")
        self.network, self.example, self.edge_mode = network, example, edge_mode
        self.typography = typography or style.VIDEO
        cap, half = style.MAX_DRAWN_NEURONS, style.MAX_DRAWN_NEURONS // 2
        self.input_blocks = input_blocks
        self.layers = VGroup(NeuronLayer(BLOCKS, gap_after=BLOCKS // 2)) if input_blocks else VGroup()
        first = 1 if input_blocks else 0
        for size, values in zip(network.sizes[first:], example.a[first:]):
            shown = drawn_neurons(values, cap)
            self.layers.add(NeuronLayer(len(shown), gap_after=half if len(shown) < size else None, indices=shown))
        gaps = len(self.layers) - 1
        spacing = min(style.LAYER_SPACING, max_width / gaps)
        self.layers.arrange(RIGHT, buff=spacing - 2 * style.NEURON_RADIUS)
        self.bundles = VGroup(*[
            EdgeBundle(source, target, self.edge_strengths(index))
            for index, (source, target) in enumerate(zip(self.layers, self.layers[1:]))])
        self.ellipses = VGroup(*[self._ellipsis(layer, half) for layer in self.layers
                                 if (layer is self.layers[0] and input_blocks) or len(layer) < self._size(layer)])
        input_layer = self.layers[0]
        self.input_brace = Brace(input_layer, LEFT, buff=0.12)
        self.input_count = Text(str(network.sizes[0]) if input_blocks else f"{network.sizes[0]:,}",
                                font_size=self.typography.label).next_to(self.input_brace, LEFT, 0.1)
        self.input_note = VGroup()  # a flattened input drawn in part: how many are not drawn
        if not input_blocks and len(input_layer) < network.sizes[0] and not self.typography.post:
            self.input_note = Text(f"{network.sizes[0] - len(input_layer):,}\nnot drawn", font_size=style.INDEX_FONT_SIZE,
                                   color=style.INDEX_COLOUR, line_spacing=0.8).next_to(self.input_count, DOWN, 0.08)
        self.elided = VGroup(*[self._elision(layer) for layer in self.layers[1:] if len(layer) < self._size(layer)])
        self.output_labels = VGroup(*[
            Text(str(digit), font_size=self.typography.label).next_to(neuron, RIGHT, 0.15)
            for digit, neuron in enumerate(self.layers[-1].neurons)])
        self.decorations = VGroup(self.ellipses, self.input_brace, self.input_count, self.elided, self.output_labels)
        if len(self.input_note):
            self.decorations.add(self.input_note)
        # Edges first, so that neurons sit on top of them.
        self.add(self.bundles, self.decorations, self.layers)

    def settle_labels(self) -> "NetworkDiagram":
        """Once the diagram is scaled to fit (which scales its text too): the post layout's
        output digits, input count and layers' widths go back to its label size, and in
        either layout no label stays below `style.MIN_FONT_SIZE` (a wide network's diagram,
        with its index labels, is scaled down more than the default one, whose labels stay
        as they are). Each resized label is put back beside what it names; neighbouring
        wide layers' notes are stacked."""
        def settle(text, place, size=None):
            size = size or max(text.font_size, style.MIN_FONT_SIZE)
            if size != text.font_size:
                place(text.scale(size / text.font_size))

        label = self.typography.label if self.typography.post else None
        for digit, neuron in zip(self.output_labels, self.layers[-1].neurons):
            settle(digit, lambda t: t.next_to(neuron, RIGHT, 0.15), label)
        settle(self.input_count, lambda t: t.next_to(self.input_brace, LEFT, 0.1), label)
        if len(self.input_note):
            settle(self.input_note, lambda t: t.next_to(self.input_count, DOWN, 0.08).align_to(self.input_count, RIGHT))
        wide = [layer for layer in self.layers[1:] if len(layer) < self._size(layer)]
        for layer, (indices, brace, count, *note) in zip(wide, self.elided):
            for index, neuron in zip(indices, layer.neurons):
                settle(index, lambda t: t.next_to(neuron, LEFT, style.INDEX_GAP))
            settle(count, lambda t: t.next_to(brace, UP, 0.08), label)
            for text in note:
                settle(text, lambda t: t.next_to(count, UP, 0.05))
        notes = [elision[3] for elision in self.elided if len(elision) > 3]
        for before, after in zip(notes, notes[1:]):  # neighbours' notes: the second one higher
            if after.get_left()[0] < before.get_right()[0]:
                x = after.get_x()
                after.next_to(before, UP, 0.05).set_x(x)
        return self

    def _size(self, layer: NeuronLayer) -> int:
        return self.network.sizes[list(self.layers).index(layer)]

    @staticmethod
    def _ellipsis(layer: NeuronLayer, half: int) -> VGroup:
        dots = VGroup(*[Dot(radius=0.035) for _ in range(3)]).arrange(DOWN, buff=0.08)
        return dots.move_to((layer.neurons[half - 1].get_center() + layer.neurons[half].get_center()) / 2)

    def _elision(self, layer: NeuronLayer) -> VGroup:
        """Index labels beside the drawn neurons, and a brace above the column with the
        layer's true width and what is not drawn."""
        number = list(self.layers).index(layer)
        size, shown = self.network.sizes[number], len(layer)
        missing_edges = (size - shown) * (self.network.sizes[number - 1] + (self.network.sizes[number + 1]
                                                                              if number + 1 < len(self.layers) else 0))
        labels = VGroup()
        post = self.typography.post
        for index, neuron in zip([] if post else layer.indices, layer.neurons):
            label = Text(str(index), font_size=style.INDEX_FONT_SIZE, color=style.INDEX_COLOUR)
            label.next_to(neuron, LEFT, style.INDEX_GAP).add_background_rectangle(opacity=0.8, buff=0.02)  # over the edges
            labels.add(label)
        brace = Brace(VGroup(layer, labels), UP, buff=0.1)
        count = Text(f"{size:,}", font_size=self.typography.label).next_to(brace, UP, 0.08)
        if post:
            return VGroup(labels, brace, count)
        note = Text(f"{size - shown:,} not drawn,\n{missing_edges:,} edges", font_size=style.INDEX_FONT_SIZE,
                    color=style.INDEX_COLOUR, line_spacing=0.8).next_to(count, UP, 0.05)
        return VGroup(labels, brace, count, note)

    def drawn_values(self, layer: int) -> np.ndarray:
        """The brightness of a layer's drawn neurons: the activation, pooled blocks for the
        input. Unbounded activations (ReLU) have no top, so such a layer is drawn relative to
        its brightest neuron for this digit (which shows at 1)."""
        if layer == 0 and self.input_blocks:
            return pooled_pixels(self.example.pixels)
        values = np.asarray(self.example.a[layer])
        if layer == 0:  # a CNN's flattened maps: relative to the largest |value|, negatives in red
            largest = np.abs(values).max()
            return (values / largest if largest > 0 else values)[self.layers[0].indices]
        last = layer == len(self.network.sizes) - 1
        drawn = activation(self.network.output_activation if last else self.network.hidden_activation)
        if not drawn.bounded and values.max() > 0:
            values = values / values.max()
        return values[self.layers[layer].indices]

    def edge_strengths(self, index: int) -> np.ndarray:
        """What bundle `index` (into layer index + 1) draws, by the edge mode: only the
        rows and columns of the drawn neurons are ever computed, so a wide layer costs
        no more than a narrow one."""
        targets = self.layers[index + 1].indices
        weights = self.network.weights[index][targets]
        source_values = self.example.a[index]
        if index == 0 and self.input_blocks:
            if self.edge_mode == "contribution":
                return pooled_contributions(weights, source_values)
            return pooled_weights(weights)
        sources = self.layers[index].indices
        weights = weights[:, sources]
        return weights * source_values[sources][None, :] if self.edge_mode == "contribution" else weights

    def answer(self) -> int:
        return int(self.example.prediction)
