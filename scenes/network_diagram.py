"""The network diagram: layers of neurons, the edges between them, the signal.

The vocabulary, after micrograd's Neuron / Layer / MLP:
- `NeuronLayer`: a column of circles, fill opacity = activation;
- `EdgeBundle`: every edge between two layers, colour = sign of the real weight
  (blue +, red -), width and opacity = its magnitude, one `Line` per edge, grouped by
  target neuron. Bundles never change, so they sit under everything and manim draws
  them once per animation into its static background, not once per frame;
- `SignalFlow`: the animation of a bundle lighting up in the direction the signal
  flows. Its pulses are one mobject per target neuron and sign, so each frame redraws
  a few dozen paths rather than hundreds of lines;
- `NetworkDiagram`: the whole 784-16-16-10 picture for one network and one digit.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Animation, Brace, Circle, Dot, Line, Text, VGroup, VMobject,
                   smooth)

from . import style
from .input_blocks import pooled_contributions, pooled_pixels, pooled_weights
from .pixel_grid import line_points

EDGE_MODES = ("weight", "contribution")


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


def edge_style(strengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(width, opacity) per edge from |strength| relative to the bundle's 95th
    percentile, so a few outliers cannot fade the rest into grey."""
    magnitude = np.abs(strengths)
    scale = np.percentile(magnitude, style.EDGE_SCALE_PERCENTILE) or 1.0
    relative = np.clip(magnitude / scale, 0, 1)
    width = style.EDGE_MIN_WIDTH + (style.EDGE_MAX_WIDTH - style.EDGE_MIN_WIDTH) * relative
    opacity = style.EDGE_MIN_OPACITY + (style.EDGE_MAX_OPACITY - style.EDGE_MIN_OPACITY) * relative ** 1.5
    return width, opacity


class EdgeBundle(VGroup):
    """All edges from `source` to `target`; `strengths[j][k]` for source k -> target j.

    `by_target[j]` holds the edges into target neuron j, in source order.
    """

    def __init__(self, source: NeuronLayer, target: NeuronLayer, strengths, **kwargs):
        super().__init__(**kwargs)
        self.strengths = np.asarray(strengths, dtype=np.float64)
        assert self.strengths.shape == (len(target), len(source))
        widths, opacities = edge_style(self.strengths)
        starts = [n.get_center() + RIGHT * style.NEURON_RADIUS for n in source.neurons]
        ends = [n.get_center() + LEFT * style.NEURON_RADIUS for n in target.neurons]
        self.by_target = VGroup()
        for j, end in enumerate(ends):
            into = VGroup()
            for k, start in enumerate(starts):
                into.add(Line(start, end, stroke_color=sign_colour(self.strengths[j, k]),
                              stroke_width=widths[j, k], stroke_opacity=opacities[j, k]))
            self.by_target.add(into)
        self.add(self.by_target)

    def edge(self, target: int, source: int) -> Line:
        return self.by_target[target][source]

    def endpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """(starts, ends) [targets, sources, 3] of the edges where they are now drawn."""
        starts = np.array([[line.get_start() for line in into] for into in self.by_target])
        ends = np.array([[line.get_end() for line in into] for into in self.by_target])
        return starts, ends


def sign_colour(value: float):
    return style.POSITIVE if value >= 0 else style.NEGATIVE


class SignalFlow(Animation):
    """Pulses run along every edge of a bundle, source to target, in its sign's colour.

    The pulses are one VMobject per (target neuron, sign) holding one straight subpath
    per edge; each frame only recomputes their points with numpy.
    """

    def __init__(self, bundle: EdgeBundle, **kwargs):
        self.bundle = bundle
        pulses = VGroup()
        self.groups = []  # (pulse mobject, edge starts, edge ends)
        starts, ends = bundle.endpoints()
        for j in range(len(bundle.strengths)):
            for positive in (True, False):
                sources = np.flatnonzero((bundle.strengths[j] >= 0) == positive)
                if len(sources) == 0:
                    continue
                pulse = VMobject(stroke_color=style.POSITIVE if positive else style.NEGATIVE,
                                 stroke_width=style.SIGNAL_WIDTH, stroke_opacity=1.0)
                self.groups.append((pulse, starts[j, sources], ends[j, sources]))
                pulses.add(pulse)
        super().__init__(pulses, rate_func=kwargs.pop("rate_func", smooth), remover=True, **kwargs)

    def interpolate_mobject(self, alpha: float) -> None:
        head = alpha * (1 + style.SIGNAL_LENGTH)
        tail = max(head - style.SIGNAL_LENGTH, 0.0)
        head = min(head, 1.0)
        # Fade out over the last third, so the pulses melt into the neurons they reach
        # instead of piling up on them.
        opacity = min(1.0, 3.0 * (1.0 - alpha))
        for pulse, starts, ends in self.groups:
            span = ends - starts
            pulse.set_points(line_points(starts + span * tail, starts + span * head))
            pulse.set_stroke(opacity=opacity)


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
        # Order matters twice: edges first so neurons sit on top of them, and manim
        # redraws every frame only what comes after the first animated mobject.
        self.add(self.bundles, self.decorations, self.layers)

    def drawn_values(self, layer: int) -> np.ndarray:
        """The value a layer's drawn neurons stand for: pooled blocks for the input."""
        if layer == 0:
            return pooled_pixels(self.example.pixels)
        return self.example.a[layer]

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
