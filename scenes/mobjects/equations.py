"""Numbers and formulas as written on screen: one format for every beat."""
from __future__ import annotations

import numpy as np

from nn_explainer.scenes.speech.spoken import figures


def fmt(value: float, digits: int = 2) -> str:
    """A number as written on screen: fixed decimals, never a "-0.00", at most three
    significant figures, and rounded as the voice says it (spoken.figures: one rounding)."""
    return figures(value, digits)


def thousands(count: int) -> str:
    """13,002 written for LaTeX (a bare comma there is followed by a space)."""
    return f"{count:,}".replace(",", "{,}")


def top_terms(weights: np.ndarray, activations: np.ndarray, count: int) -> list[int]:
    """Indices of the `count` largest contributions |w·a|, in pixel order."""
    contributions = np.abs(np.asarray(weights) * np.asarray(activations))
    return sorted(int(i) for i in np.argsort(-contributions, kind="stable")[:count])


def parameter_terms(sizes: list[int]) -> tuple[list[str], list[str], int, int]:
    """(weight terms, bias terms, weights, biases) of a network of these layer sizes."""
    pairs = list(zip(sizes, sizes[1:]))
    return ([rf"{n_in} \times {n_out}" for n_in, n_out in pairs], [str(n_out) for _, n_out in pairs],
            sum(n_in * n_out for n_in, n_out in pairs), sum(n_out for _, n_out in pairs))


def applied(activation, argument: str) -> str:
    """f(argument) in LaTeX, f being the network's activation function."""
    return rf"{activation.symbol}\left({argument}\right)"
