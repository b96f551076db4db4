"""Pointing at the answer: the brightest output neuron, its digit and its activation."""
from __future__ import annotations

from manim import RIGHT, FadeIn, SurroundingRectangle, Text, VGroup

from nn_explainer.scenes import style
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.network_diagram import NetworkDiagram


def highlight_answer(scene, diagram: NetworkDiagram) -> VGroup:
    """Box the network's answer and write its real activation beside it."""
    answer = diagram.answer()
    neuron = diagram.layers[-1].neurons[answer]
    label = diagram.output_labels[answer]
    value = Text(fmt(float(diagram.example.a[-1][answer])), font_size=diagram.typography.label, color=style.HIGHLIGHT)
    value.next_to(label, RIGHT, 0.2)
    box = SurroundingRectangle(VGroup(neuron, label, value), color=style.HIGHLIGHT, buff=0.08)
    scene.bring_to_front(label)  # only it and what is new need redrawing per frame
    scene.play(FadeIn(box), FadeIn(value), label.animate.set_color(style.HIGHLIGHT), run_time=style.ANSWER_SECONDS)
    return VGroup(box, value)
