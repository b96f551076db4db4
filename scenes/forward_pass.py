"""ForwardPass: the trained network classifying the digit, one layer at a time.

Sections, when played alone (so `render.py render --sections` gives one clip each):
`digit` (the pixels, then the network wipes in), `unroll` (each block of pixels pools
to its mean and flies into its input neuron), `layer_1` ... (each layer transition:
the incoming edges light up in the direction the signal flows and the next layer fills
to its real activations), `answer` (the brightest output neuron, its digit and its
activation). Every value drawn comes from the story's export.
"""
from __future__ import annotations

from manim import FadeIn

from scenes import style
from scenes.animations.highlighting import highlight_answer
from scenes.animations.propagation import propagate
from scenes.animations.unrolling import reveal, unroll
from scenes.beat import BeatScene, begin_section
from scenes.mobjects.layout import digit_beside_network

NETWORK_HEIGHT = 7.3  # frame units; the frame is 8 high


def check(story):
    story.check_drawable("ForwardPass")


def play(scene, story, network_height: float = NETWORK_HEIGHT, export_story=None):
    """The pass; returns (grid, caption, diagram) for a beat that goes on from it (WrongAnswer)."""
    grid, caption, diagram = digit_beside_network(story, network_height, export_story)
    begin_section(scene, "digit")
    scene.play(FadeIn(grid), FadeIn(caption), run_time=style.APPEAR_SECONDS)
    reveal(scene, diagram)
    begin_section(scene, "unroll")
    unroll(scene, grid, diagram)
    for index in range(1, len(diagram.layers)):
        begin_section(scene, f"layer_{index}")
        propagate(scene, diagram, index)
    begin_section(scene, "answer")
    highlight_answer(scene, diagram)
    scene.wait(style.HOLD_SECONDS)
    return grid, caption, diagram


class ForwardPass(BeatScene):
    beats = ("ForwardPass",)
