"""SecondConvolution: one output map of the second convolution, as the sum it is.

The second convolution reads every map the first layer made (after its activation and
pooling) and each of its output maps has its own kernel for every one of them:
out[o] = Σ_c (x[c] ⊛ k[o, c]) + b[o]. We draw one output map, chosen for a reason we
say: the one most active for this digit (the largest sum of its values after the
activation that follows it). Its input maps, each with its own kernel slice, and each
one's response (the map convolved with that slice alone: small pictures, one pixel per
value); then at one position, where that output map is largest, the responses written
out, summed with the bias, equal to the export's own value of the map there. A layer
reading more maps than fit shows those that add most at that position and adds the
others up as one number, saying how many. A network with one convolution shows that one
(its only input is the digit).
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Group, MathTex, Rectangle, Text, VGroup

from nn_explainer.model import conv_formula
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.convolutions.conv_parts import (activated, conv_indices, input_of, step_words,
                                                         steps_between)
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.layout import fit_width, keep_inside
from nn_explainer.scenes.mobjects.raster import fade_in_as_picture
from nn_explainer.scenes.mobjects.signed_map import SignedMap
from nn_explainer.scenes.speech.narration import say

DRAWN_INPUTS = 8        # input maps drawn in the video layout (the post layout: POST_DRAWN_INPUTS)
POST_DRAWN_INPUTS = 4
DIGITS = 3               # decimals at most (three significant figures): a small bias is 0.004, not 0.00


class Sum:
    """The sum the beat writes, from the export: which convolution, which output map and
    position, each input map's response there, the bias and the export's value."""

    def __init__(self, story):
        network, example = story.network, story.example
        convs = conv_indices(network)
        self.layer = convs[1] if len(convs) > 1 else convs[0]
        self.second = len(convs) > 1
        conv = network.layers[self.layer]
        self.kernels = conv.weight                                   # [out, in, kh, kw]
        self.inputs = input_of(network, example, self.layer)         # [in, H, W]
        # the most active output map for this digit: the largest sum after its activation
        self.channel = int(np.argmax(activated(network, example, self.layer).sum(axis=(1, 2))))
        self.map = example.maps[self.layer][self.channel]            # the export's map, before its activation
        self.row, self.col = (int(v) for v in np.unravel_index(int(np.argmax(self.map)), self.map.shape))
        self.responses = np.stack([                                  # each input map under its own kernel slice
            conv_formula.conv2d(self.inputs[c][None, None], self.kernels[self.channel, c][None, None], None,
                                conv.stride, conv.padding)[0, 0] for c in range(len(self.inputs))])
        self.bias = float(conv.bias[self.channel])
        self.value = float(self.map[self.row, self.col])
        self.stride, self.padding = conv.stride, conv.padding
        self.before = step_words(steps_between(network, convs[0], self.layer)) if self.second else []
        self.after = step_words(steps_between(network, self.layer, len(network.layers)))[:1]

    def at(self) -> np.ndarray:
        """Each input map's response at the position."""
        return self.responses[:, self.row, self.col]

    def drawn(self, cap: int) -> list[int]:
        """The input maps drawn: all if they fit, else the `cap` adding most (largest
        |response| at the position), in channel order."""
        if len(self.inputs) <= cap:
            return list(range(len(self.inputs)))
        return sorted(int(c) for c in np.argsort(-np.abs(self.at()), kind="stable")[:cap])

    def rest(self, cap: int) -> float:
        """What the input maps not drawn add at the position."""
        drawn = set(self.drawn(cap))
        return float(sum(v for c, v in enumerate(self.at()) if c not in drawn))


def inputs_said(total: int, sum_: Sum) -> str:
    if not sum_.second:
        return "the digit itself, its only input"
    made = "the maps the first convolution made" + (
        f", after {spoken.sequence(sum_.before)}" if sum_.before else "")
    return f"all {spoken.integer(total)} of {made}"


def script(story) -> dict[str, str]:
    s = Sum(story)
    out_channels, in_channels, kh, kw = s.kernels.shape
    cap = story.typography.pick(DRAWN_INPUTS, POST_DRAWN_INPUTS)
    shown = len(s.drawn(cap))
    which = "second" if s.second else "only"
    lines = {
        "title": (f"The {which} convolution reads {inputs_said(in_channels, s)}, and makes "
                  f"{spoken.count(out_channels, 'map')} of its own. Here is one: map {spoken.integer(s.channel)}, "
                  "the one most active for this digit, with the largest sum"
                  + (f" after {s.after[0]}." if s.after and s.after[0] in ("ReLU", "sigmoid", "tanh") else ".")),
        "kernels": (f"It has its own {spoken.integer(kh)} by {spoken.integer(kw)} kernel for each input map: "
                    + (f"{spoken.count(in_channels, 'kernel')} for this one output map." if in_channels > 1 else
                       "one kernel, since the digit is one map.")),
        "responses": ("Each input map, slid under its own kernel, gives a response: a map of its own."
                      + (f" Drawn here are the {spoken.integer(shown)} that add most at the place we look at; "
                         f"the other {spoken.integer(in_channels - shown)} are added up as one number."
                         if shown < in_channels else "")),
        "sum": (f"Look at row {spoken.integer(s.row)}, column {spoken.integer(s.col)}, where map "
                f"{spoken.integer(s.channel)} is largest. Add up the responses there, and the bias, "
                f"{spoken.decimal(s.bias, DIGITS)}: the total is {spoken.decimal(s.value, DIGITS)}."),
        "result": (f"And that is the map's own value there, {spoken.decimal(s.value, DIGITS)}. The same sum at every place "
                   "makes the whole map" + (f"; then {s.after[0]} follows." if s.after else ".")),
    }
    return lines


def sum_parts(s: Sum, cap: int) -> tuple[list[str], list[str]]:
    """(the sum's parts as written, a label under each or ""): the drawn responses at the
    position, the others as one term, the bias, '=', the export's value. A negative term
    is written glued to its sign (-0.40): the minus reads as the operator it is."""
    parts, labels = [], []
    for c in s.drawn(cap):
        value = fmt(float(s.at()[c]), DIGITS)
        parts.append(value if not parts or value.startswith("-") else "+" + value)
        labels.append("")
    hidden = len(s.inputs) - len(s.drawn(cap))
    if hidden:
        value = fmt(s.rest(cap), DIGITS)
        parts.append(value if value.startswith("-") else "+" + value)
        labels.append(f"{hidden} more")
    bias = fmt(s.bias, DIGITS)
    parts.append(bias if bias.startswith("-") else "+" + bias)
    labels.append("b")
    parts += ["=", fmt(s.value, DIGITS)]
    labels += ["", ""]
    return parts, labels


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    s = Sum(story)
    cap = fonts.pick(DRAWN_INPUTS, POST_DRAWN_INPUTS)
    drawn = s.drawn(cap)
    out_channels, in_channels, kh, kw = s.kernels.shape

    which = "second" if s.second else "only"
    title = fit_width(Text(f"the {which} convolution: map {s.channel} of {out_channels}" + fonts.pick(
        ", the most active for this digit", ""), font_size=fonts.title)).to_edge(UP, 0.25)
    # columns: one per drawn input map, left of the output map
    column_width = fonts.pick(1.2, 1.75)
    size = fonts.pick(0.95, 1.1)
    left = fonts.pick(-4.9, -4.6)
    tops = fonts.pick((2.35, 1.0, -0.3, -1.15), (1.7, 0.35, -0.95, -1.9))  # inputs, kernels, responses, values
    input_scale = float(np.abs(s.inputs[drawn]).max()) or 1.0
    kernel_scale = float(np.abs(s.kernels[s.channel, drawn]).max()) or 1.0
    response_scale = float(np.abs(s.responses[drawn]).max()) or 1.0
    inputs, kernels, responses, values, headers, windows, cells = (Group() for _ in range(7))
    for number, c in enumerate(drawn):
        x = left + column_width * number
        picture = SignedMap(s.inputs[c], size, input_scale).move_to([x, tops[0], 0])
        kernel = SignedMap(s.kernels[s.channel, c], size * 0.55, kernel_scale).move_to([x, tops[1], 0])
        response = SignedMap(s.responses[c], size, response_scale).move_to([x, tops[2], 0])
        inputs.add(picture)
        kernels.add(kernel)
        responses.add(response)
        headers.add(Text(f"map {c}", font_size=fonts.small, color=style.INDEX_COLOUR).next_to(picture, UP, 0.08))
        values.add(Text(fmt(float(s.at()[c]), DIGITS), font_size=fonts.small).move_to([x, tops[3], 0]))
        windows.add(_window(picture, s, kh, kw))
        cells.add(response.cell(s.row, s.col, stroke_width=2))
    row_names = VGroup(*[Text(name, font_size=fonts.small, color=style.INDEX_COLOUR).move_to([left, y, 0])
                         for name, y in zip(("input\nmaps", "kernels", "responses", f"at ({s.row}, {s.col})"),
                                            tops)])
    for name in row_names:
        name.next_to([left - column_width / 2, name.get_y(), 0], LEFT, 0.1)
    if fonts.post:
        # the narration names the rows; the post layout has room for one name, on two lines
        # ("at (row, col)" on one ran past the frame's left edge for pytorch/examples' Net)
        row_names = VGroup(Text(f"at\n({s.row}, {s.col})", font_size=fonts.small, color=style.INDEX_COLOUR,
                                line_spacing=0.8))
        keep_inside(row_names[0].next_to(values, LEFT, 0.2))

    output_size = fonts.pick(2.3, 2.1)
    output = SignedMap(s.map, output_size).to_edge(RIGHT, buff=0.5).set_y(fonts.pick(1.1, 0.6))
    output_caption = Text(f"map {s.channel}\n(before {s.after[0]})" if s.after else f"map {s.channel}",
                          font_size=fonts.small, line_spacing=0.8).next_to(output, UP, 0.12)
    keep_inside(output_caption)
    output_cell = output.cell(s.row, s.col)

    parts, labels = sum_parts(s, cap)
    equation = MathTex(*parts, font_size=fonts.math(36))
    notes = VGroup(*[Text(label, font_size=fonts.small, color=style.INDEX_COLOUR).next_to(part, DOWN, 0.12)
                     for part, label in zip(equation, labels) if label])
    total = equation[-1]
    written = fit_width(VGroup(equation, notes)).to_edge(DOWN, buff=fonts.pick(1.0, 0.55))
    where = Text(f"map {s.channel} at row {s.row}, column {s.col}", font_size=fonts.small,
                 color=style.HIGHLIGHT).next_to(written, DOWN, 0.15)
    box = Rectangle(width=total.width + 0.2, height=total.height + 0.2, stroke_color=style.HIGHLIGHT).move_to(total)

    with say(scene, lines["title"]):
        fade_in_as_picture(scene, title, inputs, headers, row_names[:1], run_time=style.APPEAR_SECONDS)
    with say(scene, lines["kernels"]):
        fade_in_as_picture(scene, kernels, *row_names[1:2], run_time=0.8)
    with say(scene, lines["responses"]):
        fade_in_as_picture(scene, responses, *row_names[2:3], run_time=0.8)
    with say(scene, lines["sum"]):
        fade_in_as_picture(scene, windows, cells, run_time=0.5)
        fade_in_as_picture(scene, values, *row_names[3:], run_time=0.6)
        fade_in_as_picture(scene, written, run_time=1.0)
    with say(scene, lines["result"]):
        fade_in_as_picture(scene, output, output_caption, output_cell, where, box, run_time=style.APPEAR_SECONDS)
    scene.wait(style.HOLD_SECONDS)


def _window(picture: SignedMap, s: Sum, kh: int, kw: int) -> Rectangle:
    """The kernel's window on an input map for the position looked at (what the sum
    there reads), clipped to the map where it overhangs into the padding."""
    rows, cols = picture.values.shape
    top = s.row * s.stride[0] - s.padding[0]
    first = s.col * s.stride[1] - s.padding[1]
    r0, r1 = max(0, top), min(rows, top + kh)
    c0, c1 = max(0, first), min(cols, first + kw)
    side = picture.frame.height / rows
    left, upper = picture.frame.get_left()[0], picture.frame.get_top()[1]
    return Rectangle(width=(c1 - c0) * side, height=(r1 - r0) * side, stroke_color=style.HIGHLIGHT,
                     stroke_width=2).move_to([left + (c0 + c1) / 2 * side, upper - (r0 + r1) / 2 * side, 0])


class SecondConvolution(BeatScene):
    beats = ("SecondConvolution",)
