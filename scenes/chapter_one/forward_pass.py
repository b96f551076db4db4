"""ForwardPass: the trained network classifying the digit, one layer at a time.

Sections, when played alone (so `render.py render --sections` gives one clip each):
`digit` (the pixels, then the network wipes in), `unroll` (each block of pixels pools
to its mean and flies into its input neuron), `layer_1` ... (each layer transition:
the incoming edges light up in the direction the signal flows and the next layer fills
to its real activations), `answer` (the brightest output neuron, its digit and its
activation). Every value drawn comes from the story's export.
"""
from __future__ import annotations

from contextlib import nullcontext

from manim import FadeIn

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.animations.highlighting import highlight_answer
from nn_explainer.scenes.animations.propagation import propagate
from nn_explainer.scenes.animations.unrolling import reveal, unroll
from nn_explainer.scenes.beat import BeatScene, begin_section
from nn_explainer.scenes.convolutions import forward_pass_cnn
from nn_explainer.scenes.mobjects.layout import digit_beside_network
from nn_explainer.scenes.speech.narration import say

NETWORK_HEIGHT = 7.3  # frame units; the frame is 8 high


def check(story):
    if not story.convolutional:   # a CNN's dense part is any depth the export reader took
        story.check_drawable("ForwardPass")


def transition_line(sizes, index: int) -> str:
    """What the pass into layer `index` says: which layer decides which."""
    hidden = len(sizes) - 2
    if index == 1:
        return "The input activations decide how brightly each neuron of the first hidden layer lights up."
    if index == len(sizes) - 1:
        return (f"And the last hidden layer decides the {spoken.integer(sizes[-1])} outputs."
                if hidden > 1 else f"And the hidden layer decides the {spoken.integer(sizes[-1])} outputs.")
    return f"That pattern, in turn, decides the {spoken.ordinal(index)} hidden layer."


def output_value(network) -> str:
    """What an output neuron holds, as said: softmax outputs are probabilities (the ten
    add up to one); the others, each its own activation."""
    return "a softmax probability" if network.output_activation == "softmax" else "an activation"


def answer_line(example, network) -> str:
    """The answer as the box around the brightest output writes it."""
    answer = int(example.prediction)
    return (f"The brightest output is the answer: {spoken.integer(answer)}, "
            f"with {output_value(network)} of {spoken.decimal(float(example.a[-1][answer]))}.")


def script(story) -> dict[str, str]:
    if story.convolutional:
        return forward_pass_cnn.script(story)
    example, sizes = story.example, story.network.sizes
    lines = {
        "digit": f"Now watch the trained network read a digit: {spoken.example_name(example)}.",
        "unroll": "Its pixels set the input layer, drawn here in blocks, each at its average brightness.",
    }
    for index in range(1, len(sizes)):
        lines[f"layer_{index}"] = transition_line(sizes, index)
    lines["answer"] = answer_line(example, story.network)
    if example.label is not None:
        lines["answer"] += (" That is right." if example.prediction == example.label else
                            f" The label says {spoken.integer(example.label)}, so this time it is wrong.")
    return lines


def _say(scene, lines, name):
    """Speak lines[name] if the beat gave one: a beat that reuses the pass says its own words."""
    return say(scene, lines[name]) if name in lines else nullcontext()


def play(scene, story, network_height: float = NETWORK_HEIGHT, export_story=None, lines=None):
    """The pass; returns (grid, caption, diagram) for a beat that goes on from it (WrongAnswer).
    `lines`: the sentences spoken over its steps, by name ("digit", "unroll", "layer_1" ...,
    "answer"; one left out is silent); ForwardPass's own script when not given.
    A CNN's pass is its own (scenes/convolutions/forward_pass_cnn.py) and returns nothing."""
    if story.convolutional:
        return forward_pass_cnn.play(scene, story)
    lines = script(story) if lines is None else lines
    grid, caption, diagram = digit_beside_network(story, network_height, export_story)
    begin_section(scene, "digit")
    with _say(scene, lines, "digit"):
        scene.play(FadeIn(grid), FadeIn(caption), run_time=style.APPEAR_SECONDS)
        reveal(scene, diagram)
    begin_section(scene, "unroll")
    with _say(scene, lines, "unroll"):
        unroll(scene, grid, diagram)
    for index in range(1, len(diagram.layers)):
        begin_section(scene, f"layer_{index}")
        with _say(scene, lines, f"layer_{index}"):
            propagate(scene, diagram, index)
    begin_section(scene, "answer")
    with _say(scene, lines, "answer"):
        highlight_answer(scene, diagram)
    scene.wait(style.HOLD_SECONDS)
    return grid, caption, diagram


class ForwardPass(BeatScene):
    beats = ("ForwardPass",)
