"""MatrixForm: a(1) = f(W a(0) + b), with the real matrix, vectors and result.

Beat 11. f is the network's activation function, written as trained (σ or ReLU). W
is (first hidden width) x (pixels): its corner entries are written with their real values and the
rest elided (⋯ ⋮ ⋱); likewise a(0), b and the result, which equals the first hidden
layer's activations in the forward pass.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, UP, FadeIn, MathTex, Text, Write

from scenes import style
from scenes.beat import BeatScene
from scenes.mobjects.equations import applied, fmt

SHOWN = 2  # entries written before the ellipsis, then the last one


def shown_indices(count: int) -> list[int]:
    return list(range(SHOWN)) + [count - 1]


def matrix_tex(matrix: np.ndarray) -> str:
    rows, cols = shown_indices(matrix.shape[0]), shown_indices(matrix.shape[1])
    lines = []
    for n, r in enumerate(rows):
        if n == SHOWN:
            lines.append(" & ".join([r"\vdots"] * SHOWN + [r"\ddots", r"\vdots"]))
        cells = [fmt(matrix[r, c]) for c in cols]
        lines.append(" & ".join(cells[:SHOWN] + [r"\cdots"] + cells[SHOWN:]))
    return r"\begin{bmatrix}" + r" \\ ".join(lines) + r"\end{bmatrix}"


def vector_tex(vector: np.ndarray) -> str:
    entries = [fmt(vector[i]) for i in shown_indices(len(vector))]
    return r"\begin{bmatrix}" + r" \\ ".join(entries[:SHOWN] + [r"\vdots"] + entries[SHOWN:]) + r"\end{bmatrix}"


def play(scene, story) -> None:
    weights, bias = story.network.weights[0], story.network.biases[0]
    pixels = story.example.pixels
    function = story.hidden_activation
    result = story.example.a[1]  # f(W a + b): what the reader recomputed and checked
    general = MathTex(r"a^{(1)} = " + applied(function, r"W a^{(0)} + b"), font_size=style.FORMULA_FONT_SIZE)
    general.to_edge(UP, 0.5)
    real = MathTex(function.symbol + r"\left(", matrix_tex(weights), vector_tex(pixels), "+", vector_tex(bias), r"\right)",
                   "=", vector_tex(result), font_size=30).next_to(general, DOWN, 0.6)
    note = Text(f"W is {weights.shape[0]}x{weights.shape[1]}: corner entries are real, the rest elided; "
                "the result is the first hidden layer.\nThe corners are border pixels, blank in every MNIST "
                "digit, so training left their weights at about 0.", font_size=style.SMALL_FONT_SIZE,
                line_spacing=0.8).to_edge(DOWN, 0.5)
    scene.play(Write(general), run_time=1.0)
    scene.play(FadeIn(real), run_time=1.5)
    scene.play(FadeIn(note), run_time=0.5)
    scene.wait(2 * style.READ_SECONDS)


class MatrixForm(BeatScene):
    beats = ("MatrixForm",)
