"""CostOfOneDigit: how wrong the network is about one digit, in the cost it was trained on.

Chapter two, beat 1. The digit's ten outputs, untrained (the earliest kept snapshot)
and trained, beside what they should be; then the cost training really minimised,
cross-entropy on the output layer's z, with its real value at both. 3Blue1Brown's video
uses the squared error of the outputs: we write it too, in grey, with its value, and
say that training did not minimise it.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, MathTex, Text, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.chapter_two.gradient_story import (check as check_chapter_two, cost_of, digits_for,
    first_snapshot, squared_error)
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.speech.narration import say

ROW = 0.46          # between the table's rows
POST_ROW = 0.52


def check(story):
    check_chapter_two(story, "CostOfOneDigit", needs_section=False)


def costs(story):
    """(epoch, cost, outputs) untrained (None if no snapshot holds the digit) and trained."""
    example = story.example
    early = first_snapshot(story)
    before = None
    if early is not None:
        epoch, snapshot = early
        before = (epoch, cost_of(snapshot, example.id), snapshot.example(example.id).a[-1])
    final = story.snapshots[-1][0]
    return before, (final, cost_of(story.export, example.id), example.a[-1])


def script(story) -> dict[str, str]:
    label = story.example.label
    before, (final, cost, _) = costs(story)
    lines = {
        "outputs": f"Here are the digit's ten outputs beside what they should be: one for the {spoken.integer(label)}, "
                   "zero for every other digit.",
        "cost": "Training measured how wrong they are with one number, the cost: cross-entropy, "
                f"minus the log of the softmax of the outputs' z, read at the {spoken.integer(label)}.",
        "honest": "The original video uses the squared error of the outputs instead. "
                  "This network was never trained on that; we write it in grey for comparison.",
    }
    if not story.export.trained_here:  # trained elsewhere: which cost it minimised is not ours to say
        lines["cost"] = ("One number says how wrong they are, the cost. We measure cross-entropy, minus the log of "
                         f"the softmax of the outputs' z, read at the {spoken.integer(label)}: what PyTorch's CrossEntropyLoss computes.")
        lines["honest"] = ("The original video uses the squared error of the outputs instead; "
                           "we write it in grey for comparison.")
    if before is not None:
        lines["untrained"] = (f"Before training, at epoch {spoken.integer(before[0])}, this digit cost "
                              f"{spoken.decimal(before[1], digits_for(before[1]))}.")
    elif not story.export.trained_here:
        lines["untrained"] = "This network was trained elsewhere, so there is no untrained snapshot: we show it trained."
    else:
        lines["untrained"] = "No snapshot from before training was kept, so we show the trained network only."
    after = f", after {spoken.count(final, 'epoch')}" if final is not None else ""
    right = story.example.prediction == story.example.label  # only then is the right output the highest
    lines["trained"] = (f"Trained{after}, it costs {spoken.decimal(cost, digits_for(cost))}: "
                        + ("the right output is high, the others low." if right else
                           "the right output is not the highest, so the cost stays high."))
    return lines


def table(story, before, after, fonts) -> VGroup:
    """Digit | untrained | trained | should be, one row per output, as Text."""
    label = story.example.label
    row = fonts.pick(ROW, POST_ROW)
    columns = [("digit", [str(d) for d in range(len(after[2]))])]
    if before is not None:
        columns.append((f"epoch {before[0]}", [fmt(v) for v in before[2]]))
    columns.append(("trained", [fmt(v) for v in after[2]]))
    columns.append((fonts.pick("should be", "target"), ["1" if d == label else "0" for d in range(len(after[2]))]))
    groups = VGroup()
    for title, cells in columns:
        column = VGroup(Text(title, font_size=fonts.label, color=style.INDEX_COLOUR))
        for index, cell in enumerate(cells):
            colour = style.HIGHLIGHT if index == label else style.TEXT
            column.add(Text(cell, font_size=fonts.label, color=colour))
        for index, text in enumerate(column[1:], start=1):
            text.move_to(DOWN * index * row)
        groups.add(column)
    groups.arrange(RIGHT, buff=fonts.pick(0.45, 0.35), aligned_edge=UP)
    return groups


def play(scene, story) -> None:
    fonts = story.typography
    lines = script(story)
    label = story.example.label
    before, after = costs(story)
    title = Text("The cost of one digit", font_size=fonts.title).to_edge(UP, 0.35)
    grid = table(story, before, after, fonts).next_to(title, DOWN, 0.35).to_edge(LEFT, fonts.pick(0.8, 0.4))
    with say(scene, lines["outputs"]):
        scene.play(FadeIn(title), FadeIn(grid), run_time=style.APPEAR_SECONDS)
        scene.wait(style.READ_SECONDS)

    right = grid.get_right()[0] + fonts.pick(0.7, 0.4)
    ours = story.export.trained_here  # an imported network: we measure the cost; its training is not ours to know
    heading = Text("what training minimised:\ncross-entropy" if ours else "the cost we measure:\ncross-entropy",
                   font_size=fonts.caption, line_spacing=0.8)
    formula = MathTex(rf"C = -\log \frac{{e^{{z_{{{label}}}}}}}{{\sum_j e^{{z_j}}}}", font_size=fonts.formula)
    right_column = VGroup(heading, formula).arrange(DOWN, buff=0.25, aligned_edge=LEFT)
    right_column.next_to(title, DOWN, 0.45).set_x(right + right_column.width / 2)
    with say(scene, lines["cost"]):
        scene.play(FadeIn(right_column), run_time=style.APPEAR_SECONDS)
        scene.wait(style.READ_SECONDS)

    outputs_after = after[2]
    errors = ([fmt(squared_error(before[2], label))] if before is not None else []) + [fmt(squared_error(outputs_after, label))]
    grey = Text(fonts.pick("3Blue1Brown's video: squared error\nΣ (a − y)² = "
                           + (f"{errors[0]} untrained, " if before is not None else "") + f"{errors[-1]} trained\n"
                           + ("(not what this network was trained on)" if ours else "(for comparison)"),
                           "the video's squared error\nΣ (a − y)²: " + " → ".join(errors)
                           + ("\n(not trained on it)" if ours else "")),
                font_size=fonts.small, color=style.HOPE_COLOUR, line_spacing=0.8)
    grey.next_to(right_column, DOWN, 0.35).align_to(right_column, LEFT)
    with say(scene, lines["honest"]):
        scene.play(FadeIn(grey), run_time=style.APPEAR_SECONDS)

    readouts = VGroup()
    if before is not None:
        readouts.add(Text(f"epoch {before[0]}: C = {fmt(before[1], digits_for(before[1]))}", font_size=fonts.caption))
    with say(scene, lines["untrained"]):
        if before is not None:
            readouts[0].next_to(grey, DOWN, 0.4).align_to(right_column, LEFT)
            scene.play(FadeIn(readouts[0]), run_time=style.APPEAR_SECONDS)
    trained = Text(fonts.pick(f"trained (epoch {after[0]}): " if after[0] is not None else "trained: ", "trained: ") + f"C = {fmt(after[1], digits_for(after[1]))}",
                   font_size=fonts.caption, color=style.HIGHLIGHT)
    trained.next_to(readouts if before is not None else grey, DOWN, 0.3).align_to(right_column, LEFT)
    with say(scene, lines["trained"]):
        scene.play(FadeIn(trained), run_time=style.APPEAR_SECONDS)
        scene.wait(style.HOLD_SECONDS)


class CostOfOneDigit(BeatScene):
    beats = ("CostOfOneDigit",)
