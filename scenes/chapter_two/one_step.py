"""OneStep: many digits, one step. A real mini-batch's wanted nudges, averaged, and one
plain gradient-descent step on their average.

Chapter two, beat 6. The `gradients` section's mini-batch: the first 16 digits of the
first batch training drew (same seed), each digit's wanted nudges of the ten outputs
(-dC/dz: blue up, red down, opacity relative to the largest) as one column, their
average (the mini-batch gradient's output-bias part) written out, and the batch's
mean cost before and after one step θ - η g on the whole averaged gradient, all
recomputed by the reader. Training itself took AdamW steps on batches of 128: said so.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Square, Text, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.chapter_two.gradient_story import check as check_chapter_two, digits_for
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.speech.narration import say

CELL = 0.36          # a nudge's square, frame units
# The post layout's rows must hold its bigger text: bigger squares, so only the first
# POST_DIGITS digits' columns fit; the mean is still over the whole batch, and says so.
POST_CELL = 0.47
POST_DIGITS = 8


def check(story):
    check_chapter_two(story, "OneStep")


def script(story) -> dict[str, str]:
    grads = story.export.gradients
    training = story.export.training
    count = len(grads.batch_labels)
    before, after = float(grads.batch.costs.mean()), grads.cost_after_step
    drawn = ("real digits from the first batch it drew" if story.export.trained_here
             else "real training digits, drawn at random")  # an imported network's batches are not ours to know
    lines = {
        "batch": f"One digit's wishes are not enough. Training takes a mini-batch: here are {spoken.integer(count)} "
                 f"{drawn}, and what each of them wants from the ten outputs.",
        "average": "Averaged over the batch, these wishes make the mini-batch's gradient: "
                   "not the best nudge for any one digit, but a good one for all of them.",
        "step": f"One plain step of gradient descent moves every weight and bias by minus "
                f"{spoken.decimal(grads.learning_rate)} times that gradient, and the batch's average cost falls from "
                f"{spoken.decimal(before, digits_for(before))} to {spoken.decimal(after, digits_for(after))}.",
        "adamw": f"Training itself did not take plain steps: it used AdamW, which sizes each weight's step by its "
                 f"recent gradients and decays the weights a little, on batches of "
                 f"{spoken.integer(training.get('batch_size', 128))}.",
    }
    if not story.export.trained_here:
        lines["adamw"] = "How this network's own training stepped, we cannot say: it was trained elsewhere."
    return lines


def nudge_grid(grads, fonts) -> VGroup:
    """Rows: the ten outputs; columns: the batch's digits (the post layout: the first
    POST_DIGITS), then their average over the whole batch. Opacity: the square root of
    |nudge| relative to the largest, so that one badly wrong digit does not blank the rest."""
    everything = -np.asarray(grads.batch.dz[-1])            # [digits, 10]
    average = everything.mean(axis=0)
    wanted = everything[:fonts.pick(len(everything), POST_DIGITS)]
    top = np.abs(everything).max() or 1.0
    cell = fonts.pick(CELL, POST_CELL)
    columns = VGroup()
    for column, values in enumerate([*wanted, average]):
        squares = VGroup()
        for row, value in enumerate(values):
            square = Square(cell * 0.9, stroke_width=0.6, stroke_color=style.PIXEL_STROKE)
            square.set_fill(style.POSITIVE if value >= 0 else style.NEGATIVE, opacity=min(1.0, np.sqrt(abs(value) / top)))
            square.move_to([0, -row * cell, 0])
            squares.add(square)
        squares.move_to([column * cell + (cell if column == len(wanted) else 0), 0, 0], aligned_edge=UP)
        columns.add(squares)
    return columns


def play(scene, story) -> None:
    fonts = story.typography
    lines = script(story)
    grads = story.export.gradients
    title = Text(fonts.pick("Many digits, one step", "Many digits, one step"), font_size=fonts.title).to_edge(UP, 0.3)
    grid = nudge_grid(grads, fonts)
    cell = fonts.pick(CELL, POST_CELL)
    labels = VGroup(*[Text(str(int(label)), font_size=fonts.small).next_to(column, UP, 0.1)
                      for label, column in zip(grads.batch_labels, grid[:-1])])
    outputs = VGroup(*[Text(str(digit), font_size=fonts.small, color=style.INDEX_COLOUR)
                       .next_to(grid[0][digit], LEFT, 0.15) for digit in range(len(grid[0]))])
    average_label = Text("mean", font_size=fonts.small).next_to(grid[-1], UP, 0.1)
    chart = VGroup(grid, labels, outputs, average_label)
    chart.next_to(title, DOWN, 0.35).to_edge(LEFT, fonts.pick(0.7, 0.4))
    count = len(grads.batch_labels)
    legend = Text(fonts.pick("each digit's wanted nudges of the ten outputs\n(−∂C/∂z: blue up, red down); "
                             "labels above",
                             f"−∂C/∂z of the outputs:\n{POST_DIGITS} of {count} digits, mean of all"),
                  font_size=fonts.small, color=style.INDEX_COLOUR, line_spacing=0.8).next_to(chart, DOWN, 0.25)
    legend.align_to(chart, LEFT)
    with say(scene, lines["batch"]):
        scene.play(FadeIn(title), FadeIn(grid[:-1]), FadeIn(labels), FadeIn(outputs), FadeIn(legend),
                   run_time=style.APPEAR_SECONDS)
        scene.wait(style.READ_SECONDS)

    average = -np.asarray(grads.batch.dz[-1]).mean(axis=0)
    digits = digits_for(np.abs(average).max())
    values = VGroup(*[Text(("+" if v >= 0 else "") + fmt(v, digits), font_size=fonts.small,
                           color=style.POSITIVE if v >= 0 else style.NEGATIVE).next_to(square, RIGHT, 0.12)
                      for v, square in zip(average, grid[-1])])
    with say(scene, lines["average"]):
        scene.play(FadeIn(grid[-1]), FadeIn(average_label), FadeIn(values), run_time=style.APPEAR_SECONDS)
        scene.wait(style.READ_SECONDS)

    before, after = float(grads.batch.costs.mean()), grads.cost_after_step
    step = VGroup(
        Text(f"one plain step:\nθ − η·∇C, η = {grads.learning_rate:g}", font_size=fonts.caption, line_spacing=0.8),
        Text(f"batch cost\n{fmt(before, digits_for(before))} → {fmt(after, digits_for(after))}", line_spacing=0.8,
             font_size=fonts.caption, color=style.HIGHLIGHT),
    ).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
    step.next_to(values, RIGHT, fonts.pick(0.6, 0.4)).align_to(grid, UP)
    with say(scene, lines["step"]):
        scene.play(FadeIn(step), run_time=style.APPEAR_SECONDS)
        scene.wait(style.READ_SECONDS)
    adam = Text(fonts.pick("training itself: AdamW\n(per-weight step sizes,\nweight decay), "
                           f"batches of {story.export.training.get('batch_size', 128)}",
                           f"training used AdamW,\nbatches of {story.export.training.get('batch_size', 128)}")
                if story.export.trained_here else
                fonts.pick(f"its own training: unknown\n(trained elsewhere:\n{story.export.source['kind'].replace('_', ' ')})",
                           "its own training:\nunknown (imported)"),
                font_size=fonts.label, color=style.INDEX_COLOUR, line_spacing=0.8)
    adam.next_to(step, DOWN, 0.5).align_to(step, LEFT)
    with say(scene, lines["adamw"]):
        scene.play(FadeIn(adam), run_time=style.APPEAR_SECONDS)
        scene.wait(style.HOLD_SECONDS)


class OneStep(BeatScene):
    beats = ("OneStep",)
