"""CostOfTheSet: the network's cost is the average over every digit, here the test set.

Chapter two, beat 2. The mean cross-entropy over the 10,000 test images at each kept
training snapshot and trained, as bars: measured at export on the real weights of
each (the `gradients` section's `test_costs`; like the accuracies, a measurement the
file records, not one it can be re-proved from).
"""
from __future__ import annotations

from manim import DOWN, UP, FadeIn, GrowFromEdge, Line, Rectangle, Text, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.chapter_two.gradient_story import check as check_chapter_two, digits_for
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.speech.narration import say

BAR_HEIGHT = 3.6      # the tallest bar, frame units
BAR_WIDTH = 0.9
POST_BAR_HEIGHT = 3.0


def check(story):
    check_chapter_two(story, "CostOfTheSet")


def script(story) -> dict[str, str]:
    costs = story.export.gradients.test_costs
    first, last = costs[0], costs[-1]
    return {
        "average": "One digit is not the whole story. The cost of the network is the average of the cost "
                   f"over many digits: here, all {spoken.integer(10000)} test images.",
        "untrained": f"At epoch {spoken.integer(first['epoch'])} the average is "
                     f"{spoken.decimal(first['cost'], digits_for(first['cost']))}, "
                     f"and the network gets {spoken.percent(first['accuracy'])} of them right.",
        "trained": f"Trained, after {spoken.count(last['epoch'], 'epoch')}, it is "
                   f"{spoken.decimal(last['cost'], digits_for(last['cost']))}, with "
                   f"{spoken.percent(last['accuracy'])} right. Lowering this average is what learning means.",
    }


def bars(story, fonts) -> VGroup:
    """One bar per snapshot: the cost above it, the epoch below, the accuracy under that."""
    costs = story.export.gradients.test_costs
    height = fonts.pick(BAR_HEIGHT, POST_BAR_HEIGHT)
    top = max(entry["cost"] for entry in costs) or 1.0
    group = VGroup()
    for entry in costs:
        bar = Rectangle(width=BAR_WIDTH, height=max(entry["cost"] / top * height, 0.02), stroke_width=0,
                        fill_color=style.POSITIVE, fill_opacity=0.85)
        value = Text(fmt(entry["cost"], digits_for(entry["cost"])), font_size=fonts.label).next_to(bar, UP, 0.12)
        epoch = Text(str(entry["epoch"]), font_size=fonts.label)
        accuracy = Text(spoken.percent_text(entry['accuracy']), font_size=fonts.small, color=style.INDEX_COLOUR)
        column = VGroup(bar, value, epoch, accuracy)
        group.add(column)
    spacing = fonts.pick(1.5, 1.6)
    for index, (bar, value, epoch, accuracy) in enumerate(group):
        bar.move_to([index * spacing, 0, 0], aligned_edge=DOWN)
        value.next_to(bar, UP, 0.12)
        epoch.next_to(bar, DOWN, 0.15).set_y(-0.35)
        accuracy.next_to(epoch, DOWN, 0.1)
    return group


def play(scene, story) -> None:
    fonts = story.typography
    lines = script(story)
    title = Text(fonts.pick("The network's cost: its average over 10,000 test digits",
                            "Average cost over\n10,000 test digits"),
                 font_size=fonts.title, line_spacing=0.8).to_edge(UP, 0.35)
    chart = bars(story, fonts)
    axis = Line(chart.get_left() + [-0.3, 0, 0], chart.get_right() + [0.3, 0, 0], stroke_width=2)
    axis.set_y(chart[0][0].get_bottom()[1])
    names = VGroup(Text("epoch", font_size=fonts.label, color=style.INDEX_COLOUR),
                   Text("test accuracy", font_size=fonts.small, color=style.INDEX_COLOUR))
    whole = VGroup(chart, axis)
    whole.next_to(title, DOWN, 0.5)
    if whole.get_bottom()[1] < -3.7:
        whole.shift(UP * (-3.7 - whole.get_bottom()[1]))
    names[0].next_to(chart, direction=[-1, 0, 0], buff=0.35).set_y(chart[0][2].get_y())
    names[1].next_to(chart, direction=[-1, 0, 0], buff=0.35).set_y(chart[0][3].get_y())
    names[1].align_to(names[0], [1, 0, 0])
    VGroup(whole, names).set_x(0)
    with say(scene, lines["average"]):
        scene.play(FadeIn(title), FadeIn(axis), FadeIn(names), run_time=style.APPEAR_SECONDS)
        scene.wait(style.READ_SECONDS)
    first, *middle, last = chart
    with say(scene, lines["untrained"]):
        scene.play(GrowFromEdge(first[0], DOWN), FadeIn(first[1:]), run_time=style.APPEAR_SECONDS)
    with say(scene, lines["trained"]):
        for column in middle:
            scene.play(GrowFromEdge(column[0], DOWN), FadeIn(column[1:]), run_time=0.5)
        scene.play(GrowFromEdge(last[0], DOWN), FadeIn(last[1:]), run_time=0.7)
        scene.wait(style.HOLD_SECONDS)


class CostOfTheSet(BeatScene):
    beats = ("CostOfTheSet",)
