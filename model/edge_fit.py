"""How much of a kernel is an oriented edge: the measure behind WhatKernelsLookFor's verdict.

Chapter one hopes the first layer finds "little edges". For a convolution's kernel the
question can be measured. An oriented edge, here, is a step through the kernel's centre:
+1 on one side of a line at angle θ, -1 on the other, 0 on the line itself (the kernel's
cells are points on a grid centred on zero). For a kernel K, the share of its energy (the
sum of its squared weights, its mean included) that the best such edge explains is

    share(K) = max over θ of <K, E_θ>² / (<E_θ, E_θ> <K, K>),

the squared cosine between K and the closest edge: 1 for a kernel that is an edge (of
either sign), 0 for one with nothing of an edge in it. A uniform kernel (a blob, no edge)
gets 0: the edges are balanced, their mean is zero. θ runs over `ANGLES` orientations
every 180/ANGLES degrees (an edge at θ + 180° is the same edge, negated).

What chance gives: random kernels of the same size (weights drawn independently from
one normal distribution, seeded, so the figure is the same on every run) have a share
too; `chance` gives their mean and spread, the baseline a real kernel's share is read against.

Pure numpy, no torch: the scenes and tests call it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ANGLES = 36                 # orientations tried: every 5 degrees (a 3x3 kernel has 8 distinct edges)
MOSTLY = 0.5                # "mostly an edge": the best edge explains over half the kernel's energy
CHANCE_KERNELS = 4000       # random kernels behind the chance baseline
CHANCE_SEED = 0


def edge(shape: tuple, angle: float) -> np.ndarray:
    """The oriented step edge of a kh x kw kernel at `angle` (radians): +1 where a cell's
    centre lies on the positive side of the line through the kernel's centre at that
    angle (the side its normal (-sin, cos) points to), -1 on the other, 0 on the line."""
    rows, cols = shape
    y = (rows - 1) / 2 - np.arange(rows)[:, None]     # up is positive, as on screen
    x = np.arange(cols)[None, :] - (cols - 1) / 2
    side = -np.sin(angle) * x + np.cos(angle) * y
    side[np.abs(side) < 1e-9] = 0.0
    return np.sign(side)


def angles(count: int = ANGLES) -> np.ndarray:
    return np.arange(count) * np.pi / count


@dataclass(frozen=True)
class EdgeFit:
    share: float          # of the kernel's energy, the best edge explains (0-1)
    angle: float          # that edge's angle, radians in [0, π) (the first angle giving that edge)
    edge: np.ndarray      # that edge as a kernel (+1/0/-1), its sign the kernel's (bright side where K is positive)


def _fits(kernels: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shares [n, A], dots [n, A], edges [A, kh, kw]) for a stack of kernels [n, kh, kw]."""
    edges = np.stack([edge(kernels.shape[1:], a) for a in angles(count)])
    dots = np.einsum("nij,aij->na", kernels, edges)
    norms = (edges ** 2).sum(axis=(1, 2))
    energy = (kernels ** 2).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(energy[:, None] > 0, dots ** 2 / (norms[None, :] * energy[:, None]), 0.0)
    return shares, dots, edges


def best_edge(kernel, count: int = ANGLES) -> EdgeFit:
    """The oriented edge that explains most of `kernel`'s energy, and how much."""
    kernel = np.asarray(kernel, dtype=np.float64)
    shares, dots, edges = _fits(kernel[None], count)
    best = int(np.argmax(shares[0]))   # the first of equals: the smallest angle
    sign = 1.0 if dots[0, best] >= 0 else -1.0
    return EdgeFit(float(shares[0, best]), float(angles(count)[best]), sign * edges[best])


def shares(kernels, count: int = ANGLES) -> np.ndarray:
    """best_edge(k).share for each kernel of a [n, kh, kw] stack."""
    return _fits(np.asarray(kernels, dtype=np.float64), count)[0].max(axis=1)


@dataclass(frozen=True)
class Chance:
    """What the best edge explains of random kernels of one shape: the mean share, its
    spread (standard deviation), and the fraction of them that are mostly an edge."""
    mean: float
    spread: float
    mostly: float

    def compared(self, shares) -> str:
        """"more than", "less than" or "about as much as": the mean of these kernels' shares
        against chance, beyond two standard errors of the mean of as many random kernels
        (so that a few kernels' luck is not read as a finding)."""
        shares = np.asarray(shares, dtype=np.float64)
        margin = 2 * self.spread / np.sqrt(len(shares))
        if shares.mean() > self.mean + margin:
            return "more than"
        return "less than" if shares.mean() < self.mean - margin else "about as much as"


def chance(shape: tuple, kernels: int = CHANCE_KERNELS, seed: int = CHANCE_SEED) -> Chance:
    """The shares of random kernels of this shape (independent normal weights, seeded):
    what the best edge explains of a kernel that learned nothing."""
    random = shares(np.random.default_rng(seed).standard_normal((kernels, *shape)))
    return Chance(float(random.mean()), float(random.std()), float((random > MOSTLY).mean()))


def mostly_edges(kernels) -> int:
    """How many kernels the best edge explains over MOSTLY of."""
    return int((shares(kernels) > MOSTLY).sum())
