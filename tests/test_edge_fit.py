"""model/edge_fit.py, the measure behind WhatKernelsLookFor's verdict, against an
independent computation: the edges built cell by cell from each cell's polar angle, and
the share explained found by least squares (numpy's lstsq), not by a cosine."""
import math

import numpy as np
import pytest

from nn_explainer.model import edge_fit


def edge_by_cells(rows, cols, angle):
    """The step edge at `angle`: a cell is +1 when its centre's polar angle lies within
    180 degrees anticlockwise of the line's direction, -1 when within the other half,
    0 on the line (or at the centre)."""
    out = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            x, y = c - (cols - 1) / 2, (rows - 1) / 2 - r
            if math.hypot(x, y) < 1e-12:
                continue
            turn = (math.atan2(y, x) - angle) % (2 * math.pi)
            if min(turn, 2 * math.pi - turn) < 1e-9 or abs(turn - math.pi) < 1e-9:
                continue
            out[r, c] = 1.0 if turn < math.pi else -1.0
    return out


def explained_by_least_squares(kernel, candidate):
    """1 - residual / energy of the best multiple of `candidate` fitted to `kernel`."""
    a = candidate.reshape(-1, 1)
    b = kernel.reshape(-1)
    coefficient = np.linalg.lstsq(a, b, rcond=None)[0]
    residual = ((b - a @ coefficient) ** 2).sum()
    return 1 - residual / (b ** 2).sum()


@pytest.mark.parametrize("shape", [(3, 3), (5, 5)])
def test_edges_and_shares_equal_an_independent_computation(shape):
    for angle in edge_fit.angles():
        assert np.array_equal(edge_fit.edge(shape, angle), edge_by_cells(*shape, angle)), angle
    kernels = np.random.default_rng(7).standard_normal((20, *shape))
    for kernel, share in zip(kernels, edge_fit.shares(kernels)):
        independent = max(explained_by_least_squares(kernel, edge_by_cells(*shape, a)) for a in edge_fit.angles())
        assert share == pytest.approx(independent, abs=1e-12)
        fit = edge_fit.best_edge(kernel)
        assert fit.share == pytest.approx(share) and explained_by_least_squares(kernel, fit.edge) == pytest.approx(share)
        assert (kernel * fit.edge).sum() > 0   # the edge is drawn with the kernel's own sign


def test_an_edge_is_all_edge_a_blob_none_and_chance_is_in_between():
    vertical = np.array([[-1.0, 0.2, 1.0], [-1.1, 0.0, 0.9], [-0.9, -0.1, 1.0]])
    assert edge_fit.best_edge(vertical).share > 0.95
    assert edge_fit.best_edge(3 * edge_fit.edge((3, 3), np.pi / 4)).share == pytest.approx(1.0)
    assert edge_fit.best_edge(np.ones((3, 3))).share == 0.0     # a blob: no edge in it
    chance = edge_fit.chance((3, 3))
    assert 0.1 < chance.mean < 0.5 and chance == edge_fit.chance((3, 3))   # seeded: the same figure
    assert 0 < chance.mostly < 0.5 and chance.spread > 0
    assert chance.compared([0.9] * 8) == "more than" and chance.compared([0.01] * 8) == "less than"
    assert chance.compared([chance.mean] * 8) == "about as much as"
    assert edge_fit.mostly_edges(np.stack([vertical, np.ones((3, 3))])) == 1
