"""Cells drawn as runs cover exactly the cells asked for, with fewer paths."""
import numpy as np

from nn_explainer.scenes.mobjects.pixel_grid import cell_run_points


def covered(points, side, size, resolution=4):
    """Which sub-cells of a side x side grid the rectangles in `points` fill."""
    grid = np.zeros((side * resolution, side * resolution), bool)
    for rectangle in points.reshape(-1, 16, 3):  # four straight curves of four points each
        xs, ys = rectangle[:, 0], rectangle[:, 1]
        left, right = (np.array([xs.min(), xs.max()]) + size / 2) / size * side * resolution
        top, bottom = (size / 2 - np.array([ys.max(), ys.min()])) / size * side * resolution
        grid[round(top):round(bottom), round(left):round(right)] = True
    return grid


def test_runs_fill_exactly_the_cells():
    rng = np.random.default_rng(0)
    side, size = 28, 2.8
    for _ in range(5):
        cells = np.flatnonzero(rng.random(side * side) < 0.4)
        points = cell_run_points(cells, side, size)
        wanted = np.zeros((side, side), bool)
        wanted.flat[cells] = True
        assert np.array_equal(covered(points, side, size), np.kron(wanted, np.ones((4, 4), bool)))
        assert len(points) // 16 < len(cells)  # neighbours in a row share one rectangle


def test_a_full_row_is_one_rectangle():
    points = cell_run_points(np.arange(28, 56), 28, 2.8)
    assert len(points) == 16
    assert np.allclose([points[:, 0].min(), points[:, 0].max()], [-1.4, 1.4])  # the whole width
    assert np.allclose([points[:, 1].min(), points[:, 1].max()], [1.2, 1.3])    # the second row
