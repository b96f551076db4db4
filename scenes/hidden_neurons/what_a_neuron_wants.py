"""WhatANeuronWants: the input that excites a neuron most, beside its weights.

From the export's neuron evidence (model/neuron_evidence.py): for the same three
first-layer neurons as WhatExcitesANeuron, the input found by gradient ascent on the
784 pixels (kept between 0 and 1, climbing z - (λ/2)|x|², λ a tenth of z's steepest
slope at the start), drawn beside the neuron's real weight heatmap, with its activation
against the best real test digit's. For a first-layer neuron the answer is its positive
weights, clipped: a blurry template, not a stroke.
"""
from __future__ import annotations

from manim import DOWN, RIGHT, UP, FadeIn, Group, Text

from nn_explainer.model import neuron_evidence
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.digit_picture import DigitPicture
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.heatmap import WeightHeatmap
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.raster import fade_in_as_picture
from nn_explainer.scenes.speech.narration import say
from nn_explainer.scenes.hidden_neurons.what_excites_a_neuron import check, shown_neurons  # noqa: F401  (check: the same refusal)


def script(story) -> dict[str, str]:
    first = story.export.neuron_evidence.layers[0]
    neuron = shown_neurons(first)[0]
    row = first.row(neuron)
    return {
        "ask": "Now ask the other way round: what input would excite a neuron most of all?",
        "ascent": "Start from its favourite test digit and nudge every pixel uphill, again and again, "
                  "keeping each between zero and one, with a small penalty on ink so that only what matters stays.",
        "result": f"For neuron {spoken.integer(neuron)}, the result reaches an activation of "
                  f"{spoken.decimal(first.maximising_activations[row])}; its best real digit, "
                  f"{spoken.decimal(first.top_activations[row][0])}.",
        "template": "Beside its weights, the picture is plain: a first-layer neuron wants its positive weights inked. "
                    "A blurry pattern spread over much of the image, not a little edge.",
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    evidence = story.export.neuron_evidence
    first = evidence.layers[0]
    size = fonts.pick(1.9, 1.6)
    title = fit_width(Text("what a neuron wants to see: the input that maximises it", font_size=fonts.label))
    title.to_edge(UP, buff=0.3)
    method = fit_width(Text(f"gradient ascent on the pixels, kept in 0..1, climbing z - (λ/2)|x|²,"
                            + fonts.pick(" ", "\n") + f"λ = {neuron_evidence.REGULARISER} × z's steepest slope at the start",
                            font_size=fonts.small, line_spacing=0.8)).next_to(title, DOWN, 0.2)
    rows = Group()
    for neuron in shown_neurons(first):
        row = first.row(neuron)
        wanted = DigitPicture(first.maximising_inputs[row], size=size)
        weights = WeightHeatmap(story.network.weights[0][neuron], size=size)
        pair = Group(wanted, weights).arrange(DOWN, buff=0.15)
        name = Text(f"neuron {neuron}", font_size=fonts.small).next_to(pair, UP, 0.12)
        caption = Text(f"a = {fmt(first.maximising_activations[row])}\nbest digit: {fmt(first.top_activations[row][0])}",
                       font_size=fonts.small, line_spacing=0.8).next_to(pair, DOWN, 0.12)
        group = Group(name, pair, caption)
        group.wanted, group.weights, group.caption = wanted, weights, caption
        rows.add(group)
    rows.arrange(RIGHT, buff=fonts.pick(0.9, 0.4), aligned_edge=UP)
    legend = Text("top: the input it wants   below: its weights (blue +, red -)", font_size=fonts.small)
    fit_width(legend).next_to(method, DOWN, 0.15)
    rows.next_to(legend, DOWN, 0.25)
    available = legend.get_bottom()[1] - 0.25 - (-4.0 + 0.2)
    if rows.height > available:
        rows.scale_to_fit_height(available).next_to(legend, DOWN, 0.25)
    fit_width(rows)
    with say(scene, lines["ask"]):
        fade_in_as_picture(scene, title, run_time=0.6)
    with say(scene, lines["ascent"]):
        scene.play(FadeIn(method), run_time=0.6)
        fade_in_as_picture(scene, *[group.wanted for group in rows], *[group[0] for group in rows], legend, run_time=1.0)
    with say(scene, lines["result"]):
        scene.play(*[FadeIn(group.caption) for group in rows], run_time=0.6)
        scene.wait(style.READ_SECONDS)
    with say(scene, lines["template"]):
        fade_in_as_picture(scene, *[group.weights for group in rows], run_time=1.0)
        scene.wait(style.READ_SECONDS)


class WhatANeuronWants(BeatScene):
    beats = ("WhatANeuronWants",)
