"""ParameterCount: how many weights and biases, computed from the export's shapes.

Beat 10. The network's shape is drawn plain (no values: this beat reads only the layer
sizes), and each term is written as the part it counts lights up: the edges between
two layers for n_in × n_out weights, a layer's neurons for its n_out biases. For
784-16-16-10: 784×16 + 16×16 + 16×10 weights and 16 + 16 + 10 biases, 13,002 in all.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, RIGHT, UP, Group, MathTex, Text, VGroup, VMobject, Write, config

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.equations import parameter_terms, thousands
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.network_diagram import NeuronLayer
from nn_explainer.scenes.mobjects.pixel_grid import line_points
from nn_explainer.scenes.mobjects.raster import coverage, fade_in_as_picture, retint
from nn_explainer.scenes.speech.narration import say

SHAPE_HEIGHT = 3.0   # frame units for the plain network at the top


def plain_shape(sizes, fonts=style.VIDEO, height: float = SHAPE_HEIGHT) -> tuple[VGroup, VGroup, VGroup]:
    """(layers, bundles, counts): at most MAX_DRAWN_NEURONS circles a column, every
    drawn pair of neighbours joined by a grey line, each column's true size under it.
    `height`: of the columns; the counts keep their size whatever it is."""
    layers = VGroup(*[NeuronLayer(min(size, style.MAX_DRAWN_NEURONS)) for size in sizes])
    layers.arrange(RIGHT, buff=min(4.0, 18.0 / (len(sizes) - 1)))  # before scaling down to SHAPE_HEIGHT
    bundles = VGroup()
    for source, target in zip(layers, layers[1:]):
        starts = np.array([n.get_right() for n in source.neurons])
        ends = np.array([n.get_left() for n in target.neurons])
        pairs = np.array([(s, e) for e in range(len(ends)) for s in range(len(starts))])
        bundle = VMobject(stroke_color=style.PIXEL_STROKE, stroke_width=0.8, stroke_opacity=0.5)
        bundle.set_points(line_points(starts[pairs[:, 0]], ends[pairs[:, 1]]))
        bundles.add(bundle)
    VGroup(bundles, layers).scale_to_fit_height(height)
    counts = VGroup(*[Text(f"{size:,}", font_size=fonts.label).next_to(layer, DOWN, 0.12)
                      for layer, size in zip(layers, sizes)])
    return layers, bundles, counts


def sum_line(terms: list[str], total: int, unit: str, fonts) -> MathTex:
    """"a + b + c = total unit", one part per term (each is written as what it counts
    lights up); on two lines where one would not fit the frame at a legible size (a deep
    network's sum in the post layout: the video layout shrinks it to fit instead)."""
    def line(break_after: int | None) -> MathTex:
        parts = [t + (" +" if i < len(terms) - 1 else "") + (r"\\" if i == break_after else "")
                 for i, t in enumerate(terms)]
        return MathTex(*parts, "= " + thousands(total), rf"\text{{ {unit}}}", font_size=fonts.formula)

    whole = line(None)
    if fonts.post and whole.width > config.frame_width - 1.0 and len(terms) > 1:
        return line((len(terms) - 1) // 2)
    return whole


def script(story) -> dict[str, str]:
    sizes = story.network.sizes
    _, _, weights, biases = parameter_terms(sizes)
    pairs = list(zip(sizes, sizes[1:]))
    products = spoken.sequence([f"{spoken.integer(n_in)} times {spoken.integer(n_out)}" for n_in, n_out in pairs])
    return {
        "title": "So how many knobs does this network have? Its shape alone says.",
        "weights": (f"Every line between two layers is a weight: {products}. "
                    f"That makes {spoken.count(weights, 'weight')}."),
        "biases": (f"Every neuron after the input has one bias: "
                   f"{spoken.sequence([spoken.integer(n_out) for _, n_out in pairs])}. "
                   f"That makes {spoken.count(biases, 'bias', 'biases')}."),
        "total": (f"In all, {spoken.integer(weights + biases)} weights and biases: "
                  "that many knobs, each one turned by training."),
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    sizes = story.network.sizes
    weight_terms, bias_terms, weights, biases = parameter_terms(sizes)
    title = fit_width(Text("-".join(map(str, sizes)) + ": how many knobs?", font_size=fonts.title))
    title.to_edge(UP, 0.3)
    layers, bundles, counts = plain_shape(sizes, fonts)
    VGroup(bundles, layers, counts).next_to(title, DOWN, 0.3)
    weight_line = sum_line(weight_terms, weights, "weights", fonts)
    bias_line = sum_line(bias_terms, biases, "biases", fonts)
    total = MathTex(r"\text{total} = " + thousands(weights + biases), font_size=fonts.math(56), color=style.HIGHLIGHT)
    sums = fit_width(VGroup(weight_line, bias_line, total).arrange(DOWN, buff=0.35))
    sums.next_to(counts, DOWN, 0.4)
    # A bundle's crossing lines cost Cairo ~12 ms a frame at 1080p, and every animation
    # here redraws them (the neurons and formulas it changes are drawn over or after
    # them). So the bundles are drawn as pictures of their stroke's coverage, tinted as
    # Cairo tints a stroke (raster.py: the same pixels), until the last formula; then the
    # lines themselves, unchanged, take their place.
    lit = [coverage(bundle) for bundle in bundles]
    faded = bundles[0].copy().set_stroke(opacity=0)
    # introducer: added to the scene as the play begins, after the picture below
    appear = [retint(m, faded, style.PIXEL_STROKE, 0.5, introducer=True) for m in lit]
    # the title, neurons and counts fade in as one picture (raster.py), under the bundles
    # as before (the counts, below the columns, meet no edge)
    with say(scene, lines["title"]):
        fade_in_as_picture(scene, title, layers, counts, others=appear, run_time=0.8)
    # What is still and overlaps nothing goes to the back of the drawing order: manim
    # redraws on every frame all that lies after anything that moves.
    scene.bring_to_back(title, counts)
    highlighted = bundles[0].copy().set_stroke(style.HIGHLIGHT, opacity=0.9)
    with say(scene, lines["weights"]):
        for index, bundle in enumerate(bundles):  # each weight term as its edges light up
            scene.play(Write(weight_line[index]), retint(lit[index], bundle, style.HIGHLIGHT, 0.9), run_time=0.7)
            scene.play(retint(lit[index], highlighted, style.PIXEL_STROKE, 0.5), run_time=0.2)
        scene.play(Write(weight_line[len(bundles):]), run_time=0.6)
    scene.remove(*weight_line).add(weight_line)  # its parts, written one by one, are one formula again
    scene.bring_to_back(weight_line)
    with say(scene, lines["biases"]):
        for index, layer in enumerate(layers[1:]):  # each bias term as its neurons light up
            ring = coverage(layer.neurons)  # empty circles: their strokes are all that is drawn
            # in the columns' place; a Group, since a VGroup holding a picture has no bounds
            lit_layers = Group(*[ring if other is layer else other for other in layers])
            scene.replace(layers, lit_layers)
            scene.play(Write(bias_line[index]), retint(ring, layer.neurons[0], style.HIGHLIGHT, 1.0), run_time=0.5)
            scene.play(retint(ring, layer.neurons[0].copy().set_stroke(style.HIGHLIGHT), style.NEURON_STROKE, 1.0),
                       run_time=0.2)
            scene.replace(lit_layers, layers)
        scene.play(Write(bias_line[len(bias_terms):]), run_time=0.6)
    scene.remove(*bias_line).add(bias_line)
    for picture, bundle in zip(lit, bundles):
        scene.replace(picture, bundle)
    with say(scene, lines["total"]):
        scene.play(Write(total), run_time=0.8)
    scene.wait(2 * style.READ_SECONDS)


class ParameterCount(BeatScene):
    beats = ("ParameterCount",)
