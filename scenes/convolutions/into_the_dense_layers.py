"""IntoTheDenseLayers: the last maps flattened into one long vector, then chapter one's
dense drawing from there to the answer.

The last step before the flatten leaves C maps of H x W (drawn as small pictures, one
pixel per value, one colour scale). Flatten lays them end to end in torch's order, map
by map, each row by row (C×H×W): each map shrinks into its stretch of one tall strip of
C·H·W values. From the strip, the dense part is chapter one's diagram
(scenes/mobjects/network_diagram.py, drawn from scenes/convolutions/dense_part.py): its
input column is the strip's most active values (lines show where each sits in the strip),
the dense layers fill to their real activations, and the brightest output is the answer,
with its probability. A stack deeper than fits shows its first maps and says how many
are not drawn.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, Group, SurroundingRectangle, Text, VGroup, VMobject

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.animations.highlighting import highlight_answer
from nn_explainer.scenes.animations.propagation import propagate
from nn_explainer.scenes.animations.unrolling import reveal
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.convolutions.conv_parts import step_words
from nn_explainer.scenes.convolutions.dense_part import dense_part, flatten_index
from nn_explainer.scenes.chapter_one.forward_pass import output_value
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.layout import fit_width, keep_inside
from nn_explainer.scenes.mobjects.network_diagram import NetworkDiagram
from nn_explainer.scenes.mobjects.pixel_grid import line_points
from nn_explainer.scenes.mobjects.raster import fade_in_as_picture
from nn_explainer.scenes.mobjects.signed_map import SignedMap
from nn_explainer.scenes.speech.narration import say

MAX_DRAWN_MAPS = 64        # maps drawn before the flatten; a deeper stack: its first 64, the rest counted
STRIP_WIDTH = 0.22
DIAGRAM_HEIGHT = 5.6


def probability_text(p: float) -> str:
    """A probability as a percentage of three figures at most; one that rounds to 100 %
    but is not 1 is written as what it is, over 99.9 %."""
    text = spoken.percent_text(p, 1)
    return "over 99.9%" if text.startswith("100") and p < 1 else text


def probability_said(p: float) -> str:
    text = spoken.percent_text(p, 1)
    return "over ninety-nine point nine percent" if text.startswith("100") and p < 1 else spoken.percent(p, 1)


def script(story) -> dict[str, str]:
    network, example = story.network, story.example
    flatten = flatten_index(network)
    channels, height, width = network.shapes[flatten]
    part, values = dense_part(network, example)
    before = step_words([network.layers[flatten - 1].kind])[0]
    drawn = min(channels, MAX_DRAWN_MAPS)
    answer = int(example.prediction)
    widths = part.sizes[1:]
    lines = {
        "maps": (f"After the last {before}, the digit is {spoken.count(channels, 'map')} of {spoken.integer(height)} "
                 f"by {spoken.integer(width)} values."
                 + (f" The first {spoken.integer(drawn)} are drawn." if drawn < channels else "")),
        "flatten": (f"Flatten lays them end to end: map zero's {spoken.integer(height * width)} values, row by row, "
                    f"then map one's, and so on. That makes {spoken.integer(part.sizes[0])} numbers in one long list."),
        "dense": ("From here on it is the network of chapter one: "
                  + (f"a dense layer of {spoken.integer(widths[0])} neurons weighs all "
                     f"{spoken.integer(part.sizes[0])} numbers, then {spoken.integer(widths[-1])} outputs."
                     if len(widths) > 1 else
                     f"one dense layer weighs all {spoken.integer(part.sizes[0])} numbers into "
                     f"{spoken.integer(widths[-1])} outputs.")
                  + f" Drawn are the {spoken.integer(style.MAX_DRAWN_NEURONS)} largest of the list."),
    }
    probability = float(values.a[-1][answer])
    if network.output_activation == "softmax":
        lines["answer"] = (f"The brightest output is the answer: {spoken.integer(answer)}, with a probability of "
                           f"{probability_said(probability)}.")
    else:
        lines["answer"] = (f"The brightest output is the answer: {spoken.integer(answer)}, with "
                           f"{output_value(part)} of {spoken.decimal(probability)}.")
    if example.label is not None:
        lines["answer"] += (" That is right." if answer == example.label else
                            f" The label says {spoken.integer(example.label)}, so it is wrong.")
    return lines


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    network, example = story.network, story.example
    flatten = flatten_index(network)
    stack = example.maps[flatten - 1]
    channels, height, width = stack.shape
    part, values = dense_part(network, example)
    drawn = min(channels, MAX_DRAWN_MAPS)
    scale = float(np.abs(stack).max()) or 1.0

    title = fit_width(Text("into the dense layers", font_size=fonts.title)).to_edge(UP, 0.25)
    columns = int(np.ceil(np.sqrt(drawn)))
    maps = Group(*[SignedMap(stack[c], 0.7, scale) for c in range(drawn)]).arrange_in_grid(cols=columns, buff=0.08)
    maps.scale_to_fit_height(min(maps.height, fonts.pick(4.6, 4.0))).to_edge(LEFT, buff=0.5).shift(DOWN * 0.2)
    shape = Text(f"{channels} maps of {height}×{width}" + (f"\n(the first {drawn} drawn)" if drawn < channels else ""),
                 font_size=fonts.small, line_spacing=0.8).next_to(maps, UP, 0.15)

    # The strip: every value of the flattened list, top to bottom, one pixel each.
    flat = values.a[0]
    strip_height = fonts.pick(4.9, 3.9)
    strip = SignedMap(flat.reshape(-1, 1), strip_height, scale)
    strip.stretch_to_fit_width(STRIP_WIDTH).move_to([fonts.pick(-4.6, -4.4), -0.9, 0])
    order = Text("map by map,\nrow by row", font_size=fonts.small, line_spacing=0.8,
                 color=style.INDEX_COLOUR).next_to(strip, UP, 0.12)
    strip_count = Text(f"{len(flat):,} numbers", font_size=fonts.small).next_to(order, UP, 0.1)
    segment = strip_height * height * width / len(flat)
    top = strip.get_top()[1]
    targets = [(strip.get_x(), top - (c + 0.5) * segment) for c in range(drawn)]

    diagram = NetworkDiagram(part, values, edge_mode=story.settings.edges, typography=fonts, input_blocks=False)
    diagram.scale_to_fit_height(fonts.pick(DIAGRAM_HEIGHT, 4.6))
    room = 7.1 - fonts.pick(1.1, 1.7) - (strip.get_right()[0] + 1.2)
    if diagram.width > room:
        diagram.scale_to_fit_width(room)
    diagram.to_edge(RIGHT, buff=fonts.pick(1.1, 1.7)).set_y(-0.6)
    diagram.settle_labels()
    if fonts.post:   # ten digits at the post layout's size would pile onto each other: the answer alone is named
        diagram.decorations.remove(diagram.output_labels)
    inputs = diagram.layers[0]
    # where each drawn input sits in the list: a line from its place in the strip
    places = np.array([[strip.get_right()[0], top - (i + 0.5) * strip_height / len(flat), 0] for i in inputs.indices])
    ends = np.array([n.get_left() for n in inputs.neurons])
    links = VMobject(stroke_color=style.INDEX_COLOUR, stroke_width=1, stroke_opacity=0.6)
    links.set_points(line_points(places, ends))
    drawn_note = Text(f"the {len(inputs)} largest", font_size=fonts.small, color=style.INDEX_COLOUR)
    drawn_note.next_to(inputs, DOWN, 0.15)
    keep_inside(drawn_note)

    with say(scene, lines["maps"]):
        fade_in_as_picture(scene, title, maps, shape, run_time=style.APPEAR_SECONDS)
    with say(scene, lines["flatten"]):
        # each map shrinks into its stretch of the strip, in the flatten's order
        moves = [m.animate.stretch_to_fit_height(segment).stretch_to_fit_width(STRIP_WIDTH).move_to([x, y, 0])
                 for m, (x, y) in zip(maps, targets)]
        scene.play(*moves, FadeOut(shape), run_time=1.5)
        fade_in_as_picture(scene, strip, strip_count, order, run_time=0.6)   # over the shrunk maps, then alone
        scene.remove(*maps)
    with say(scene, lines["dense"]):
        reveal(scene, diagram)
        fade_in_as_picture(scene, links, drawn_note, run_time=0.6)
        scene.bring_to_front(inputs)
        scene.play(*inputs.fill_animations(diagram.drawn_values(0)), run_time=0.6)
        for index in range(1, len(diagram.layers)):
            propagate(scene, diagram, index)
    with say(scene, lines["answer"]):
        answer = int(example.prediction)
        if fonts.post:
            neuron = diagram.layers[-1].neurons[answer]
            named = Text(f"{answer}: {fmt(float(values.a[-1][answer]))}", font_size=fonts.label, color=style.HIGHLIGHT)
            named.next_to(neuron, RIGHT, 0.15)
            scene.play(FadeIn(SurroundingRectangle(VGroup(neuron, named), color=style.HIGHLIGHT, buff=0.06)),
                       FadeIn(named), run_time=style.ANSWER_SECONDS)
        else:
            highlight_answer(scene, diagram)
        words = ("probability " + probability_text(float(values.a[-1][answer]))
                 if network.output_activation == "softmax" else "the brightest output")
        verdict = Text(f"answer: {answer}, {words}", font_size=fonts.label, color=style.HIGHLIGHT)
        verdict.next_to(title, DOWN, 0.2)
        keep_inside(verdict)
        scene.play(FadeIn(verdict), run_time=0.5)
    scene.wait(style.HOLD_SECONDS)


class IntoTheDenseLayers(BeatScene):
    beats = ("IntoTheDenseLayers",)
