"""MatrixForm: a(1) = f(W a(0) + b), with entries that mean something, computed row by row.

Beat 11. f is the network's activation function, written as trained. W has one row per
first-layer neuron and one column per pixel: far too big to write, and its corners are
border pixels whose weights training left at about 0. So the beat writes the rows of
the featured neuron and its neighbours, restricted to the few inked pixels of the digit
that matter most to it (the largest |w·a|), says which entries those are, and colours
each by sign (blue +, red -) and size. Then each shown row's product with the digit
counts up to its real weighted sum over every pixel, the bias is added and f applied,
landing on the real first-layer activations.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, ChangeDecimalToValue, Circumscribe, DecimalNumber, FadeIn, FadeOut, MathTex,
                   Matrix, SurroundingRectangle, Text, VGroup, Write, config)

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.equations import applied, fmt
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.speech.narration import say

SHOWN_COLUMNS = 4   # inked pixels written per row
NEIGHBOURS = 1      # rows written on each side of the featured neuron's
# The post layout writes the entries big enough to read at 480 px wide, so fewer fit:
# the 2 inked pixels that weigh most instead of 4 (the note says which), closer together.
POST_SHOWN_COLUMNS = 2
MATRIX_SCALE, POST_MATRIX_SCALE = 0.6, 0.92   # of manim's matrix entries (48 pt): 29 pt, 44 pt
MATRIX_H_BUFF, POST_MATRIX_H_BUFF = 2.0, 1.6


def shown_rows(featured: int, count: int) -> list[int]:
    """The featured neuron's row and its neighbours' rows, inside the matrix."""
    first = max(0, min(featured - NEIGHBOURS, count - (2 * NEIGHBOURS + 1)))
    return list(range(first, min(count, first + 2 * NEIGHBOURS + 1)))


def shown_columns(weights: np.ndarray, pixels: np.ndarray, count: int = SHOWN_COLUMNS) -> list[int]:
    """The `count` inked pixels (a > 0) that weigh most in the featured neuron's sum, in pixel order."""
    inked = np.flatnonzero(pixels > 0)
    strongest = inked[np.argsort(-np.abs(weights[inked] * pixels[inked]), kind="stable")[:count]]
    return sorted(int(p) for p in strongest)


def entry_colour(value: float, scale: float):
    """Blue for positive, red for negative, fading towards grey as |value| shrinks."""
    from manim import GREY_B, interpolate_color

    base = style.POSITIVE if value >= 0 else style.NEGATIVE
    return interpolate_color(GREY_B, base, min(1.0, abs(value) / scale))


def written_product(story, rows: list[int], cols: list[int]):
    """(matrix, vector, row names, the three as one group at the left): W restricted to
    the shown rows and columns, a(0) to the shown pixels, each entry coloured by sign and size."""
    fonts, featured = story.typography, story.featured
    weights, pixels = story.network.weights[0], story.example.pixels
    cells = [[fmt(weights[r, c], 3) for c in cols] + [r"\cdots"] for r in rows]  # pixel weights are small
    matrix = Matrix(cells, element_to_mobject=MathTex, h_buff=fonts.pick(MATRIX_H_BUFF, POST_MATRIX_H_BUFF),
                    v_buff=0.75).scale(fonts.pick(MATRIX_SCALE, POST_MATRIX_SCALE))
    scale = float(np.abs(weights[np.ix_(rows, cols)]).max()) or 1.0
    for r, row in enumerate(matrix.get_rows()):
        for c, entry in enumerate(row[:-1]):
            entry.set_color(entry_colour(weights[rows[r], cols[c]], scale))
    vector = Matrix([[fmt(pixels[c])] for c in cols] + [[r"\vdots"]], element_to_mobject=MathTex,
                    v_buff=0.6).scale(fonts.pick(MATRIX_SCALE, POST_MATRIX_SCALE))
    product = VGroup(matrix, vector).arrange(RIGHT, buff=0.2).to_edge(LEFT, buff=0.5).shift(UP * 0.3)
    # The post layout writes the bare row numbers under one "neuron" heading: the room
    # the words took goes to the bigger entries.
    row_names = VGroup(*[Text(fonts.pick(f"neuron {r}", str(r)), font_size=fonts.small, color=style.HIGHLIGHT
                              if r == featured.index else style.TEXT) for r in rows])
    for name, row in zip(row_names, matrix.get_rows()):
        name.next_to(matrix, LEFT, 0.2).set_y(row.get_y())
    if fonts.post:
        row_names.add(Text("neuron", font_size=fonts.small).next_to(row_names, UP, 0.35).align_to(row_names, RIGHT))
    product.add(row_names)
    if not fonts.post:  # the post layout's entries are at their smallest legible size already
        product.scale_to_fit_width(min(product.width, config.frame_width * 0.55))
    product.to_edge(LEFT, buff=fonts.pick(0.4, 0.3))
    return matrix, vector, row_names, product


def script(story) -> dict[str, str]:
    featured, weights = story.featured, story.network.weights[0]
    name = spoken.activation_name(story.hidden_activation.name)
    rows = shown_rows(featured.index, len(weights))
    return {
        "general": (f"For a whole layer at once: the first layer's activations are "
                    f"{name} of W times the input activations, plus b."),
        "matrix": (f"W holds every weight into the first hidden layer: {spoken.count(weights.shape[0], 'row')}, "
                   f"one per neuron, and {spoken.count(weights.shape[1], 'column')}, one per pixel. "
                   f"Written here: neurons {spoken.integer(rows[0])} to {spoken.integer(rows[-1])}, "
                   "at the inked pixels that weigh most."),
        "vector": "Beside it, the digit's values at those same pixels.",
        "rows": (f"Each row times the pixel vector is one neuron's weighted sum. "
                 f"Add its bias, apply {name}, and out comes its activation."),
        "result": (f"For neuron {spoken.integer(featured.index)}, that is "
                   f"{spoken.decimal(float(story.example.a[1][featured.index]))}, the same activation as before. "
                   "One matrix product computes the whole layer."),
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    network, example, featured = story.network, story.example, story.featured
    weights, bias, pixels = network.weights[0], network.biases[0], example.pixels
    function = story.hidden_activation
    rows = shown_rows(featured.index, len(weights))

    general = MathTex(r"a^{(1)} = " + applied(function, r"W a^{(0)} + b"), font_size=fonts.formula)
    general.to_edge(UP, 0.35)
    with say(scene, lines["general"]):
        scene.play(Write(general), run_time=1.0)

    # Row by row: the real weighted sum over every pixel, counting up; then + b and f.
    header = VGroup(*[MathTex(tex, font_size=fonts.math(style.FORMULA_FONT_SIZE - 8)) for tex in
                      (r"W a^{(0)}", r"+\,b", r"= z", applied(function, "z"))])
    step_size = fonts.math(style.FORMULA_FONT_SIZE - 10)
    # Each row's + b, = z and f(z), made now so that the columns can be spaced to hold them.
    row_steps = []
    for r in rows:
        row_steps.append([MathTex(tex, font_size=step_size) for tex in
                          (fmt(bias[r]), fmt(float(example.z[0][r])), fmt(float(example.a[1][r])))])
        row_steps[-1][-1].set_color(style.HIGHLIGHT)
    widths = [header[0].width] + [max([header[c + 1].width] + [s[c].width for s in row_steps]) for c in range(3)]
    # As many inked pixels' columns as leave room for the results' columns: a wide f(z)
    # ("ReLU(z)") in the post layout's bigger text takes one.
    count = fonts.pick(SHOWN_COLUMNS, POST_SHOWN_COLUMNS)
    while True:
        cols = shown_columns(featured.weights, pixels, count)
        matrix, vector, row_names, product = written_product(story, rows, cols)
        x_positions = column_positions(product.get_right()[0] + fonts.pick(0.9, 0.75),
                                       config.frame_width / 2 - fonts.pick(0.7, 0.5), widths)
        if count == 1 or x_positions[0] - widths[0] / 2 >= product.get_right()[0] + 0.15:
            break
        count -= 1
    note = fit_width(Text(f"W is {weights.shape[0]}x{weights.shape[1]}. Shown: rows {rows[0]}-{rows[-1]}," + fonts.pick(" ", "\n")
                          + f"and the {len(cols)} inked pixel{'s' if len(cols) > 1 else ''} that weigh"
                          + ("" if len(cols) > 1 else "s") + " most" + fonts.pick("\n", " ")
                          + f"for neuron {featured.index}" + fonts.pick(" ", "\n")
                          + f"({'pixels' if len(cols) > 1 else 'pixel'} {', '.join(map(str, cols))}); the rest elided",
                          font_size=fonts.small, line_spacing=0.8)).to_edge(DOWN, 0.35)
    with say(scene, lines["matrix"]):
        scene.play(FadeIn(matrix), FadeIn(row_names), FadeIn(note), run_time=1.0)
    with say(scene, lines["vector"]):
        scene.play(FadeIn(vector, shift=LEFT * 0.3), run_time=0.8)

    for mobject, x in zip(header, x_positions):
        mobject.move_to([x, matrix.get_top()[1] + 0.35, 0])
    with say(scene, lines["rows"]):
        scene.play(FadeIn(header), run_time=0.6)
        results = VGroup()
        for i, r in enumerate(rows):
            y = matrix.get_rows()[i].get_y()
            box = SurroundingRectangle(VGroup(matrix.get_rows()[i], row_names[i]), color=style.HIGHLIGHT, buff=0.06)
            total = float(weights[r] @ pixels)
            running = DecimalNumber(0, num_decimal_places=2, font_size=step_size).move_to([x_positions[0], y, 0])
            scene.play(FadeIn(box), FadeIn(running), run_time=0.4)
            # Circumscribe flashes an outline: Indicate would copy the whole vector every row.
            scene.play(ChangeDecimalToValue(running, total), Circumscribe(vector, color=style.HIGHLIGHT), run_time=0.9)
            steps = [step.move_to([x, y, 0]) for step, x in zip(row_steps[i], x_positions[1:])]
            scene.play(*[FadeIn(step, shift=RIGHT * 0.2) for step in steps], FadeOut(box), run_time=0.7)
            results.add(VGroup(running, *steps))
    # The shown entries of a(1), where the forward pass put them.
    final = MathTex(r"a^{(1)}_{" + f"{rows[0]}..{rows[-1]}" + "} = (" + ",\\ ".join(fmt(example.a[1][r]) for r in rows)
                    + ")", font_size=fonts.math(style.FORMULA_FONT_SIZE - 6)).next_to(note, UP, 0.35)
    # Each result flies into the vector as it appears (moving small copies: transforming
    # the whole group into `final` would morph hundreds of glyph parts every frame).
    with say(scene, lines["result"]):
        scene.play(*[FadeOut(result[-1].copy(), target_position=final) for result in results], FadeIn(final),
                   run_time=1.0)
    scene.wait(style.READ_SECONDS)


def column_positions(left: float, right: float, widths: list[float], gap: float = 0.25) -> list[float]:
    """The columns' centres, evenly from `left` to `right`; or, where wide entries would then
    touch ("ReLU(z)", "12.34", the post layout's bigger text), packed from the frame's
    right edge with `gap` between them."""
    even = list(np.linspace(left, right, len(widths)))
    if all(b - a >= (wa + wb) / 2 + gap for a, b, wa, wb in zip(even, even[1:], widths, widths[1:])) \
            and even[-1] + widths[-1] / 2 <= config.frame_width / 2 - 0.2:
        return even
    packed, edge = [], config.frame_width / 2 - 0.2
    for width in reversed(widths):
        packed.insert(0, edge - width / 2)
        edge -= width + gap
    return packed


class MatrixForm(BeatScene):
    beats = ("MatrixForm",)
