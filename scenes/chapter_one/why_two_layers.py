"""WhyTwoLayers: "why two layers of 16?" answered honestly from the real network.

The network's shape is drawn plain, its hidden columns braced: their widths
are a choice (`render.py train --hidden`), not something the problem dictates. What
the choice gives, from the export: the real layer sizes, the parameter count, and the
test accuracy the trained network reaches (measured on its exported weights). Then the
hope behind two layers, in the grey of made-up pictures: the first finds little edges,
the second combines them into loops and lines. HopedForFeatures checks that hope.
"""
from __future__ import annotations

from manim import DOWN, UP, Arc, Brace, FadeIn, Line, Text, VGroup, Write

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.speech.narration import say
from nn_explainer.scenes.chapter_one.parameter_count import plain_shape

POST_SHAPE_HEIGHT = 2.0   # frame units: the plain network in the post layout
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six")


def question(hidden) -> str:
    count = NUMBER_WORDS[len(hidden)] if len(hidden) < len(NUMBER_WORDS) else str(len(hidden))
    layers = "layer" if len(hidden) == 1 else "layers"
    widths = str(hidden[0]) if len(set(hidden)) == 1 else ", ".join(map(str, hidden[:-1])) + f" and {hidden[-1]}"
    return f"why {count} hidden {layers} of {widths}?"


def hoped_edge() -> VGroup:
    """A little stroke: what a first-layer neuron might hope to find."""
    return VGroup(Line(DOWN * 0.25, UP * 0.25, stroke_color=style.HOPE_COLOUR, stroke_width=6).rotate(0.6))


def hoped_loop() -> VGroup:
    """A loop: what a second-layer neuron might hope to find, from edges."""
    return VGroup(Arc(radius=0.25, angle=5.5, stroke_color=style.HOPE_COLOUR, stroke_width=6))


def script(story) -> dict[str, str]:
    network = story.network
    sizes, hidden = network.sizes, network.sizes[1:-1]
    accuracy = spoken.percent(story.export.training["test_accuracy"], 2)
    lines = {
        "question": f"Why {spoken.hidden_layers(hidden)}?",
        "choice": "Honestly, it is a choice. Any widths would do.",
        "shape": (f"This one has layers of {spoken.sequence([spoken.integer(size) for size in sizes])} neurons, "
                  f"and {spoken.integer(network.parameter_count)} weights and biases."),
        "accuracy": f"Trained, it reads {accuracy} of the test digits right.",
    }
    if len(hidden) >= 2:
        lines["hope"] = "The hope: the first layer finds little edges, the second combines them into loops and lines."
    else:
        lines["hope"] = ("The usual hope is that a first layer finds little edges, and a second combines them "
                         "into loops and lines. This network has only the one.")
    lines["hope"] += " The next scene checks that hope against the real weights."
    return lines


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    network, training = story.network, story.export.training
    sizes, hidden = network.sizes, network.sizes[1:-1]
    title = fit_width(Text(question(hidden), font_size=fonts.title)).to_edge(UP, 0.35)
    if fonts.post:  # the columns drawn smaller, their counts not: legible, with room for the bigger lines
        layers, bundles, counts = plain_shape(sizes, fonts, height=POST_SHAPE_HEIGHT)
        VGroup(bundles, layers, counts).next_to(title, DOWN, 0.7)
    else:
        layers, bundles, counts = plain_shape(sizes, fonts)
        VGroup(bundles, layers, counts).scale(0.8).next_to(title, DOWN, 0.85)
    braced = VGroup(*layers[1:-1], *counts[1:-1])
    brace = Brace(braced, DOWN, buff=0.1, color=style.HIGHLIGHT)
    choice = Text("a choice: any widths would do", font_size=fonts.label, color=style.HIGHLIGHT)
    choice.next_to(brace, DOWN, 0.1)
    facts = VGroup(
        Text(f"this one: {'-'.join(map(str, sizes))}, {network.parameter_count:,} weights and biases",
             font_size=fonts.caption),
        Text(f"trained, it reads {spoken.percent_text(training['test_accuracy'], 2)} of the test digits right",
             font_size=fonts.caption),
    ).arrange(DOWN, buff=0.2)
    fit_width(facts).next_to(choice, DOWN, 0.35)
    hope = fit_width(Text("the hope: layer 1 finds little edges," + fonts.pick(" ", "\n")
                          + "layer 2 combines them into loops and lines",
                          font_size=fonts.small, color=style.HOPE_COLOUR))
    hope.next_to(facts, DOWN, fonts.pick(0.35, 0.25))
    icons = VGroup()
    if len(hidden) >= 2:  # the hope is about two layers: edges over the first, loops over the second
        icons.add(hoped_edge().next_to(layers[1], UP, 0.15), hoped_loop().next_to(layers[2], UP, 0.15))

    with say(scene, lines["question"]):
        scene.play(FadeIn(title), FadeIn(layers), FadeIn(bundles), FadeIn(counts), run_time=style.APPEAR_SECONDS)
    with say(scene, lines["choice"]):
        scene.play(*[layer.neurons.animate.set_stroke(style.HIGHLIGHT) for layer in layers[1:-1]],
                   FadeIn(brace), FadeIn(choice), run_time=0.8)
        scene.wait(style.READ_SECONDS)
    for fact, name in zip(facts, ("shape", "accuracy")):
        with say(scene, lines[name]):
            scene.play(Write(fact), run_time=1.0)
            scene.wait(style.PAUSE_SECONDS)
    with say(scene, lines["hope"]):
        scene.play(FadeIn(hope), *[FadeIn(icon, shift=DOWN * 0.1) for icon in icons], run_time=1.0)
    scene.wait(2 * style.READ_SECONDS)


class WhyTwoLayers(BeatScene):
    beats = ("WhyTwoLayers",)
