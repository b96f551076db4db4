"""GradientVector: the digit's gradient, one number per weight and bias, and which matter most.

Chapter two, beat 4. -∇C for the digit: its count of components and its length, its
largest components named (layer, neuron, source) with their real values and bars, the
real ratio of the largest to the median, and how many are exactly zero (the weights
from blank pixels: dC/dw = dC/dz × a, and a is 0 there). Computed by the numpy backward
pass the export reader re-proves the file's autograd gradient with.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Rectangle, Text, VGroup

from nn_explainer.model import backprop
from nn_explainer.model.shapes import IMAGE_SIDE
from nn_explainer.scenes import spoken, style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.gradient_story import backward, check as check_chapter_two, digits_for
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.narration import say

BAR_LENGTH = 2.6     # the largest component's bar, frame units


def check(story):
    check_chapter_two(story, "GradientVector", needs_section=False)


def facts(story) -> dict:
    grad = backward(story)
    sizes = story.network.sizes
    flat = grad.flat()
    magnitude = np.abs(flat)
    largest = backprop.largest_components(grad, sizes, 1)[0]
    per_layer = []  # each layer's largest weight component, the picture's rows
    for layer in range(len(sizes) - 1):
        weights = grad.weight_gradient(layer)
        row, column = np.unravel_index(int(np.argmax(np.abs(weights))), weights.shape)
        per_layer.append({"layer": layer, "row": int(row), "column": int(column), "value": float(weights[row, column])})
    nonzero = magnitude[magnitude > 0]
    return {"count": flat.size, "length": float(np.sqrt(np.sum(flat * flat))), "largest": largest,
            "per_layer": per_layer, "tied": int((magnitude == magnitude.max()).sum()),
            "zeros": int((magnitude == 0).sum()), "median": float(np.median(magnitude)),
            "ratio": float(magnitude.max() / np.median(nonzero)) if len(nonzero) else 0.0,
            "cost": float(grad.costs[0])}


def component_name(entry: dict) -> str:
    """W1[8, pixel (5, 14)], b2[3]: the layer the weight or bias leads into, numbered as the layers are."""
    layer, row, column = entry["layer"] + 1, entry["row"], entry["column"]
    if column is None:
        return f"b{layer}[{row}]"
    source = f"pixel ({column // IMAGE_SIDE}, {column % IMAGE_SIDE})" if layer == 1 else str(column)
    return f"W{layer}[{row}, {source}]"


def script(story) -> dict[str, str]:
    known = facts(story)
    top = known["largest"]
    where = f"neuron {spoken.integer(top['row'])} of layer {spoken.integer(top['layer'] + 1)}"
    last = known["per_layer"][-1]
    ratio = abs(last["value"]) / abs(top["value"])
    return {
        "vector": f"Stack the cost's derivative with respect to every weight and bias into one column: "
                  f"the gradient, {spoken.integer(known['count'])} numbers for this digit. Minus the gradient says "
                  "which way to nudge each one to lower the cost fastest.",
        "largest": f"Its largest component belongs to {where}"
                   + (f", and {spoken.integer(known['tied'])} tie for it: that neuron's bias and its weights from fully "
                      "inked pixels, because a weight's derivative is the bias's times the activation it multiplies."
                      if known["tied"] > 1 else ".")
                   + f" Layer by layer, the largest weight nudge into the outputs is {spoken.decimal(ratio)} times that.",
        "ratio": f"The largest matters about {spoken.integer(round(known['ratio']))} times as much as the median non-zero one, "
                 f"and {spoken.integer(known['zeros'])} are exactly zero: the weights from blank pixels, "
                 "whose change this digit cannot feel.",
    }


def play(scene, story) -> None:
    fonts = story.typography
    lines = script(story)
    known = facts(story)
    title = Text("The gradient: one nudge per weight and bias", font_size=fonts.title).to_edge(UP, 0.3)
    summary = Text(f"−∇C for this digit: {known['count']:,} numbers\nits length |∇C| = "
                   f"{fmt(known['length'], digits_for(known['length']))}",
                   font_size=fonts.caption, line_spacing=0.8).next_to(title, DOWN, 0.4)
    with say(scene, lines["vector"]):
        scene.play(FadeIn(title), FadeIn(summary), run_time=style.APPEAR_SECONDS)
        scene.wait(style.READ_SECONDS)

    biggest = abs(known["largest"]["value"]) or 1.0
    rows = VGroup()
    for entry in known["per_layer"]:
        nudge = -entry["value"]
        colour = style.POSITIVE if nudge >= 0 else style.NEGATIVE
        name = Text(component_name(entry), font_size=fonts.label)
        value = Text(("+" if nudge >= 0 else "") + fmt(nudge, digits_for(nudge) + 1), font_size=fonts.label, color=colour)
        times = Text(f"{abs(nudge) / biggest:.2f}×", font_size=fonts.label, color=style.INDEX_COLOUR)
        bar = Rectangle(width=max(abs(nudge) / biggest * fonts.pick(BAR_LENGTH, 2.0), 0.02), height=0.22,
                        stroke_width=0).set_fill(colour, opacity=0.9)
        rows.add(VGroup(name, value, times, bar))
    widths = [max(row[i].width for row in rows) for i in range(3)]
    gap = 0.35
    for index, (name, value, times, bar) in enumerate(rows):
        y = -index * fonts.pick(0.45, 0.55)
        name.move_to([0, y, 0], aligned_edge=LEFT)
        value.move_to([widths[0] + gap, y, 0], aligned_edge=LEFT)
        times.move_to([widths[0] + widths[1] + 2 * gap, y, 0], aligned_edge=LEFT)
        bar.move_to([sum(widths) + 3 * gap, y, 0], aligned_edge=LEFT)
    heading = Text(fonts.pick("each layer's largest weight nudge, as a share of the largest of all:",
                              "each layer's largest\nweight nudge, ÷ the largest"),
                   font_size=fonts.small, color=style.INDEX_COLOUR, line_spacing=0.8)
    VGroup(heading, rows).arrange(DOWN, buff=0.2, aligned_edge=LEFT).next_to(summary, DOWN, 0.45).set_x(0)
    with say(scene, lines["largest"]):
        scene.play(FadeIn(heading), run_time=0.4)
        for row in rows:
            scene.play(FadeIn(row), run_time=0.3)
        scene.wait(style.READ_SECONDS)

    ratio = Text(f"tied for the largest: {known['tied']:,}\nlargest ÷ median non-zero: {known['ratio']:,.0f}×\n"
                 f"exactly 0: {known['zeros']:,}",
                 font_size=fonts.caption, color=style.HIGHLIGHT, line_spacing=0.8).next_to(rows, DOWN, 0.45)
    if ratio.get_bottom()[1] < -3.8:
        ratio.shift(UP * (-3.8 - ratio.get_bottom()[1]))
    with say(scene, lines["ratio"]):
        scene.play(FadeIn(ratio), run_time=style.APPEAR_SECONDS)
        scene.wait(style.HOLD_SECONDS)


class GradientVector(BeatScene):
    beats = ("GradientVector",)
