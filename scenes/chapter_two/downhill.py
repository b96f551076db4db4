"""Downhill: a real slice of the real cost surface, and a ball taking real gradient steps.

Chapter two, beat 3. The cost is a function of every weight and bias at once; we draw
it over a plane through the trained weights θ: θ + s u + t v, with u the gradient of a
real mini-batch (16 digits of training's first batch) and v the digit's own gradient,
made perpendicular to u, both unit vectors (the `gradients` section's `surface`). Seen
from above, brighter is higher. The ball's points are gradient steps on that slice,
each moving against the real gradient's components along u and v; the reader
recomputed every cost and step from the file's weights.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Dot, FadeIn, Square, Text, VGroup, VMobject, interpolate_color, ManimColor

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.chapter_two.gradient_story import check as check_chapter_two
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.speech.narration import say

LOW, HIGH = ManimColor("#0b1d51"), ManimColor("#f5d76e")   # the surface's colour ramp: low cost to high
MAP_SIZE = 5.6
POST_MAP_SIZE = 5.2
STEP_SECONDS = 0.35


def check(story):
    check_chapter_two(story, "Downhill")


def featured_word(story) -> str:
    """The section's digit as a word: "three" for the sloppy three (its label)."""
    grads = story.export.gradients
    return spoken.integer(story.export.example(grads.digit_id).label)


def script(story) -> dict[str, str]:
    grads = story.export.gradients
    path = grads.path
    return {
        "dimensions": f"The cost depends on every weight and bias at once: {spoken.integer(grads.parameter_count)} "
                      "numbers. Its surface has that many dimensions, and no one can draw it.",
        "slice": f"But we can draw a real slice through it: the average cost of {spoken.integer(len(grads.batch_labels))} "
                 "real training digits, as the weights move along two real directions: the gradient of those digits, "
                 f"and the gradient of the sloppy {featured_word(story)} alone, made perpendicular.",
        "centre": f"The trained network is the centre of the slice, at a cost of {spoken.decimal(float(grads.batch.costs.mean()))}. "
                  "Brighter is higher.",
        "ball": f"A ball set down uphill takes real gradient steps, each against the slope of the slice, "
                f"and its cost falls from {spoken.decimal(path[0, 2])} to {spoken.decimal(path[-1, 2])}.",
    }


def surface_map(grads, size: float) -> VGroup:
    """The grid of costs as squares, rows t (upwards), columns s (rightwards)."""
    cost = grads.surface
    low, high = float(cost.min()), float(cost.max())
    count = len(grads.span)
    side = size / count
    cells = VGroup()
    for row in range(count):
        for column in range(count):
            level = (cost[row, column] - low) / (high - low or 1.0)
            cell = Square(side, stroke_width=0).set_fill(interpolate_color(LOW, HIGH, level), opacity=1)
            cell.move_to([(column - (count - 1) / 2) * side, (row - (count - 1) / 2) * side, 0])
            cells.add(cell)
    return cells


def to_map(cells: VGroup, grads, s: float, t: float) -> np.ndarray:
    """Where (s, t) of the slice lies on the drawn map."""
    radius = float(grads.span[-1])
    half = cells.width / 2 * (1 - 1 / len(grads.span))  # cell centres span the grid's values
    return cells.get_center() + np.array([s / radius * half, t / radius * half, 0])


def play(scene, story) -> None:
    fonts = story.typography
    lines = script(story)
    grads = story.export.gradients
    title = Text("Downhill: a real slice of the cost", font_size=fonts.title).to_edge(UP, 0.3)
    cells = surface_map(grads, fonts.pick(MAP_SIZE, POST_MAP_SIZE))
    cells.next_to(title, DOWN, 0.3).to_edge(LEFT, fonts.pick(1.0, 0.5))
    s_label = Text("s →", font_size=fonts.small).next_to(cells, DOWN, 0.1)
    t_label = Text("t →", font_size=fonts.small).rotate(np.pi / 2).next_to(cells, LEFT, 0.1)
    side = VGroup(
        Text(fonts.pick(f"the cost of {len(grads.batch_labels)} real training digits\n"
                        "at θ + s·u + t·v:\n"
                        "u: their gradient\n"
                        f"v: the {featured_word(story)}'s gradient, made ⟂ u",
                        f"cost of {len(grads.batch_labels)} digits\nat θ + s·u + t·v\n"
                        f"u: their gradient\nv: the {featured_word(story)}'s, ⟂ u"),
             font_size=fonts.label, line_spacing=0.8),
        Text(f"centre: the trained network\ncost {fmt(float(grads.batch.costs.mean()))}", font_size=fonts.label,
             line_spacing=0.8),
    ).arrange(DOWN, buff=0.4, aligned_edge=LEFT)
    side.next_to(cells, RIGHT, fonts.pick(0.8, 0.5)).align_to(cells, UP)
    centre = Dot(to_map(cells, grads, 0, 0), radius=0.06, color=style.TEXT)

    with say(scene, lines["dimensions"]):
        scene.play(FadeIn(title), run_time=style.APPEAR_SECONDS)
        scene.wait(style.READ_SECONDS)
    with say(scene, lines["slice"]):
        scene.play(FadeIn(cells), FadeIn(s_label), FadeIn(t_label), FadeIn(side[0]), run_time=style.APPEAR_SECONDS)
    with say(scene, lines["centre"]):
        scene.play(FadeIn(centre), FadeIn(side[1]), run_time=style.APPEAR_SECONDS)

    path = grads.path
    ball = Dot(to_map(cells, grads, path[0, 0], path[0, 1]), radius=0.11, color=style.HIGHLIGHT)
    readout = Text(f"step 0: cost {fmt(path[0, 2])}", font_size=fonts.caption, color=style.HIGHLIGHT)
    readout.next_to(side, DOWN, 0.5).align_to(side, LEFT)
    trail = VMobject(stroke_color=style.HIGHLIGHT, stroke_width=2.5)
    trail.set_points_as_corners([to_map(cells, grads, s, t) for s, t, _ in path[:1]] * 2)
    with say(scene, lines["ball"]):
        scene.play(FadeIn(ball), FadeIn(readout), run_time=0.6)
        scene.add(trail)
        for step in range(1, len(path)):
            point = to_map(cells, grads, path[step, 0], path[step, 1])
            new_readout = Text(f"step {step}: cost {fmt(path[step, 2])}", font_size=fonts.caption,
                               color=style.HIGHLIGHT).move_to(readout, aligned_edge=LEFT)
            corners = [to_map(cells, grads, s, t) for s, t, _ in path[:step + 1]]
            # The readout changes when the ball lands: two readouts never share the frame.
            scene.play(ball.animate.move_to(point), trail.animate.set_points_as_corners(corners), run_time=STEP_SECONDS)
            scene.remove(readout)
            scene.add(new_readout)
            readout = new_readout
        scene.wait(style.HOLD_SECONDS)


class Downhill(BeatScene):
    beats = ("Downhill",)
