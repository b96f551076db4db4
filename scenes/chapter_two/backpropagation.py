"""Backpropagation: the forward pass in a mirror, one layer transition at a time, backwards.

Chapter two, beat 5. The digit's network as chapter one's ForwardPass leaves it, then
backwards: the outputs fill to what the cost wants of each (-dC/dz of the output layer,
softmax(z) minus the target, negated: white wants up, red wants down, as a share of the
layer's largest), with the real values written beside them; the three ways to raise the
right output's z, with their real derivatives (its bias, its largest weight, the
activation that weight multiplies, summed over all ten outputs); then each transition
backwards: its edges recoloured by the real gradient of each weight (-dC/dw: blue, the
weight should grow; red, shrink; width, how much, relative to the bundle), pulses running
back along them, and the earlier layer filling to its wanted changes -dC/da = -Wᵀ dC/dz.
The input's edges are each block's sum of its 49 pixels' weight nudges. A wide layer
draws the same neurons as the forward pass (its most active): the mirror of it.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Text, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.animations.backward import backpropagate
from nn_explainer.scenes.animations.propagation import pace
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.chapter_two.gradient_story import backward, check as check_chapter_two, digits_for, relative
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.input_blocks import pooled_weights
from nn_explainer.scenes.mobjects.network_diagram import EdgeBundle, NetworkDiagram
from nn_explainer.scenes.mobjects.raster import cross_fade, fade_in_as_picture
from nn_explainer.scenes.speech.narration import say

DIAGRAM_HEIGHT = 6.2
DIAGRAM_RIGHT = 1.9       # room right of the outputs for their digits and wanted nudges
TEXT_LEFT = -6.8          # the captions' left edge
# The post layout writes no per-output values or digits beside the outputs (at its text
# size ten rows of them would pile onto each other): its caption names the right output's
# and the largest other's wanted nudge instead, and the diagram is bigger.
POST_DIAGRAM_HEIGHT = 6.2
POST_DIAGRAM_RIGHT = 0.5


def check(story):
    check_chapter_two(story, "Backpropagation", needs_section=False)


def weight_nudges(diagram, grad, index: int) -> np.ndarray:
    """-dC/dW of bundle `index` for its drawn neurons (the input: summed over each block)."""
    targets = diagram.layers[index + 1].indices
    dz = grad.dz[index][0][targets]
    previous = grad.activations[index][0]
    if index == 0:
        return pooled_weights(-np.outer(dz, previous))
    return -np.outer(dz, previous[diagram.layers[index].indices])


def wanted_fill(diagram, grad, layer: int) -> np.ndarray:
    """What a layer's neurons fill to backwards: -dC/dz for the outputs, -dC/da for a
    hidden layer, as a share of the layer's largest."""
    values = -(grad.dz[-1][0] if layer == len(diagram.layers) - 1 else grad.da[layer - 1][0])
    return relative(values)[diagram.layers[layer].indices]


def three_ways(story, grad) -> dict:
    """The right output's three levers, with their real derivatives."""
    label, last = story.example.label, len(story.network.weights) - 1
    dz = float(grad.dz[-1][0][label])
    previous = grad.activations[last][0]
    source = int(np.argmax(np.abs(dz * previous)))
    return {"label": label, "bias": dz, "source": source, "a": float(previous[source]),
            "weight": dz * float(previous[source]), "activation": float(grad.da[-1][0][source]) if last > 0 else None}


def script(story) -> dict[str, str]:
    grad = backward(story)
    ways = three_ways(story, grad)
    label = ways["label"]
    wanted = -grad.dz[-1][0]
    others = np.delete(wanted, label)
    lines = {
        "forward": "Here is the forward pass again, as chapter one left it. Now we run it in a mirror.",
        "wants": f"First, what this digit wants from each output: minus the cost's derivative with respect to its z. "
                 f"The {spoken.integer(label)} should go up, by {spoken.decimal(wanted[label], digits_for(wanted[label]))}; "
                 f"every other output down, the most by {spoken.decimal(-others.min(), digits_for(others.min()))}.",
        "ways": f"There are three ways to raise output {spoken.integer(label)}: its bias, its weights, "
                "and the activations those weights multiply. Each has a real derivative, written here.",
    }
    if ways["activation"] is not None:
        lines["sum"] = ("The activations of the layer before cannot be changed directly; but what each of them "
                        "should do is the sum of what all ten outputs want of it, through the real weights.")
    lines["back"] = ("So the wanted changes pass backwards, one layer at a time: the edges coloured by each weight's "
                     "real gradient, blue to grow and red to shrink, until the first layer's weights, "
                     "which are nudged only from inked pixels.")
    return lines


def value_labels(diagram, values, fonts) -> VGroup:
    """The outputs' wanted nudges, written right of their digits."""
    digits = digits_for(np.abs(values).max())
    labels = VGroup()
    for neuron, digit_label, value in zip(diagram.layers[-1].neurons, diagram.output_labels, values):
        text = Text(("+" if value >= 0 else "") + fmt(value, digits), font_size=fonts.small,
                    color=style.POSITIVE if value >= 0 else style.NEGATIVE)
        labels.add(text.next_to(digit_label, RIGHT, 0.15).set_y(neuron.get_y()))
    return labels


def play(scene, story) -> None:
    fonts = story.typography
    lines = script(story)
    grad = backward(story)
    network = story.network
    diagram = NetworkDiagram(network, story.example, edge_mode=story.settings.edges, typography=fonts)
    diagram.scale_to_fit_height(min(diagram.height, fonts.pick(DIAGRAM_HEIGHT, POST_DIAGRAM_HEIGHT)))
    if fonts.post:
        diagram.decorations.remove(diagram.output_labels)
    room = 7.1 - fonts.pick(DIAGRAM_RIGHT, POST_DIAGRAM_RIGHT) - fonts.pick(-0.6, 0.6)
    if diagram.width > room:
        diagram.scale_to_fit_width(room)
    diagram.to_edge(RIGHT, buff=fonts.pick(DIAGRAM_RIGHT, POST_DIAGRAM_RIGHT)).set_y(-0.2)
    diagram.settle_labels()
    for index, layer in enumerate(diagram.layers):
        layer.set_activations(diagram.drawn_values(index))
    left = diagram.get_left()[0] - 0.4   # the captions' right edge

    def caption(text: str, size=None) -> Text:
        mobject = Text(text, font_size=size or fonts.label, line_spacing=0.8)
        return mobject.move_to([TEXT_LEFT + mobject.width / 2, 0, 0])

    title = Text("Backpropagation", font_size=fonts.title).to_edge(UP, 0.3).set_x(TEXT_LEFT, direction=LEFT)
    title.move_to([TEXT_LEFT + title.width / 2, title.get_y(), 0])
    with say(scene, lines["forward"]):
        fade_in_as_picture(scene, title, diagram, run_time=style.APPEAR_SECONDS)
        scene.wait(style.READ_SECONDS)

    wanted = -grad.dz[-1][0]
    nudges = value_labels(diagram, wanted, fonts) if not fonts.post else VGroup()
    label = story.example.label
    down = int(np.argmin(np.where(np.arange(len(wanted)) == label, np.inf, wanted)))
    digits = digits_for(np.abs(wanted).max())
    want_text = caption(fonts.pick(f"what the {label} wants of each output:\n−∂C/∂z = y − softmax(z)\n"
                                   "white: up, red: down",
                                   f"what the {label} wants of each\noutput, −∂C/∂z (white up):\n"
                                   f"{label}: +{fmt(wanted[label], digits)}, {down}: {fmt(wanted[down], digits)}"))
    want_text.next_to(title, DOWN, 0.35).set_x(TEXT_LEFT + want_text.width / 2)
    with say(scene, lines["wants"]):
        scene.bring_to_front(diagram.layers[-1])
        fade_in_as_picture(scene, nudges, want_text, run_time=style.APPEAR_SECONDS,
                           others=diagram.layers[-1].fill_animations(wanted_fill(diagram, grad, len(diagram.layers) - 1)))
        scene.wait(style.READ_SECONDS)

    ways = three_ways(story, grad)
    last = len(network.weights)
    source_name = f"pixel {ways['source']}" if last == 1 else f"neuron {ways['source']}"
    rows = [fonts.pick(f"three ways to raise z of output {label}:", f"three ways to raise z{label}:"),
            f"its bias: ∂C/∂b = {fmt(ways['bias'], digits_for(ways['bias']) + 1)}",
            fonts.pick(f"its weight from {source_name} (a = {fmt(ways['a'])}):\n  ∂C/∂w = ∂C/∂z · a = "
                       f"{fmt(ways['weight'], digits_for(ways['weight']) + 1)}",
                       f"weight from {source_name}:\n  ∂C/∂w = {fmt(ways['weight'], digits_for(ways['weight']) + 1)}")]
    if ways["activation"] is not None:
        rows.append(fonts.pick(f"that activation, summed over\n  all 10 outputs: ∂C/∂a = Σ w · ∂C/∂z\n"
                               f"  = {fmt(ways['activation'], digits_for(ways['activation']) + 1)}",
                               f"that activation:\n  ∂C/∂a = {fmt(ways['activation'], digits_for(ways['activation']) + 1)}"))
    ways_text = caption("\n".join(rows), fonts.small)
    ways_text.next_to(want_text, DOWN, 0.35).set_x(TEXT_LEFT + ways_text.width / 2)
    with say(scene, lines["ways"]):
        fade_in_as_picture(scene, ways_text, run_time=style.APPEAR_SECONDS)
        scene.wait(style.READ_SECONDS)

    bundles = [EdgeBundle(source, target, weight_nudges(diagram, grad, index))
               for index, (source, target) in enumerate(zip(diagram.layers, diagram.layers[1:]))]
    speed = pace(len(bundles))
    steps = list(range(len(bundles) - 1, -1, -1))
    first, rest = steps[0], steps[1:]

    def step(index):
        # The forward edges turn into the gradient's as one picture: Cairo would redraw
        # every edge of both bundles at every frame of the change.
        picture, change = cross_fade(diagram.bundles[index], bundles[index], run_time=0.5 * speed)
        scene.remove(*diagram.bundles[index].get_family())
        scene.play(change)
        scene.remove(picture).add(bundles[index])
        source = diagram.layers[index]
        backpropagate(scene, bundles[index], source, wanted_fill(diagram, grad, index) if index > 0 else None, speed)

    if "sum" in lines:
        with say(scene, lines["sum"]):
            step(first)
    else:
        rest = steps
    with say(scene, lines["back"]):
        for index in rest:
            step(index)
        scene.wait(style.HOLD_SECONDS)


class Backpropagation(BeatScene):
    beats = ("Backpropagation",)
