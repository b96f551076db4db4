"""Layers: the grid unrolls into one neuron per pixel, a column longer than the frame,
which collapses into the drawn input column; then the hidden layers and the outputs.

The structure before any values flow: input column (pooled, see
mobjects/input_blocks.py), the hidden layers, the ten outputs labelled 0-9, each
layer's real size written under it; at the end the real output activations for the
digit, the brightest one boxed: that is the answer.
"""
from __future__ import annotations

from manim import DOWN, UP, Brace, FadeIn, Text, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.animations.highlighting import highlight_answer
from nn_explainer.scenes.animations.unrolling import reveal, unroll_every_pixel
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.chapter_one.forward_pass import answer_line
from nn_explainer.scenes.speech.narration import say
from nn_explainer.scenes.mobjects.layout import digit_beside_network

NETWORK_HEIGHT = 6.2  # room above for "hidden layers" and below for the sizes
WIDE_NETWORK_HEIGHT = 4.8  # a wide layer's own brace, width and note stand between them


def check(story):
    story.check_drawable("Layers")


def script(story) -> dict[str, str]:
    sizes = story.network.sizes
    hidden = sizes[1:-1]
    lines = {
        "grid": "A neural network starts from exactly these numbers.",
        "unroll": (f"Every pixel becomes one neuron of the first layer, {spoken.integer(sizes[0])} of them, "
                   "in a column too long to draw, so it folds into blocks."),
        "counts": f"At the other end sit {spoken.count(sizes[-1], 'output neuron')}, one for each digit.",
        "hidden": (f"In between {'sits the hidden layer' if len(hidden) == 1 else 'sit the hidden layers'}. "
                   f"This network has {spoken.hidden_layers(hidden)}."),
    }
    wide = [size for size in hidden if size > style.MAX_DRAWN_NEURONS]
    if wide:
        lines["hidden"] += (f" A layer that wide is drawn in part: only its "
                            f"{spoken.integer(style.MAX_DRAWN_NEURONS)} most active neurons.")
    lines["answer"] = "Feed in the digit, and the outputs light up. " + answer_line(story.example, story.network)
    return lines


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    wide = any(size > style.MAX_DRAWN_NEURONS for size in story.network.sizes[1:])
    grid, caption, diagram = digit_beside_network(story, WIDE_NETWORK_HEIGHT if wide and not fonts.post else NETWORK_HEIGHT)
    if wide and not fonts.post:
        diagram.shift(DOWN * 0.5)  # the notes and "hidden layers" above it need the room
    with say(scene, lines["grid"]):
        scene.play(FadeIn(grid), FadeIn(caption), run_time=style.APPEAR_SECONDS)
        reveal(scene, diagram)
    with say(scene, lines["unroll"]):
        unroll_every_pixel(scene, grid, diagram)

    sizes = diagram.network.sizes
    counts = VGroup(*[Text(str(size), font_size=fonts.label).next_to(layer, DOWN, 0.15)
                      for layer, size in zip(diagram.layers, sizes)])
    hidden = VGroup(*diagram.layers[1:-1])
    brace = Brace(VGroup(hidden, diagram.elided), UP, buff=0.1)  # over the wide layers' notes
    hidden_label = Text("hidden layer" if len(hidden) == 1 else "hidden layers",
                        font_size=fonts.label).next_to(brace, UP, 0.1)
    with say(scene, lines["counts"]):
        scene.play(FadeIn(counts), run_time=0.6)
    if fonts.post and len(diagram.elided):
        # A layer wider than drawn has its own brace and true width above it, in the
        # post layout as big as "hidden layers" would be: no room for both, so the
        # widths stay and the words go (docs/post-layout.md).
        brace, hidden_label = VGroup(), VGroup()
    with say(scene, lines["hidden"]):
        scene.play(FadeIn(brace), FadeIn(hidden_label), run_time=0.6)
        scene.wait(style.READ_SECONDS)

    # The ten outputs, filled to what the network says for this digit.
    outputs = diagram.layers[-1]
    scene.bring_to_front(outputs)
    with say(scene, lines["answer"]):
        scene.play(*outputs.fill_animations(diagram.drawn_values(len(sizes) - 1)), run_time=1.0)
        highlight_answer(scene, diagram)
    scene.wait(style.READ_SECONDS)


class Layers(BeatScene):
    beats = ("Layers",)
