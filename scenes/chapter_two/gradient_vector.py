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
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.chapter_two.gradient_story import backward, check as check_chapter_two, digits_for
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.speech.narration import say

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
    tied = backprop.largest_components(grad, sizes, int((magnitude == magnitude.max()).sum()))
    return {"count": flat.size, "length": float(np.sqrt(np.sum(flat * flat))), "largest": largest,
            "per_layer": per_layer, "tied": len(tied), "ties": why_tied(tied, grad),
            "zeros": int((magnitude == 0).sum()), **zero_sources(grad, sizes),
            "median": float(np.median(magnitude)),
            "ratio": float(magnitude.max() / np.median(nonzero)) if len(nonzero) else 0.0,
            "cost": float(grad.costs[0])}


def why_tied(tied: list[dict], grad) -> str:
    """Why several components share the largest magnitude: "inked" when they are one
    neuron's bias and its weights from inputs of exactly one (dC/dw = dC/db × a), "one
    neuron" when they lead into one neuron otherwise, "" for any other tie (or none)."""
    if len(tied) < 2 or len({(entry["layer"], entry["row"]) for entry in tied}) > 1:
        return ""
    layer = tied[0]["layer"]
    inputs = grad.activations[layer][0]
    has_bias = any(entry["column"] is None for entry in tied)
    ones = all(entry["column"] is None or inputs[entry["column"]] == 1.0 for entry in tied)
    return "inked" if has_bias and ones and layer == 0 else "one neuron"


def zero_sources(grad, sizes) -> dict:
    """Why each exactly-zero component is zero, counted once each, in this order:
    "blank", a weight from a blank pixel (dC/dw = dC/dz × a, and a is 0); "silent", one
    touching a hidden neuron this digit leaves at exactly zero: a weight from it (its
    a is 0) or a weight or bias into it (f'(z) = 0: ReLU below zero); "other", the rest
    (a product too small for float64)."""
    blank = silent = other = 0
    last = len(sizes) - 2   # the output layer's index: its neurons are never "silent"
    for layer in range(len(sizes) - 1):
        weights_zero = grad.weight_gradient(layer) == 0
        bias_zero = grad.bias_gradient(layer) == 0
        from_zero = np.broadcast_to(grad.activations[layer][0] == 0, weights_zero.shape)
        dead = (grad.dz[layer][0] == 0) & (layer < last)
        explained = from_zero | dead[:, None]
        if layer == 0:  # a pixel at zero is a blank pixel, whatever the neuron it feeds
            blank += int((weights_zero & from_zero).sum())
            silent += int((weights_zero & dead[:, None] & ~from_zero).sum())
        else:
            silent += int((weights_zero & explained).sum())
        silent += int((bias_zero & dead).sum())
        other += int((weights_zero & ~explained).sum()) + int((bias_zero & ~dead).sum())
    return {"blank_zeros": blank, "silent_zeros": silent, "other_zeros": other}


def component_name(entry: dict) -> str:
    """W1[8, pixel (5, 14)], b2[3]: the layer the weight or bias leads into, numbered as the layers are."""
    layer, row, column = entry["layer"] + 1, entry["row"], entry["column"]
    if column is None:
        return f"b{layer}[{row}]"
    source = f"pixel ({column // IMAGE_SIDE}, {column % IMAGE_SIDE})" if layer == 1 else str(column)
    return f"W{layer}[{row}, {source}]"


def layer_name(layer: int, sizes) -> str:
    """Where a weight leads, as said: "the outputs", or "layer two"."""
    return "the outputs" if layer == len(sizes) - 1 else f"layer {spoken.integer(layer)}"


def shares_line(known: dict, sizes) -> str:
    """Each layer's largest weight nudge as a share of the largest of all, as the rows draw them."""
    top = abs(known["largest"]["value"])
    parts = []
    for entry in known["per_layer"]:
        share = abs(entry["value"]) / top
        where = layer_name(entry["layer"] + 1, sizes)
        said = spoken.decimal(share)
        parts.append(f"the whole of it into {where}" if share == 1.0 else
                     f"nearly all of it into {where}" if said == "nearly one" else f"{said} of it into {where}")
    return "Each layer's largest weight nudge, as a share of it: " + spoken.sequence(parts) + "."


def zeros_line(known: dict) -> str:
    """How many components are exactly zero, and why, each reason counted."""
    zeros, blank, silent, other = (known[key] for key in ("zeros", "blank_zeros", "silent_zeros", "other_zeros"))
    if zeros == 0:
        return "none is exactly zero."
    if blank == zeros:
        return f"{spoken.integer(zeros)} are exactly zero: the weights from blank pixels, whose change this digit cannot feel."
    reasons = []
    if blank:
        reasons.append(f"{spoken.integer(blank)} are weights from blank pixels, whose change this digit cannot feel")
    if silent:
        reasons.append(f"{spoken.integer(silent)} touch hidden neurons this digit leaves at exactly zero, "
                       "which pass no change back")
    if other:
        reasons.append(f"{spoken.integer(other)} are too small for the computer to hold")
    return f"{spoken.integer(zeros)} are exactly zero. Of those, {'; '.join(reasons)}."


def script(story) -> dict[str, str]:
    known = facts(story)
    top = known["largest"]
    where = f"neuron {spoken.integer(top['row'])} of layer {spoken.integer(top['layer'] + 1)}"
    if known["tied"] < 2:
        largest = f"Its largest component belongs to {where}."
    elif known["ties"] == "inked":
        largest = (f"Its largest component belongs to {where}, and {spoken.integer(known['tied'])} tie for it: that "
                   "neuron's bias and its weights from fully inked pixels, because a weight's derivative is the "
                   "bias's times the activation it multiplies.")
    elif known["ties"] == "one neuron":
        largest = f"Its largest component belongs to {where}, and {spoken.integer(known['tied'])} of that neuron's tie for it."
    else:
        largest = f"{spoken.integer(known['tied']).capitalize()} components tie for the largest, the first in {where}."
    return {
        "vector": f"Stack the cost's derivative with respect to every weight and bias into one column: "
                  f"the gradient, {spoken.integer(known['count'])} numbers for this digit. Minus the gradient says "
                  "which way to nudge each one to lower the cost fastest.",
        "largest": f"{largest} {shares_line(known, story.network.sizes)}",
        "ratio": f"The largest matters about {spoken.integer(round_figures(known['ratio']))} times as much as the "
                 f"median non-zero one, and {zeros_line(known)}",
    }


def round_figures(value: float) -> int:
    """A ratio as a whole number of at most three significant figures, as the screen writes it."""
    return int(float(spoken.figures(value, 0)))


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
        times = Text(f"{fmt(abs(nudge) / biggest)}×", font_size=fonts.label, color=style.INDEX_COLOUR)
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

    ratio = Text(f"tied for the largest: {known['tied']:,}\nlargest ÷ median non-zero: "
                 f"{round_figures(known['ratio']):,}×\n" + zeros_text(known),
                 font_size=fonts.caption, color=style.HIGHLIGHT, line_spacing=0.8).next_to(rows, DOWN, 0.45)
    if ratio.get_bottom()[1] < -3.8:
        ratio.shift(UP * (-3.8 - ratio.get_bottom()[1]))
    with say(scene, lines["ratio"]):
        scene.play(FadeIn(ratio), run_time=style.APPEAR_SECONDS)
        scene.wait(style.HOLD_SECONDS)


def zeros_text(known: dict) -> str:
    """The zeros as the screen writes them: how many, and from what."""
    parts = [f"{known[key]:,} {what}" for key, what in (("blank_zeros", "from blank pixels"),
                                                          ("silent_zeros", "at silent neurons"),
                                                          ("other_zeros", "underflow"))
             if known[key] and known[key] != known["zeros"]]
    return f"exactly 0: {known['zeros']:,}" + (f"\n({', '.join(parts)})" if parts else "")


class GradientVector(BeatScene):
    beats = ("GradientVector",)
