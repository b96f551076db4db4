"""ForwardPass of a convolutional network: the digit, each convolution as a stack of its
real feature maps, ReLU and pooling as their own transitions on that stack, the flatten,
and chapter one's dense drawing from there to the answer.

Sections, when played alone: `digit`; `layer_N` for each layer N (the export's
numbering, from 1) before the flatten: a convolution's maps appear beside the previous
stack, an activation or a pooling redraws its stack's maps; `flatten` (the dense part
appears, its input column filled with the flattened maps); `dense_K` (chapter one's
transition into the K-th dense layer); `answer`. Each stack is drawn on one colour scale
(white for +scale, red for -scale; scale: the largest |value| on that stack), written in
the caption at the bottom with the layer's numbers. Everything drawn or said comes from
the export (scenes/convolutions/pass_plan.py works it out).
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, Group, Text, Transform, config

from nn_explainer.model import conv_formula
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.animations.highlighting import highlight_answer
from nn_explainer.scenes.animations.propagation import propagate
from nn_explainer.scenes.animations.unrolling import reveal
from nn_explainer.scenes.beat import begin_section
from nn_explainer.scenes.mobjects.digit_picture import DigitPicture
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.map_stack import GAP, FeatureMapStack, grid_shape, most_active
from nn_explainer.scenes.mobjects.layout import describe, keep_inside
from nn_explainer.scenes.mobjects.network_diagram import NetworkDiagram
from nn_explainer.scenes.speech.narration import say

from .pass_plan import below_zero, dense_tail, flatten_index, stacks, value_range

DIGIT_SIZE = 1.6          # frame units
GRID_ROWS = (4, 6, 8)     # a stack's grid is this many maps high at most: the one that draws them largest
STACK_HEIGHT = 5.2        # the tallest a stack of maps is drawn
MAX_MAP_SIZE = 1.4
COLUMN_GAP = 0.55         # between the digit, the stacks and the dense part
DENSE_SPACING = 1.8       # between the dense part's columns
POST_DENSE_SPACING = 1.3  # the post layout's: its stacks' headers and notes are wider, its frame is not
DENSE_HEIGHT = 5.8
POST_DENSE_HEIGHT = 7.0   # the post layout's output digits are bigger: the outputs need more room
CAPTION_Y = -3.35         # the caption's centre: under the stacks
CLEARANCE = 0.15          # the least room between texts: a note and the caption, the digit's caption and a stack
HEADER_GAP = 0.2          # between a stack and its header
NOTE_GAP = 0.15           # between a stack and its note
FRAME_MARGIN = 0.25       # the least room between the digit's caption and the frame's edge
TOP_MARGIN = 0.2          # above the stacks' headers
LABEL_GAP = 0.3           # the least room between two stacks' headers or notes
CURTAIN_MARGIN = 0.25     # the dense part's wipe-in curtain reaches 0.2 past it: both inside the frame


# ---- what is said and written: numbers from the export ---------------------------------

def _ordinal(n: int) -> str:
    return spoken.ordinal(n)


def _by(pair) -> str:
    return f"{spoken.integer(pair[0])} by {spoken.integer(pair[1])}"


def _times(pair) -> str:
    return f"{pair[0]}×{pair[1]}"


def _conv_number(network, index: int) -> int:
    return sum(isinstance(layer, conv_formula.Conv2d) for layer in network.layers[:index + 1])


def _how(layer) -> str:
    """A convolution's or pooling's stride and padding, when they are not the plain ones."""
    words = []
    if tuple(layer.stride) != (1, 1) and not (isinstance(layer, conv_formula.Pool) and
                                               tuple(layer.stride) == tuple(layer.kernel)):
        words.append(f"stride {spoken.integer(layer.stride[0])}" if layer.stride[0] == layer.stride[1]
                     else f"stride {_by(layer.stride)}")
    if tuple(layer.padding) != (0, 0):
        words.append(f"padding {spoken.integer(layer.padding[0])}" if layer.padding[0] == layer.padding[1]
                     else f"padding {_by(layer.padding)}")
    return f", with {' and '.join(words)}" if words else ""


def layer_line(network, example, index: int, drawn: int) -> str:
    """What the pass into layer `index` (before the flatten) says."""
    layer, maps = network.layers[index], example.maps[index]
    channels, height, width = network.shapes[index + 1]
    low, high = value_range(maps)
    if isinstance(layer, conv_formula.Conv2d):
        number = _conv_number(network, index)
        kernel = tuple(layer.weight.shape[2:])
        reads = layer.weight.shape[1]
        if reads == 1:
            what = f"slides {spoken.count(channels, 'kernel')} of {_by(kernel)} over the digit"
        else:
            what = (f"reads those {spoken.integer(reads)} maps with {spoken.count(channels, 'kernel')} of "
                    f"{_by(kernel)} by {spoken.integer(reads)}")
        line = (f"The {_ordinal(number)} convolution {what}{_how(layer)}: {spoken.count(channels, 'feature map')} of "
                f"{_by((height, width))}, their values from {spoken.decimal(low)} to {spoken.decimal(high)}.")
        if drawn < channels:
            line += (f" The {spoken.integer(drawn)} most active are drawn; "
                     f"{spoken.integer(channels - drawn)} are not.")
        return line
    if isinstance(layer, conv_formula.Pool):
        kind = ("Max pooling keeps the largest value of each" if layer.kind == "maxpool"
                else "Average pooling keeps the mean of each")
        return f"{kind} {_by(layer.kernel)} window{_how(layer)}: the maps shrink to {_by((height, width))}."
    if layer.name == "relu":
        negatives, total = below_zero(example.maps[index - 1]), np.asarray(example.maps[index - 1]).size
        return (f"ReLU sets every negative value to zero: {spoken.integer(negatives)} of the "
                f"{spoken.integer(total)} values.")
    return f"{spoken.activation_name(layer.name)} squashes every value: now from {spoken.decimal(low)} to {spoken.decimal(high)}."


def layer_caption(network, example, index: int, scale: float, post: bool) -> str:
    """The caption under the stacks during layer `index`'s transition: the layer, its
    maps' shape, their values and the stack's colour scale."""
    layer, maps = network.layers[index], example.maps[index]
    channels, height, width = network.shapes[index + 1]
    low, high = value_range(maps)
    values = f"values {fmt(low)} to {fmt(high)}"
    shape = f"{channels} maps, {height}×{width}"
    if isinstance(layer, conv_formula.Conv2d):
        what = f"conv {_times(layer.weight.shape[2:])}"
    elif isinstance(layer, conv_formula.Pool):
        what = f"{'max' if layer.kind == 'maxpool' else 'average'} pool {_times(layer.kernel)}"
    elif layer.name == "relu":
        what = f"ReLU, {below_zero(example.maps[index - 1]):,} negatives to 0"
        shape = ""
    else:
        what = layer.name
    first = f"layer {index + 1}: {what}" + (f", {shape}" if shape else "")
    if post:
        return f"{first}\n{values} (white {fmt(scale)})"
    return f"{first}\n{values}; drawn white at +{fmt(scale)}, red at -{fmt(scale)}"


def flatten_line(network, example) -> str:
    start = flatten_index(network)
    channels, height, width = network.shapes[start]
    size = int(np.prod(network.shapes[start + 1]))
    return (f"The flatten lays the {spoken.count(channels, 'map')} of {_by((height, width))} out as one list "
            f"of {spoken.integer(size)} numbers: the input of the dense layers.")


def dense_line(tail, k: int) -> str:
    """The pass into the tail's layer k, naming which dense layer it is of how many and
    what it weighs, so that a viewer hears the dense part's depth."""
    layers = len(tail.sizes) - 1
    weighs = f"weighs those {spoken.integer(tail.sizes[k - 1])} numbers into"
    if k == layers:
        which = "One dense layer" if layers == 1 else "The last dense layer"
        return f"{which} {weighs} the {spoken.integer(tail.sizes[-1])} outputs."
    which = "The first of " + spoken.integer(layers) + " dense layers" if k == 1 else "The next dense layer"
    return f"{which} {weighs} {spoken.count(tail.sizes[k], 'neuron')}."


def answer_line(network, example) -> str:
    answer = int(example.prediction)
    value = ("a softmax probability" if network.output_activation == "softmax" else "an activation")
    line = (f"The brightest output is the answer: {spoken.integer(answer)}, with {value} of "
            f"{spoken.decimal(float(example.maps[-1][answer]))}.")
    if example.label is not None:
        line += (" That is right." if answer == example.label else
                 f" The label says {spoken.integer(example.label)}, so this time it is wrong.")
    return line


def drawn_count(network, example, stack) -> int:
    """How many maps the stack draws: its most active ones, by the stack's last maps."""
    return len(most_active(example.maps[stack.layers[-1]]))


def script(story) -> dict[str, str]:
    network, example = story.network, story.example
    lines = {"digit": f"Now watch this convolutional network read a digit: {spoken.example_name(example)}."}
    for stack in stacks(network, example):
        drawn = drawn_count(network, example, stack)
        for index in stack.layers:
            lines[f"layer_{index + 1}"] = layer_line(network, example, index, drawn)
    tail = dense_tail(network, example)
    lines["flatten"] = flatten_line(network, example)
    for k in range(1, len(tail.sizes)):
        lines[f"dense_{k}"] = dense_line(tail, k)
    lines["answer"] = answer_line(network, example)
    return lines


# ---- what is drawn ----------------------------------------------------------------------

def _map_sizes(counts, room: float, most_rows: int, height: float, labels=None) -> list[float]:
    """Each stack's map side, its grid at most `most_rows` high: as large as MAX_MAP_SIZE,
    the stacks' `height` and the width left allow. A stack's column is as wide as its grid
    or its entry in `labels` (the least width its header and note ask), whichever is wider,
    and the columns, each with a COLUMN_GAP after it, fit in `room` (if the labels alone
    do not, the grids do)."""
    shapes = [grid_shape(count, most_rows) for count in counts]
    caps = [min(MAX_MAP_SIZE, (height - (r - 1) * GAP) / r) for r, _ in shapes]
    labels = [0.0] * len(counts) if labels is None else labels

    def sizes(across):
        return [min(cap, across) for cap in caps]

    def width(across, labels):
        return sum(max(label, c * side + (c - 1) * GAP) + COLUMN_GAP
                   for label, (_, c), side in zip(labels, shapes, sizes(across)))

    if width(0.0, labels) > room:
        labels = [0.0] * len(counts)
    low, high = 0.0, max(caps)
    if width(high, labels) <= room:
        return sizes(high)
    for _ in range(40):   # the widest maps that fit: width() grows with them
        low, high = ((low + high) / 2, high) if width((low + high) / 2, labels) <= room else (low, (low + high) / 2)
    return sizes(low)


def grid_rows(counts, room: float, height: float = STACK_HEIGHT, labels=None) -> tuple[int, list[float]]:
    """(rows, map sides): the grid height (of GRID_ROWS) that draws the smallest map largest,
    the shorter grid where they tie; no stack taller than `height`, none narrower than its `labels`."""
    return max(((rows, _map_sizes(counts, room, rows, height, labels)) for rows in GRID_ROWS),
               key=lambda pair: min(pair[1]))


class Layout:
    """Where everything goes, nothing shown yet: the digit and its caption, the stacks
    with their headers and notes, the captions under them, the dense diagram.

    Up and down, every stack lies between its header (under the frame's top) and its note
    (over the highest caption): a deep stack is drawn smaller rather than into them.
    Across, the first stack (and its header) starts clear of the digit's caption, which
    may be wider than the digit. The dense part stays far enough inside the frame for the
    curtain that wipes it in."""

    def __init__(self, story):
        network, example, fonts = story.network, story.example, story.typography
        self.fonts = fonts
        self.stacks = stacks(network, example)
        self.tail = dense_tail(network, example)
        self.digit = DigitPicture(example.pixels, size=fonts.pick(DIGIT_SIZE, 2.0))
        self.digit_caption = Text(describe(example, lines=3), font_size=fonts.small if not fonts.post else fonts.label,
                                  line_spacing=0.8)
        spacing = fonts.pick(DENSE_SPACING, POST_DENSE_SPACING)
        self.diagram = NetworkDiagram(self.tail, self.tail, edge_mode=story.settings.edges, typography=fonts,
                                      input_blocks=False, max_width=spacing * (len(self.tail.sizes) - 1))
        self.diagram.scale_to_fit_height(min(self.diagram.height, fonts.pick(DENSE_HEIGHT, POST_DENSE_HEIGHT)))
        channels = [most_active(example.maps[stack.layers[-1]]) for stack in self.stacks]
        self.captions = {index: self._caption(layer_caption(network, example, index, stack.scale, fonts.post))
                         for stack in self.stacks for index in stack.layers}
        self.headers = [Text(f"conv {_conv_number(network, s.layers[0])}" if isinstance(
            network.layers[s.layers[0]], conv_formula.Conv2d) else f"layer {s.layers[0] + 1}",
            font_size=fonts.label) for s in self.stacks]
        self.notes = [self._note(len(c), len(example.maps[s.layers[0]])) for s, c in zip(self.stacks, channels)]

        top = config.frame_height / 2 - TOP_MARGIN - max(h.height for h in self.headers) - HEADER_GAP
        bottom = max(c.get_top()[1] for c in self.captions.values()) + CLEARANCE
        if any(note is not None for note in self.notes):
            bottom += max(note.height for note in self.notes if note is not None) + NOTE_GAP
        height = min(STACK_HEIGHT, top - bottom)

        margin = fonts.pick(0.5, 0.4)
        self.digit.to_edge(LEFT, buff=margin)
        overhang = self._place_digit_caption() - self.digit.get_right()[0]
        # the diagram's width holds its brace, count and output labels; the box around the
        # answer and its value reach past them
        room = (config.frame_width - 2 * margin - self.digit.width - 2 * COLUMN_GAP - self.diagram.width
                - fonts.pick(0.8, 1.2))
        counts = [len(c) for c in channels]
        labels = [max(h.width, 0.0 if n is None else n.width) + LABEL_GAP - COLUMN_GAP
                  for h, n in zip(self.headers, self.notes)]
        first = labels[0] + COLUMN_GAP - LABEL_GAP   # the first stack's header or note, over its left
        rows, sizes = grid_rows(counts, room, height, labels)
        for _ in range(2):   # as the first stack narrows, its labels reach further left
            columns = grid_shape(counts[0], rows)[1]
            reach = max(0.0, (first - max(columns * sizes[0] + (columns - 1) * GAP, labels[0])) / 2)
            aside = max(0.0, overhang + reach + CLEARANCE - COLUMN_GAP)   # more room after the digit, for its caption
            rows, sizes = grid_rows(counts, room - aside, height, labels)
        self.maps = [FeatureMapStack(example.maps[stack.layers[0]], c, stack.scale, size, rows)
                     for stack, c, size in zip(self.stacks, channels, sizes)]
        y = fonts.pick(0.3, 0.45)
        self.digit.set_y(y)
        x = self.digit.get_right()[0] + COLUMN_GAP + aside
        for stack, label in zip(self.maps, labels):   # each centred in its column: its grid or labels
            width = max(stack.width, label)
            stack.move_to([x + width / 2, y, 0])
            x += width + COLUMN_GAP
        # its count and note on the left need air
        self.diagram.move_to([x + COLUMN_GAP + self.diagram.width / 2, y, 0])
        for stack in self.maps:   # centred on the row, unless that takes it into its header's or note's room
            stack.shift(UP * (max(0.0, bottom - stack.get_bottom()[1]) - max(0.0, stack.get_top()[1] - top)))
        self.diagram.settle_labels()
        keep_inside(self.diagram, CURTAIN_MARGIN)
        self._place_digit_caption()
        for header, stack in zip(self.headers, self.maps):
            header.next_to(stack, UP, HEADER_GAP)
        for note, stack in zip(self.notes, self.maps):
            if note is not None:
                note.next_to(stack, DOWN, NOTE_GAP)
        for caption in self.captions.values():
            caption.align_to(self.digit, LEFT)   # under the stacks, clear of the dense part

    def _place_digit_caption(self) -> float:
        """Put the digit's caption over the digit, inside the frame; returns its right edge."""
        self.digit_caption.next_to(self.digit, UP, 0.25)
        return keep_inside(self.digit_caption, FRAME_MARGIN).get_right()[0]

    def _note(self, shown: int, total: int):
        """Under a stack too deep to draw whole: how many maps are drawn and not."""
        if shown == total:
            return None
        text = self.fonts.pick(f"{shown} most active\nof {total} maps;\n{total - shown} not drawn",
                               f"{shown} of {total}\ndrawn,\n{total - shown} not")
        return Text(text, font_size=self.fonts.small, color=style.INDEX_COLOUR, line_spacing=0.8)

    def _caption(self, text: str) -> Text:
        caption = Text(text, font_size=self.fonts.caption, line_spacing=0.8)
        return caption.set_y(CAPTION_Y if not self.fonts.post else -config.frame_height / 2 + caption.height / 2 + 0.2)


def _swap_caption(scene, old, new, *animations, run_time):
    scene.play(*([FadeOut(old)] if old is not None else []), FadeIn(new), *animations, run_time=run_time)
    return new


def _redraw_maps(scene, drawn: FeatureMapStack, values, caption, new_caption):
    """The stack's maps become `values` (same channels, same scale): pixel for pixel where
    the shape stays (an activation: only what changes changes), a cross-fade where it
    shrinks (a pooling: fewer, larger pixels in the same squares)."""
    pictures = drawn.pictures_of(values)
    same = pictures[0].get_pixel_array().shape == drawn.pictures[0].get_pixel_array().shape
    if same:
        changes = [Transform(old, new) for old, new in zip(drawn.pictures, pictures)]
    else:
        changes = [*[FadeOut(p) for p in drawn.pictures], *[FadeIn(p) for p in pictures]]
    scene.play(*changes, FadeOut(caption), FadeIn(new_caption), run_time=style.TRANSITION_SECONDS)
    if not same:   # the new pictures take the old ones' place in the stack
        scene.remove(*pictures)
        drawn.replace_pictures(pictures)
        scene.add(drawn)
    return new_caption


def play(scene, story):
    network, example = story.network, story.example
    lines = script(story)
    layout = Layout(story)
    begin_section(scene, "digit")
    with say(scene, lines["digit"]):
        scene.play(FadeIn(layout.digit), FadeIn(layout.digit_caption), run_time=style.APPEAR_SECONDS)
    caption = None
    for stack, drawn, header, note in zip(layout.stacks, layout.maps, layout.headers, layout.notes):
        for place, index in enumerate(stack.layers):
            begin_section(scene, f"layer_{index + 1}")
            new_caption = layout.captions[index]
            with say(scene, lines[f"layer_{index + 1}"]):
                if place == 0:   # the stack appears, its maps as the convolution left them
                    extra = [FadeIn(note)] if note is not None else []
                    caption = _swap_caption(scene, caption, new_caption, FadeIn(drawn), FadeIn(header), *extra,
                                            run_time=style.TRANSITION_SECONDS)
                else:            # the same maps, through the activation or the pooling
                    caption = _redraw_maps(scene, drawn, example.maps[index], caption, new_caption)
                scene.wait(style.PAUSE_SECONDS)
    begin_section(scene, "flatten")
    diagram = layout.diagram
    with say(scene, lines["flatten"]):
        if caption is not None:
            scene.play(FadeOut(caption), run_time=style.POOL_SECONDS)
        reveal(scene, diagram)
        scene.bring_to_front(diagram.layers[0])
        scene.play(*diagram.layers[0].fill_animations(diagram.drawn_values(0)), run_time=style.POOL_SECONDS)
    for k in range(1, len(diagram.layers)):
        begin_section(scene, f"dense_{k}")
        with say(scene, lines[f"dense_{k}"]):
            propagate(scene, diagram, k)
    begin_section(scene, "answer")
    with say(scene, lines["answer"]):
        highlight_answer(scene, diagram)
    scene.wait(style.HOLD_SECONDS)
