"""BackToTheRun: thousands of such steps: the real training run, its cost falling.

Chapter two, beat 7. Training's own record of its loss, the mean cross-entropy over each
epoch as training saw it (shifted batches, batch norm in training mode: the
`gradients` section's `history`), as a curve; and the test set's mean cost at each kept
snapshot (`test_costs`) as dots on it: the snapshots chapter one's Learning beat steps
through. Both are measurements the file records, not numbers it can re-prove.
"""
from __future__ import annotations

import math

from manim import DOWN, LEFT, RIGHT, UP, Axes, Create, Dot, FadeIn, Text, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.chapter_two.gradient_story import check as check_chapter_two, digits_for
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.speech.narration import say

AXES_WIDTH, AXES_HEIGHT = 7.0, 4.4
POST_AXES_WIDTH, POST_AXES_HEIGHT = 6.2, 4.0


def check(story):
    check_chapter_two(story, "BackToTheRun")


def steps_taken(story) -> int | None:
    """Gradient steps of the run: epochs × batches per epoch (None if the file does not say)."""
    training = story.export.training
    if not all(isinstance(training.get(k), int) for k in ("train_examples", "batch_size", "epochs")):
        return None
    return training["epochs"] * math.ceil(training["train_examples"] / training["batch_size"])


def script(story) -> dict[str, str]:
    grads = story.export.gradients
    history, costs = grads.history, grads.test_costs
    steps = steps_taken(story)
    return {
        "steps": "Training took step after step like that one"
                 + (f": {spoken.integer(steps)} of them, over {spoken.count(story.export.training['epochs'], 'epoch')}."
                    if steps else "."),
        "curve": f"Here is its real loss, epoch by epoch: from {spoken.decimal(history[0]['loss'])} in the first epoch "
                 f"to {spoken.decimal(history[-1]['loss'])} in the last.",
        "snapshots": f"And the dots are the test set's cost at the snapshots chapter one stepped through, "
                     f"from {spoken.decimal(costs[0]['cost'])} "
                     + ("untrained" if costs[0]["epoch"] == 0 else f"after epoch {spoken.integer(costs[0]['epoch'])}")
                     + f" to {spoken.decimal(costs[-1]['cost'])}: "
                     "learning is this cost going downhill.",
    }


def play(scene, story) -> None:
    fonts = story.typography
    lines = script(story)
    grads = story.export.gradients
    history, costs = grads.history, grads.test_costs
    epochs = max([h["epoch"] for h in history] + [c["epoch"] for c in costs])
    top = max([h["loss"] for h in history] + [c["cost"] for c in costs])
    top = math.ceil(top * 2) / 2
    title = Text("Back to the run", font_size=fonts.title).to_edge(UP, 0.3)
    axes = Axes(x_range=[0, epochs, max(1, epochs // 5)], y_range=[0, top, 0.5],
                x_length=fonts.pick(AXES_WIDTH, POST_AXES_WIDTH), y_length=fonts.pick(AXES_HEIGHT, POST_AXES_HEIGHT),
                axis_config={"stroke_width": 2, "include_tip": False})
    ticks = VGroup(*[Text(str(x), font_size=fonts.small).next_to(axes.c2p(x, 0), DOWN, 0.15)
                     for x in sorted({0, epochs // 2, epochs})],
                   *[Text(fmt(y, 1), font_size=fonts.small).next_to(axes.c2p(0, y), LEFT, 0.15)
                     for y in range(0, int(top) + 1)])
    x_name = Text("epoch", font_size=fonts.small, color=style.INDEX_COLOUR)
    chart = VGroup(axes, ticks)
    chart.next_to(title, DOWN, 0.5).to_edge(LEFT, fonts.pick(1.2, 0.8))
    x_name.next_to(ticks[len({0, epochs // 2, epochs}) - 1], RIGHT, 0.2)
    steps = steps_taken(story)
    note = Text(f"{steps:,}\ngradient steps" if steps else "the run", font_size=fonts.caption, line_spacing=0.8)
    note.next_to(chart, RIGHT, 0.5).align_to(chart, UP)
    with say(scene, lines["steps"]):
        scene.play(FadeIn(title), FadeIn(chart), FadeIn(x_name), FadeIn(note), run_time=style.APPEAR_SECONDS)

    curve = axes.plot_line_graph([h["epoch"] for h in history], [h["loss"] for h in history],
                                 add_vertex_dots=False, line_color=style.POSITIVE, stroke_width=3)
    curve_label = Text(fonts.pick("training loss,\nmean over each epoch", "training loss"),
                       font_size=fonts.label, color=style.POSITIVE, line_spacing=0.8)
    curve_label.next_to(note, DOWN, 0.4).align_to(note, LEFT)
    with say(scene, lines["curve"]):
        scene.play(Create(curve), FadeIn(curve_label), run_time=2.0)

    dots = VGroup(*[Dot(axes.c2p(c["epoch"], c["cost"]), radius=0.08, color=style.HIGHLIGHT) for c in costs])
    values = VGroup(Text(f"{fmt(costs[0]['cost'])}", font_size=fonts.small, color=style.HIGHLIGHT)
                    .next_to(dots[0], RIGHT, 0.15),
                    Text(f"{fmt(costs[-1]['cost'])}", font_size=fonts.small, color=style.HIGHLIGHT)
                    .next_to(dots[-1], UP, 0.15))
    dots_label = Text(fonts.pick("test cost at the\nkept snapshots\n(chapter one's\nLearning beat)",
                                 "test cost at\nthe snapshots"),
                      font_size=fonts.label, color=style.HIGHLIGHT, line_spacing=0.8)
    dots_label.next_to(curve_label, DOWN, 0.4).align_to(note, LEFT)
    with say(scene, lines["snapshots"]):
        scene.play(FadeIn(dots), FadeIn(values), FadeIn(dots_label), run_time=style.APPEAR_SECONDS)
        scene.wait(style.HOLD_SECONDS)


class BackToTheRun(BeatScene):
    beats = ("BackToTheRun",)
