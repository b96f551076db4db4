"""WrongAnswer: a real test digit the trained network gets wrong, shown honestly.

The exporter keeps the first misclassified test digit (model/export.py). It passes
through the network as the sloppy three does in ForwardPass: its pixels, the pass
layer by layer, the brightest output boxed as the answer; then the label the digit
carries is boxed beside the output it should have lit, with both real activations.
An export holding no miss says so: no miss is ever made up.
"""
from __future__ import annotations

import dataclasses

from manim import DOWN, GREEN, LEFT, RIGHT, UP, FadeIn, SurroundingRectangle, Text, VGroup

from nn_explainer.scenes.chapter_one import forward_pass
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.speech.narration import say

TRUTH = GREEN   # the label's box: not the answer's yellow, not a weight's blue or red


def check(story):
    story.check_drawable("WrongAnswer")


def first_miss(export):
    """The lowest-numbered test digit of the export whose brightest output is not its
    label, or None."""
    misses = [e for e in export.examples
              if e.source == "mnist-test" and e.label is not None and e.prediction != e.label]
    return min(misses, key=lambda e: e.index, default=None)


def accuracy_line(story, wrap: str = " ") -> str:
    return f"it gets {spoken.percent_text(story.export.training['test_accuracy'], 2)} of{wrap}the test digits right"


def reached(miss, answer: int, label: int) -> str:
    """What the right output reached: "only" if it stayed low; sigmoid outputs are not
    shares of one, and the right one may be high too, only lower than the answer's."""
    value = float(miss.a[-1][label])
    if value < 0.5:
        return f"The {spoken.integer(label)} output reached only {spoken.decimal(value)}."
    return f"The {spoken.integer(label)} output reached {spoken.decimal(value)}, lower than the {spoken.integer(answer)}'s."


def script(story) -> dict[str, str]:
    miss = first_miss(story.export)
    accuracy = spoken.percent(story.export.training["test_accuracy"], 2)
    if miss is None:
        tested = sum(e.source == "mnist-test" for e in story.export.examples)
        return {
            "title": "Does it ever get one wrong?",
            "fact": (f"Of the {spoken.count(tested, 'test digit')} kept in this export, it gets none wrong, "
                     "so there is no miss to show."),
            "accuracy": f"On the whole test set, it gets {accuracy} of the digits right.",
        }
    answer, label = int(miss.prediction), int(miss.label)
    return {
        "digit": (f"But it is not always right. Here is image number {spoken.integer(miss.index)} "
                  + ("of the MNIST test set, a digit the network never saw while it trained." if story.export.trained_here
                     else "of the MNIST test set.")),  # what an imported network trained on is not ours to know
        "layer_1": "It flows through the same network, layer by layer.",
        "answer": (f"The brightest output is {spoken.integer(answer)}, "
                   f"with {forward_pass.output_value(story.network)} of {spoken.decimal(float(miss.a[-1][answer]))}."),
        "verdict": f"Yet the label says {spoken.integer(label)}. {reached(miss, answer, label)}",
        "accuracy": (f"Overall, the network gets {accuracy} of the test digits right. "
                     + ("Misses like this one are rare, but real." if story.reads_well else
                        "Misses like this one are common" + (": it reads most digits wrong." if
                                                             story.export.training["test_accuracy"] < 0.5 else "."))),
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    miss = first_miss(story.export)
    if miss is None:
        _no_miss(scene, story, lines)
        return
    # The same network, the missed digit, shown as ForwardPass shows the sloppy three.
    pass_lines = {name: lines[name] for name in ("digit", "layer_1", "answer")}
    grid, _, diagram = forward_pass.play(scene, dataclasses.replace(story, example=miss), lines=pass_lines)

    outputs = miss.a[-1]
    neuron, label = diagram.layers[-1].neurons[miss.label], diagram.output_labels[miss.label]
    value = Text(fmt(float(outputs[miss.label])), font_size=fonts.label, color=TRUTH)
    value.next_to(label, RIGHT, 0.2)
    box = SurroundingRectangle(VGroup(neuron, label, value), color=TRUTH, buff=0.08)
    verdict = Text(f"it says {miss.prediction}: wrong.\nthe label says {miss.label}.",
                   font_size=fonts.caption, line_spacing=0.8, t2c={"wrong": style.NEGATIVE})
    verdict.next_to(grid, DOWN, 0.35).align_to(grid, LEFT)
    note = Text(accuracy_line(story, "\n"), font_size=fonts.small, color=style.INDEX_COLOUR,
                line_spacing=0.8)
    note.next_to(verdict, DOWN, 0.2).align_to(grid, LEFT)
    with say(scene, lines["verdict"]):
        scene.play(FadeIn(box), FadeIn(value), label.animate.set_color(TRUTH), FadeIn(verdict, shift=UP * 0.2),
                   run_time=style.ANSWER_SECONDS)
    with say(scene, lines["accuracy"]):
        scene.play(FadeIn(note), run_time=0.6)
    scene.wait(style.HOLD_SECONDS)


def _no_miss(scene, story, lines) -> None:
    """What an export without a misclassified test digit gets: the fact, not a fake."""
    fonts = story.typography
    tested = sum(e.source == "mnist-test" for e in story.export.examples)
    title = Text("does it ever get one wrong?", font_size=fonts.title).to_edge(UP, 0.6)
    fact = fit_width(Text(f"of the {tested} test digits in this export, it gets none wrong:\n"
                          "there is no miss to show", font_size=fonts.caption, line_spacing=0.8))
    note = fit_width(Text(accuracy_line(story), font_size=fonts.small, color=style.INDEX_COLOUR))
    VGroup(fact, note).arrange(DOWN, buff=0.4)
    with say(scene, lines["title"]):
        scene.play(FadeIn(title), run_time=style.APPEAR_SECONDS)
    with say(scene, lines["fact"]):
        scene.play(FadeIn(fact, shift=UP * 0.2), run_time=style.APPEAR_SECONDS)
    with say(scene, lines["accuracy"]):
        scene.play(FadeIn(note), run_time=0.6)
    scene.wait(style.HOLD_SECONDS)


class WrongAnswer(BeatScene):
    beats = ("WrongAnswer",)
