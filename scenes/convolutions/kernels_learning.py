"""KernelsLearning: one first-layer kernel and the test accuracy across our CNN's training run.

Training keeps snapshots of the network (`network-cnn.epochN.json` beside the export:
epochs 0, 1, 2 for the committed CNN, and the export itself at its last epoch). At each:
one kernel of the first convolution, as a picture (one scale for every snapshot, so its
growth shows) and as its numbers; how much of its energy its best oriented edge explains
(model/edge_fit.py, as WhatKernelsLookFor measures it); and the snapshot's own accuracy on
the test digits, a dot on axes of epoch against accuracy. The kernel is chosen for a
reason said: the one most like an edge at the end of training. A network trained
elsewhere has no run of ours: the beat is in outline.RUN_BEATS, refused for it and left
out of its chapters. A run of ours kept without snapshots says so and shows the end only.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Dot, FadeIn, Line, ReplacementTransform, Text, VGroup

from nn_explainer.model import edge_fit
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene, begin_section
from nn_explainer.scenes.convolutions.conv_parts import first_kernels
from nn_explainer.scenes.chapter_one.learning import accuracy_axes
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.raster import fade_in_as_picture
from nn_explainer.scenes.mobjects.signed_map import SignedMap
from nn_explainer.scenes.speech.narration import say

KERNEL_SIZE = 2.4
POST_KERNEL_SIZE = 3.4     # a cell wide enough for the post layout's bigger numbers
WRITTEN_UP_TO = 9          # a kernel of at most this many weights is written out as numbers too
STEP_SECONDS = 1.2


def chosen_kernel(story) -> int:
    """The first-layer kernel most like an edge at the end of training (largest share)."""
    return int(np.argmax(edge_fit.shares(first_kernels(story.network))))


def kernel_at(snapshot, index: int) -> np.ndarray:
    return first_kernels(snapshot.network)[index]


def accuracy_of(snapshot) -> float:
    return float(snapshot.training["test_accuracy"])


def readout(epoch: int, snapshot, index: int) -> str:
    """What the screen writes for a snapshot: its epoch, test accuracy and the kernel's edge share."""
    share = edge_fit.best_edge(kernel_at(snapshot, index)).share
    return (f"epoch {epoch}: test accuracy {spoken.percent_text(accuracy_of(snapshot))}\n"
            f"best edge explains {share * 100:.0f}% of the kernel")


def script(story) -> dict[str, str]:
    snapshots = story.snapshots
    index = chosen_kernel(story)
    if len(snapshots) < 2:
        return {"title": (f"This network was trained without snapshots, so here is kernel {spoken.integer(index)} "
                          "of the first layer only as training left it.")}

    def share(snapshot):
        return spoken.percent(edge_fit.best_edge(kernel_at(snapshot, index)).share, 0)

    epochs = spoken.sequence([spoken.integer(epoch) for epoch, _ in snapshots])
    lines = {
        "title": (f"How did the kernels come to be? Our training run kept the network at epochs {epochs}. "
                  f"Here is kernel {spoken.integer(index)} of the first layer at each: the one most like an edge "
                  "at the end."),
        "axes": "On the right, the accuracy on the test digits at each snapshot.",
    }
    (first_epoch, first), (last_epoch, last) = snapshots[0], snapshots[-1]
    when = "Before any training" if first_epoch == 0 else f"After epoch {spoken.integer(first_epoch)}"
    lines[f"epoch_{first_epoch}"] = (f"{when}, the network gets {spoken.percent(accuracy_of(first), 1)} of the test "
                                     f"digits right, and the best edge explains {share(first)} of the kernel.")
    for epoch, snapshot in snapshots[1:-1]:
        lines[f"epoch_{epoch}"] = (f"After epoch {spoken.integer(epoch)}: {spoken.percent(accuracy_of(snapshot), 1)}, "
                                   f"and the edge explains {share(snapshot)}.")
    lines[f"epoch_{last_epoch}"] = (f"And after epoch {spoken.integer(last_epoch)}, the end of training: "
                                    f"{spoken.percent(accuracy_of(last), 1)}, and the edge explains {share(last)}.")
    return lines


def numbers_of(kernel: np.ndarray, picture: SignedMap, fonts) -> VGroup:
    """The kernel's weights written over its cells (a small kernel only)."""
    if kernel.size > WRITTEN_UP_TO:
        return VGroup()
    written = VGroup()
    for row in range(kernel.shape[0]):
        for col in range(kernel.shape[1]):
            written.add(Text(fmt(float(kernel[row, col])), font_size=fonts.small)
                        .move_to(picture.cell(row, col).get_center()))
    return written


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    snapshots = story.snapshots
    index = chosen_kernel(story)
    title = fit_width(Text(f"kernel {index} of the first layer, as it learned", font_size=fonts.title)).to_edge(UP, 0.3)
    if len(snapshots) < 2:
        picture = SignedMap(kernel_at(story.export, index), KERNEL_SIZE).move_to(LEFT * 2.5)
        with say(scene, lines["title"]):
            fade_in_as_picture(scene, title, picture, numbers_of(kernel_at(story.export, index), picture, fonts),
                               run_time=style.APPEAR_SECONDS)
        scene.wait(style.HOLD_SECONDS)
        return
    scale = max(float(np.abs(kernel_at(s, index)).max()) for _, s in snapshots) or 1.0   # one scale: growth shows

    def drawn(snapshot):
        picture = SignedMap(kernel_at(snapshot, index), fonts.pick(KERNEL_SIZE, POST_KERNEL_SIZE), scale)
        picture.move_to([fonts.pick(-3.6, -3.9), fonts.pick(0.5, 0.4), 0])
        return picture, numbers_of(kernel_at(snapshot, index), picture, fonts)

    def text(epoch, snapshot):
        return Text(readout(epoch, snapshot, index), font_size=fonts.label, line_spacing=0.8).move_to(
            [0, fonts.pick(-2.4, -2.75), 0]).to_edge(LEFT, buff=0.5)

    last_epoch = snapshots[-1][0]
    axes, ticks = accuracy_axes(max(last_epoch, 1), fonts)
    VGroup(axes, ticks).to_edge(RIGHT, buff=fonts.pick(1.0, 0.6)).shift(UP * 0.1)
    caption = Text("test accuracy\nat each snapshot", font_size=fonts.small, line_spacing=0.8,
                   color=style.POSITIVE).next_to(axes, UP, 0.25)
    x_label = Text("epoch", font_size=fonts.small).next_to(ticks, DOWN, 0.1).match_x(axes)

    def dot_at(epoch, snapshot):
        return Dot(axes.c2p(epoch, accuracy_of(snapshot)), radius=0.08, color=style.HIGHLIGHT)

    first_epoch, first = snapshots[0]
    picture, numbers = drawn(first)
    readout_text = text(first_epoch, first)
    dot = dot_at(first_epoch, first)
    begin_section(scene, f"epoch_{first_epoch}")
    with say(scene, lines["title"]):
        fade_in_as_picture(scene, title, picture, numbers, run_time=style.APPEAR_SECONDS)
    with say(scene, lines["axes"]):
        fade_in_as_picture(scene, axes, ticks, caption, x_label, run_time=1.0)
    with say(scene, lines[f"epoch_{first_epoch}"]):
        scene.play(FadeIn(dot, scale=2), FadeIn(readout_text), run_time=0.6)
    previous = (first_epoch, first)
    for epoch, snapshot in snapshots[1:]:
        begin_section(scene, f"epoch_{epoch}")
        new_picture, new_numbers = drawn(snapshot)
        new_text = text(epoch, snapshot)
        new_dot = dot_at(epoch, snapshot)
        path = Line(dot_at(*previous).get_center(), new_dot.get_center(), color=style.HIGHLIGHT, stroke_width=2)
        scene.add(dot.copy())   # each snapshot's dot stays where it was measured
        with say(scene, lines[f"epoch_{epoch}"]):
            scene.play(ReplacementTransform(picture, new_picture), ReplacementTransform(numbers, new_numbers),
                       ReplacementTransform(readout_text, new_text), ReplacementTransform(dot, new_dot),
                       FadeIn(path), run_time=STEP_SECONDS)
        picture, numbers, readout_text, dot, previous = new_picture, new_numbers, new_text, new_dot, (epoch, snapshot)
    scene.wait(style.HOLD_SECONDS)


class KernelsLearning(BeatScene):
    beats = ("KernelsLearning",)
