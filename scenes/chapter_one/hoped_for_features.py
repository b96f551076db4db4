"""HopedForFeatures: the hoped-for story, clearly marked as a hope, then the truth.

Beat 5. The chapter hopes that hidden neurons pick up loops and lines and little
edges. We draw that hope in plain grey shapes, under a banner saying it is a hope
and not the network. Then the hopes parked beside real second-layer neurons, the most
active for this digit, next to what each really weighs (its weights carried back to the
pixels, a linear view): nothing alike. Then the truth: the real incoming weights of every neuron of
the first hidden layer, as 28x28 heatmaps on one shared scale. They look nothing like
tidy strokes.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Arc, Circle, FadeIn, Group, Line, Text, VGroup)

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.heatmap import HeatmapLegend, WeightHeatmap
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.network_diagram import drawn_neurons
from nn_explainer.scenes.mobjects.raster import fade_in_as_picture, fade_out_as_picture
from nn_explainer.scenes.speech.narration import say


def hoped_nine() -> VGroup:
    """A 9 built from a loop and a line, in the grey of made-up pictures."""
    loop = Circle(radius=0.45, stroke_color=style.HOPE_COLOUR, stroke_width=8)
    line = Line(UP * 0.0, DOWN * 1.2, stroke_color=style.HOPE_COLOUR, stroke_width=8).next_to(loop, DOWN, 0).shift(RIGHT * 0.45 + UP * 0.45)
    return VGroup(loop, line)


def hoped_loop_pieces() -> VGroup:
    """The loop of the 9 as four little edges: what a second layer might hope for."""
    return VGroup(*[Arc(radius=0.45, start_angle=a, angle=np.pi / 2 - 0.25, stroke_color=style.HOPE_COLOUR,
                        stroke_width=8) for a in np.arange(4) * np.pi / 2])


COMPARED = 3  # real neurons the hopes are parked beside


def pixel_pattern(network, layer: int, neuron: int) -> np.ndarray:
    """What a neuron of hidden layer `layer` weighs the pixels by, seen linearly: its
    weights carried back through the layers before it (W_l ... W_1), one number per
    pixel. The activations between are left out, so this is a view, not the function."""
    pattern = network.weights[layer - 1][neuron]
    for weights in reversed(network.weights[:layer - 1]):
        pattern = pattern @ weights
    return pattern


def compared_neurons(story) -> tuple[int, list[int]]:
    """(hidden layer, its neurons the hopes are parked beside, most active first)."""
    layer = min(2, len(story.network.sizes) - 2)
    values = story.example.a[layer]
    return layer, sorted(drawn_neurons(values, COMPARED), key=lambda n: -abs(values[n]))


def first_layer_shown(story) -> list[int]:
    """The first-layer neurons whose weights are drawn: all, or a wide layer's most active."""
    return drawn_neurons(story.example.a[1], style.MAX_DRAWN_NEURONS)


def script(story) -> dict[str, str]:
    layer, neurons = compared_neurons(story)
    shown, width = len(first_layer_shown(story)), story.network.sizes[1]
    which = (f"all {spoken.integer(width)} neurons of the first hidden layer" if shown == width else
             f"{spoken.integer(shown)} of the {spoken.integer(width)} neurons of the first hidden layer, "
             "the most active for this digit")
    return {
        "banner": "First, the hope, in made-up pictures, not the network.",
        "nine": "Perhaps a nine is a loop on top plus a line on the right.",
        "pieces": "And a loop, a few little edges. Each hidden neuron might light up for one such piece.",
        "beside": (f"Here are the hopes beside the {spoken.integer(len(neurons))} most active neurons "
                   f"of hidden layer {spoken.integer(layer)}."),
        "really": "Next to each, what that neuron really weighs, carried back to the pixels. Nothing alike.",
        "truth": f"And here is the truth: the real incoming weights of {which}.",
        "noise": "No tidy loops, no clean edges. Closer to noise, and yet " + (
            "together they read digits well." if story.reads_well else
            f"together they read {spoken.percent(story.export.training['test_accuracy'], 2)} of the test digits right."),
    }


def beside_real_neurons(scene, story, lines, leaving=()) -> tuple:
    """The honest turn: each hoped-for pattern parked beside a real neuron of the second
    hidden layer (the first, in a one-layer network), most active for this digit first,
    with what that neuron really weighs. They do not look alike. `leaving`: what goes
    as its first sentence begins; returns what it drew, for the next to take away."""
    fonts = story.typography
    layer, neurons = compared_neurons(story)
    values = story.example.a[layer]
    hopes = [Circle(radius=0.45, stroke_color=style.HOPE_COLOUR, stroke_width=8),
             Line(UP * 0.55, DOWN * 0.55, stroke_color=style.HOPE_COLOUR, stroke_width=8),
             hoped_loop_pieces()[0].copy()]
    patterns = [pixel_pattern(story.network, layer, n) for n in neurons]
    scale = float(max(np.abs(p).max() for p in patterns)) or 1.0
    rows = Group()  # a heatmap is a picture: Group, not VGroup
    for neuron, hope, pattern in zip(neurons, hopes, patterns):
        circle = Circle(radius=0.3, stroke_color=style.NEURON_STROKE, stroke_width=2)
        circle.set_fill(style.NEURON_FILL if values[neuron] >= 0 else style.NEGATIVE, opacity=min(1.0, abs(values[neuron])))
        # The post layout names the neuron without its layer: the title says which layer.
        name = Text(fonts.pick(f"layer {layer}, ", "") + f"neuron {neuron}\na = {fmt(values[neuron])}",
                    font_size=fonts.small, line_spacing=0.8)
        real = WeightHeatmap(pattern, size=1.5, scale=scale)
        rows.add(Group(VGroup(circle, name).arrange(RIGHT, buff=0.25), hope.copy(), real))
    top, step, hope_x, real_x = fonts.pick((1.55, 2.0, -1.4, 2.0), (1.1, 1.75, -2.4, 0.9))
    for number, row in enumerate(rows):  # three columns: the neuron, the hope, the real pattern
        y = top - step * number
        row[0].move_to([0, y, 0]).to_edge(LEFT, buff=0.6)
        row[1].move_to([hope_x, y, 0])
        row[2].move_to([real_x, y, 0])
    headers = VGroup(Text("hoped for", font_size=fonts.label, color=style.HOPE_COLOUR),
                     Text(fonts.pick("what it really weighs", "what it\nreally weighs"), font_size=fonts.label,
                          line_spacing=0.8))
    title = fit_width(Text(f"the hopes beside real layer-{layer} neurons," + fonts.pick(" ", "\n")
                           + "the most active for this digit",
                           font_size=fonts.label)).to_edge(UP, buff=0.3)
    note = Text("weights carried\nback to the pixels\nthrough the layers\nbefore: a linear view",
                font_size=fonts.small, line_spacing=0.8).next_to(rows[1][2], RIGHT, 0.4)
    for header, column in zip(headers, (rows[0][1], rows[0][2])):
        header.next_to(column, UP, 0.3).set_y(rows[0].get_top()[1] + 0.35)
    with say(scene, lines["beside"]):
        if leaving:  # the hopes leave as the sentence begins: it never starts over an empty frame
            fade_out_as_picture(scene, *leaving, run_time=0.5)
        fade_in_as_picture(scene, title, *[row[0] for row in rows], run_time=0.8)
        scene.play(FadeIn(headers[0]), *[FadeIn(row[1], shift=RIGHT * 0.3) for row in rows], run_time=0.8)
    with say(scene, lines["really"]):
        scene.play(FadeIn(headers[1]), FadeIn(note), *[FadeIn(row[2], shift=LEFT * 0.3) for row in rows], run_time=1.0)
        scene.wait(style.READ_SECONDS)
    return title, headers, rows, note


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    banner = Text("a hope, not the network: made-up pictures", font_size=fonts.label,
                  color=style.HOPE_COLOUR).to_edge(UP, buff=0.4)
    nine = hoped_nine().move_to(LEFT * 3.5)
    equals = Text("=", font_size=fonts.text(48)).next_to(nine, RIGHT, 0.6)
    loop = Circle(radius=0.45, stroke_color=style.HOPE_COLOUR, stroke_width=8).next_to(equals, RIGHT, 0.6)
    plus = Text("+", font_size=fonts.text(48)).next_to(loop, RIGHT, 0.4)
    line = Line(UP * 0.6, DOWN * 0.6, stroke_color=style.HOPE_COLOUR, stroke_width=8).next_to(plus, RIGHT, 0.4)
    pieces = hoped_loop_pieces().arrange(RIGHT, buff=0.3).next_to(VGroup(loop, line), DOWN, 0.9)
    pieces_caption = Text("and a loop from little edges?", font_size=fonts.small,
                          color=style.HOPE_COLOUR).next_to(pieces, DOWN, 0.2)
    with say(scene, lines["banner"]):
        scene.play(FadeIn(banner), FadeIn(nine), run_time=0.8)
    with say(scene, lines["nine"]):
        scene.play(FadeIn(equals), FadeIn(loop), FadeIn(plus), FadeIn(line), run_time=0.8)
    with say(scene, lines["pieces"]):
        scene.play(FadeIn(pieces), FadeIn(pieces_caption), run_time=0.8)
        scene.wait(style.READ_SECONDS)
    parked = beside_real_neurons(scene, story, lines,
                                 leaving=(banner, nine, equals, loop, plus, line, pieces, pieces_caption))

    # The truth: the real weight patterns of the first hidden layer.
    weights = story.network.weights[0]
    shown = first_layer_shown(story)  # a wide layer: its most active
    scale = float(np.percentile(np.abs(weights[shown]), 99))  # one scale for all of them: comparable
    columns = int(np.ceil(np.sqrt(len(shown))))
    maps = Group(*[WeightHeatmap(weights[i], size=1.45, scale=scale) for i in shown])
    maps.arrange_in_grid(cols=columns, buff=0.15).scale_to_fit_height(fonts.pick(6.2, 5.4)).to_edge(LEFT, buff=1.0)
    maps.shift(DOWN * fonts.pick(0.3, 0.65))  # the post layout: room for a title on up to three lines
    which = (f"the {len(shown)} first-layer neurons" if len(shown) == len(weights) else
             f"{len(shown)} of the {len(weights):,} first-layer neurons," + fonts.pick(" ", "\n")
             + "the most active for this digit")
    truth = fit_width(Text("the truth: real incoming weights of" + fonts.pick(" ", "\n" if len(shown) < len(weights) else " ")
                           + which,
                           font_size=fonts.label)).to_edge(UP, buff=0.35)
    legend = HeatmapLegend(scale, typography=fonts).next_to(maps, RIGHT, 0.8)
    with say(scene, lines["truth"]):
        # as one picture: Cairo would redraw every glyph and cell on each frame (raster.py)
        fade_out_as_picture(scene, *parked, run_time=0.5)
        fade_in_as_picture(scene, truth, maps, legend, run_time=1.2)  # one picture fading in, then the maps themselves
    with say(scene, lines["noise"]):
        scene.wait(style.READ_SECONDS)
    scene.wait(style.READ_SECONDS)


class HopedForFeatures(BeatScene):
    beats = ("HopedForFeatures",)
