"""WhatKernelsLookFor: chapter one's hope of "little edges", asked again of a CNN, and measured.

HopedForFeatures hoped the first layer would find little edges, and an MLP's weights
looked nothing like them. A convolution's first-layer kernels can be asked directly. The
hope is drawn first, in the grey of made-up pictures: oriented step edges. Then each real
kernel (blue positive, red negative, one scale for all) beside the edge that fits it best
and the share of the kernel's energy (the sum of its squared weights) that edge explains
(model/edge_fit.py: the squared cosine between them, over 36 orientations). Then what
chance gives (random kernels of the same size, seeded), and the verdict: how many kernels
the best edge explains over half of, and the mean share against chance (beyond two standard
errors of as many random kernels' mean, or "about as much as"). The words say
only what these numbers say.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, UP, FadeIn, Group, Text

from nn_explainer.model import edge_fit
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.convolutions.conv_parts import first_kernels
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.raster import fade_in_as_picture, fade_out_as_picture
from nn_explainer.scenes.mobjects.signed_map import SignedMap, StepEdge
from nn_explainer.scenes.speech.narration import say

HOPED_ANGLES = (0.0, np.pi / 4, np.pi / 2, 3 * np.pi / 4)   # the hope's pictures: four orientations
COLUMNS = 8
EDGE_RATIO = 0.55       # a best edge's picture beside its kernel, to the kernel's size


class Verdict:
    """The measurement: each first-layer kernel's best edge and share, chance's share,
    and how many kernels are mostly an edge."""

    def __init__(self, network):
        self.kernels = first_kernels(network)
        self.fits = [edge_fit.best_edge(k) for k in self.kernels]
        self.shares = np.array([fit.share for fit in self.fits])
        self.chance = edge_fit.chance(self.kernels.shape[1:])
        self.mostly = int((self.shares > edge_fit.MOSTLY).sum())

    @property
    def mean(self) -> float:
        return float(self.shares.mean())


def share_text(share: float) -> str:
    return f"{share * 100:.0f}%"


def few_text(fraction: float) -> str:
    """A fraction as a whole percentage, a small one that rounds to 0 as under 1 %."""
    return "under 1%" if 0 < fraction < 0.005 else share_text(fraction)


def few_said(fraction: float) -> str:
    return "under one percent" if 0 < fraction < 0.005 else spoken.percent(fraction, 0)


def verdict_words(v: Verdict) -> tuple[str, str]:
    """(on screen, said): how many kernels are mostly an edge, and the mean against chance."""
    total = len(v.kernels)
    compared = v.chance.compared(v.shares)
    if v.mostly == 0:
        said = f"None of the {spoken.integer(total)} kernels is mostly an edge."
        shown = f"none of the {total} kernels is mostly an edge"
    elif v.mostly == total:
        said = f"All {spoken.integer(total)} kernels are mostly an edge."
        shown = f"all {total} kernels are mostly an edge"
    else:
        said = (f"{spoken.integer(v.mostly)} of the {spoken.integer(total)} kernels "
                f"{'is' if v.mostly == 1 else 'are'} mostly an edge; the other {spoken.integer(total - v.mostly)} "
                f"{'is' if total - v.mostly == 1 else 'are'} not.")
        shown = f"{v.mostly} of {total} kernels are mostly an edge (over half their energy)"
    said = (said[0].upper() + said[1:] + f" On average the best edge explains {spoken.percent(v.mean, 0)} of a kernel: "
            f"{compared} the {spoken.percent(v.chance.mean, 0)} it explains of a random one.")
    shown += f"\nmean share {share_text(v.mean)}: {compared} chance ({share_text(v.chance.mean)})"
    return shown, said


def script(story) -> dict[str, str]:
    v = Verdict(story.network)
    kh, kw = v.kernels.shape[1:]
    return {
        "hope": ("Chapter one hoped the first layer would find little edges: bright on one side, dark on the other. "
                 "A convolution's kernels can be asked directly."),
        "measure": ("For each kernel, take the oriented edge that fits it best, and measure how much of the kernel's "
                    "energy, the sum of its squared weights, that edge explains."),
        "kernels": (f"Here are all {spoken.integer(len(v.kernels))} first-layer kernels, {spoken.integer(kh)} by "
                    f"{spoken.integer(kw)}, each beside its best edge and that share."),
        "chance": (f"Random {spoken.integer(kh)} by {spoken.integer(kw)} kernels, by chance, get "
                   f"{spoken.percent(v.chance.mean, 0)} on average from their best edge, and "
                   f"{few_said(v.chance.mostly)} of them are mostly an edge."),
        "verdict": verdict_words(v)[1],
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    v = Verdict(story.network)
    count = len(v.kernels)

    title = fit_width(Text("what do the kernels look for?", font_size=fonts.title)).to_edge(UP, 0.25)
    hope_pictures = Group(*[StepEdge(edge_fit.edge(v.kernels.shape[1:], a), 0.55) for a in HOPED_ANGLES])
    hope_pictures.arrange(fonts.pick([1, 0, 0], [1, 0, 0]), buff=0.25)
    hope_caption = Text("the hope: little edges (made-up pictures)", font_size=fonts.small, color=style.HOPE_COLOUR)
    hope = Group(hope_caption, hope_pictures).arrange(fonts.pick([1, 0, 0], [1, 0, 0]), buff=0.35)
    fit_width(hope).next_to(title, DOWN, 0.25)
    definition = fit_width(Text(fonts.pick(
        "share: of a kernel's energy (sum of its squared weights), what the best oriented edge explains (cos²)",
        "share: of a kernel's energy (sum of squared\nweights), what its best edge explains (cos²)"),
        font_size=fonts.small, line_spacing=0.8)).next_to(hope, DOWN, 0.2)

    # the post layout's bigger text leaves no room for the hope and the definition beside many
    # kernels: they make way as the kernels come in
    making_way = fonts.post and count > COLUMNS
    room_top = (title if making_way else definition).get_bottom()[1] - 0.25
    verdict_shown, _ = verdict_words(v)
    verdict = fit_width(Text(verdict_shown, font_size=fonts.label, line_spacing=0.8, color=style.HIGHLIGHT))
    verdict.to_edge(DOWN, 0.3)
    chance = fit_width(Text(f"random {v.kernels.shape[1]}×{v.kernels.shape[2]} kernels: {share_text(v.chance.mean)} "
                            f"on average," + fonts.pick(" ", "\n") + f"{few_text(v.chance.mostly)} of them mostly an edge",
                            font_size=fonts.small, color=style.INDEX_COLOUR, line_spacing=0.8)).next_to(verdict, UP, 0.2)
    room_bottom = chance.get_top()[1] + 0.2

    # The kernels as large as the room allows (a few drawn big, many small); their shares'
    # text keeps its size whatever the kernels' (it is never scaled below legible).
    columns = min(count, COLUMNS if count > COLUMNS else 4)   # a few kernels: two rows, drawn bigger
    rows = -(-count // columns)
    text_height = Text("0%", font_size=fonts.small).height + 0.08
    row_gap, column_gap = 0.2, fonts.pick(0.35, 0.4)
    size = max(0.3, min(1.4, (room_top - room_bottom - row_gap * (rows - 1)) / rows - text_height,
               (12.5 - column_gap * (columns - 1)) / columns / (1 + EDGE_RATIO) - 0.1))
    scale = float(np.abs(v.kernels).max()) or 1.0
    cells = Group()
    for kernel, fit in zip(v.kernels, v.fits):
        mostly = fit.share > edge_fit.MOSTLY
        picture = SignedMap(kernel, size, scale)
        edge = StepEdge(fit.edge, size * EDGE_RATIO).next_to(picture, [1, 0, 0], 0.1).align_to(picture, DOWN)
        share = Text(share_text(fit.share), font_size=fonts.small, color=style.HIGHLIGHT if mostly else style.TEXT)
        share.next_to(Group(picture, edge), DOWN, 0.08)
        cells.add(Group(picture, edge, share))
    cells.arrange_in_grid(cols=columns, buff=(column_gap, row_gap))
    cells.move_to([0, (room_top + room_bottom) / 2, 0])

    with say(scene, lines["hope"]):
        fade_in_as_picture(scene, title, hope, run_time=style.APPEAR_SECONDS)
    with say(scene, lines["measure"]):
        fade_in_as_picture(scene, definition, run_time=0.8)
    with say(scene, lines["kernels"]):
        if making_way:
            fade_out_as_picture(scene, hope, definition, run_time=0.5)
        fade_in_as_picture(scene, cells, run_time=1.2)
    with say(scene, lines["chance"]):
        scene.play(FadeIn(chance), run_time=0.6)
    with say(scene, lines["verdict"]):
        fade_in_as_picture(scene, verdict, run_time=0.8)
    scene.wait(style.HOLD_SECONDS)


class WhatKernelsLookFor(BeatScene):
    beats = ("WhatKernelsLookFor",)
