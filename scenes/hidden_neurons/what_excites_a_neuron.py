"""WhatExcitesANeuron: the test digits that excite a hidden neuron most, and their labels.

After HopedForFeatures says the weights look nothing like edges, this beat shows what
the neurons respond to instead, from the export's neuron evidence (model/neuron_evidence.py,
re-proved on every read): for three first-layer neurons (the one whose top digits agree
most on a label, the middle one, the one they agree least on) a 3x3 grid of the real
most exciting MNIST test digits with their activations, and how many share a label. Then
the same count for every listed neuron of the first two hidden layers: does a neuron
fire for a kind of digit, or for a stroke shared by many?
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Group, Text, VGroup

from nn_explainer.model.errors import UserError
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.digit_picture import DigitPicture
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.raster import fade_in_as_picture
from nn_explainer.scenes.speech.narration import say

SHOWN = 3  # neurons whose digits are drawn


def check(story) -> None:
    if story.export.neuron_evidence is None:
        raise UserError("this export has no neuron evidence (it is older, or a training snapshot): "
                        "run `python render.py export` to add it")


def shown_neurons(layer) -> list[int]:
    """Up to SHOWN neurons of a layer's evidence, from the most agreed-on label to the
    least: the purest, the middle one, the least pure (ties to the lower index)."""
    order = sorted(layer.neurons, key=lambda n: (-layer.purity(n)[1], n))
    if len(order) <= SHOWN:
        return order
    return [order[0], order[len(order) // 2], order[-1]]


def agreement(layer) -> float:
    """How many of a neuron's top digits share its commonest label, averaged over the layer."""
    return float(np.mean([layer.purity(n)[1] for n in layer.neurons]))


def script(story) -> dict[str, str]:
    evidence = story.export.neuron_evidence
    first = evidence.layers[0]
    shown = shown_neurons(first)
    purest, mixed = shown[0], shown[-1]
    label, count = first.purity(purest)
    kinds = len(set(first.top_labels[first.row(mixed)].tolist()))
    lines = {
        "question": "If not edges, then what does a hidden neuron respond to? Let us ask the test digits.",
        "purest": f"Here are the nine test digits that excite neuron {spoken.integer(purest)} of the first layer most. "
                  f"{spoken.integer(count).capitalize()} of the nine are {spoken.integer(label)}s.",
        "mixed": f"Other neurons are less choosy: the top nine of neuron {spoken.integer(mixed)} "
                 f"hold {spoken.count(kinds, 'different digit')}.",
        "summary": f"On average, {spoken.decimal(agreement(first), 1)} of a first-layer neuron's top nine share a label.",
    }
    if len(evidence.layers) > 1:
        lines["summary"] += f" In the second layer, {spoken.decimal(agreement(evidence.layers[1]), 1)}."
    lines["meaning"] = ("So these neurons are no edge detectors: many fire for one kind of digit, "
                        "others for a stroke that a few kinds share.")
    return lines


def neuron_column(layer, neuron: int, fonts, size: float) -> Group:
    """A neuron's 3x3 grid of top digits, its name above, labels and agreement below."""
    row = layer.row(neuron)
    tiles = Group(*[DigitPicture(pixels, size=size) for pixels in layer.top_pixels[row]])
    tiles.arrange_in_grid(3, 3, buff=0.06)
    label, count = layer.purity(neuron)
    values = layer.top_activations[row]
    name = Text(f"layer {layer.layer}, neuron {neuron}", font_size=fonts.small).next_to(tiles, UP, 0.15)
    labels = fonts.pick(" ", "").join(str(int(v)) for v in layer.top_labels[row])
    caption = Text(f"labels: {labels}\n{count} of 9 are {label}s\na = {fmt(values[-1])} to {fmt(values[0])}",
                   font_size=fonts.small, line_spacing=0.8).next_to(tiles, DOWN, 0.15)
    column = Group(name, tiles, caption)
    column.tiles, column.caption = tiles, caption
    return column


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    evidence = story.export.neuron_evidence
    first = evidence.layers[0]
    title = fit_width(Text("what excites a neuron:" + fonts.pick(" ", "\n") + f"its most exciting of the {evidence.digits:,} test digits",
                           font_size=fonts.label)).to_edge(UP, buff=0.3)
    columns = Group(*[neuron_column(first, n, fonts, fonts.pick(0.72, 0.62)) for n in shown_neurons(first)])
    columns.arrange(RIGHT, buff=fonts.pick(0.7, 0.35), aligned_edge=UP).next_to(title, DOWN, 0.3)
    fit_width(columns)
    with say(scene, lines["question"]):
        fade_in_as_picture(scene, title, run_time=0.6)
    with say(scene, lines["purest"]):
        fade_in_as_picture(scene, columns[0], run_time=1.0)
        scene.wait(style.READ_SECONDS)
    with say(scene, lines["mixed"]):
        fade_in_as_picture(scene, *columns[1:], run_time=1.0)
        scene.wait(style.READ_SECONDS)
    summary = VGroup(*[Text(f"layer {layer.layer}: on average {agreement(layer):.1f} of a neuron's top 9 share a label"
                            + fonts.pick(f" ({len(layer.neurons)} neurons)", ""), font_size=fonts.small)
                       for layer in evidence.layers]).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
    fit_width(summary).to_edge(DOWN, buff=0.3)
    with say(scene, lines["summary"]):
        scene.play(FadeIn(summary), run_time=0.6)
        scene.wait(style.READ_SECONDS)
    with say(scene, lines["meaning"]):
        scene.wait(style.READ_SECONDS)


class WhatExcitesANeuron(BeatScene):
    beats = ("WhatExcitesANeuron",)
