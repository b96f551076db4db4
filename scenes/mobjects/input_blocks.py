"""What the 16 drawn input neurons stand for.

The input layer has 784 neurons, one per pixel: too many to draw. 3Blue1Brown's
original drew the first and last 8 pixels, which are blank border and always 0, so
every input neuron on screen was dark whatever the digit. We draw the whole image
instead, pooled: the 28x28 grid is cut into 4x4 blocks of 7x7 pixels, and drawn input
neuron k stands for block k (row-major: blocks 0-7 are the top half of the image,
8-15 the bottom half, with the ellipsis between them).

- A block neuron's fill is the mean of its 49 pixel values.
- An edge from block k to neuron j stands for the 49 real weights from those pixels:
  its strength is their sum, Σ w_jp over p in the block, what the block would add to
  z_j if it were uniformly full of ink. In contribution mode it is Σ w_jp·a_p, the
  block's actual share of the weighted sum for this digit; the 16 shares add up to
  exactly z_j - b_j.
"""
from __future__ import annotations

import numpy as np

from nn_explainer.model.shapes import IMAGE_SIDE

SIDE = IMAGE_SIDE
BLOCKS_PER_SIDE = 4
BLOCK_SIDE = SIDE // BLOCKS_PER_SIDE
BLOCKS = BLOCKS_PER_SIDE * BLOCKS_PER_SIDE


def block_of_pixels(indices) -> np.ndarray:
    """The block (drawn input neuron) each pixel index belongs to."""
    rows, cols = np.divmod(np.asarray(indices), SIDE)
    return (rows // BLOCK_SIDE) * BLOCKS_PER_SIDE + cols // BLOCK_SIDE


def _sum_by_block(values: np.ndarray) -> np.ndarray:
    """Sum the last axis (784 pixels) within each block -> last axis of 16."""
    values = np.asarray(values, dtype=np.float64)
    blocks = values.reshape(*values.shape[:-1], BLOCKS_PER_SIDE, BLOCK_SIDE, BLOCKS_PER_SIDE, BLOCK_SIDE)
    return blocks.sum(axis=(-3, -1)).reshape(*values.shape[:-1], BLOCKS)


def pooled_pixels(pixels: np.ndarray) -> np.ndarray:
    """The 16 drawn input activations: the mean pixel value of each 7x7 block."""
    return _sum_by_block(pixels) / (BLOCK_SIDE * BLOCK_SIDE)


def pooled_weights(first_layer_weights: np.ndarray) -> np.ndarray:
    """[out, 784] -> [out, 16]: the summed weights of each block."""
    return _sum_by_block(first_layer_weights)


def pooled_contributions(first_layer_weights: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    """[out, 784], [784] -> [out, 16]: each block's share of the weighted sum Σ w·a."""
    return _sum_by_block(np.asarray(first_layer_weights) * np.asarray(pixels)[None, :])
