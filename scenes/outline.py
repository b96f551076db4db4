"""The chapter's outline: every beat in order, what it says and what it reads.

This is the one list of beats. `Chapter` plays them in this order, `render.py list`
prints them, the chapter's subtitles are their narration, and the clip keys hash the
parts of the export each one reads. It imports no manim, so listing the scenes or
checking which clips are stale stays fast; a beat's drawing code lives in its own
module (`module`), which defines `play(scene, story)` and the beat's standalone scene.

What a beat reads (`reads`), the parts of the export a change of which must re-render it:
- "shapes": the layer sizes and activation names;
- "weights": the weights and biases of the network;
- "digit": the chosen example: its pixels and every layer's z and a;
- "examples": every example in the export (e.g. other threes shown beside the digit);
- "relu": the whole ReLU export the ReLU beat compares against;
- "snapshots": the training snapshots beside the export (`network.epochN.json`): their
  epochs, weights, the digit through them, their accuracies and the run's history;
- "evidence": the export's neuron evidence (model/neuron_evidence.py): top digits,
  maximising inputs, knock-out accuracies, the layer-2 overlap measure.
"""
from __future__ import annotations

from dataclasses import dataclass

from model.errors import UserError

READS = ("shapes", "weights", "digit", "examples", "relu", "snapshots", "evidence")


@dataclass(frozen=True)
class BeatInfo:
    name: str          # the standalone scene's class name: `render.py render NAME`
    module: str        # where its `play(scene, story)` and its scene are
    narration: str     # one subtitle line for the chapter
    shows: str         # one line for `render.py list`
    reads: frozenset   # of READS

    def __post_init__(self):
        unknown = set(self.reads) - set(READS)
        assert not unknown, f"{self.name} reads unknown parts {unknown}"


def _beat(name, module, reads, narration, shows) -> BeatInfo:
    return BeatInfo(name, f"scenes.{module}", narration, shows, frozenset(reads))


BEATS = (
    _beat("SloppyThree", "sloppy_three", {"digit", "examples"},
          "A sloppy three: a small grid of pixels, and your brain reads it at once.",
          "the digit as a grid of pixels, and other threes of the training set"),
    _beat("NeuronHoldsANumber", "neuron_holds_a_number", {"digit"},
          "Each pixel is a number between 0 and 1; a neuron is a thing that holds such a number.",
          "a neuron holds a number between 0 and 1: real pixel values"),
    _beat("WriteAProgram", "write_a_program", {"shapes", "digit"},
          "The digit is just numbers, one per pixel. Could you write a program that reads them and says which digit?",
          "the digit's real pixel values written out (a window of them, the rest elided), and the challenge"),
    _beat("Layers", "layers", {"shapes", "weights", "digit"},
          "One input neuron per pixel; hidden layers in the middle; ten outputs, one per digit.",
          "the grid unrolls into the input layer; the hidden layers and the outputs; the brightest output"),
    _beat("ForwardPass", "forward_pass", {"shapes", "weights", "digit"},
          "Each layer's activations determine the next: the pattern flows through, "
          "and the brightest output is the answer.",
          "the trained network classifying the digit, one layer transition at a time"),
    _beat("WrongAnswer", "wrong_answer", {"shapes", "weights", "examples"},
          "It is not always right: here is a real test digit it gets wrong, and what it should have said.",
          "the first test digit the trained network misclassifies: its pass, the wrong answer and the true label"),
    _beat("WhyTwoLayers", "why_two_layers", {"shapes", "weights"},  # the accuracy is the weights'
          "Why two layers of 16? A choice: this is what that choice gives, and the hope behind it.",
          "the hidden widths as a choice: the real sizes, parameter count and test accuracy; the hope for edges and loops"),
    _beat("HopedForFeatures", "hoped_for_features", {"weights"},
          "We might hope hidden neurons find loops and edges. The real weights look nothing like that.",
          "the hoped-for loops and edges (marked as a hope), then the real first-layer weight patterns"),
    # What the hidden neurons really do, measured on this network (issue 24): the hope's answer.
    _beat("WhatExcitesANeuron", "what_excites_a_neuron", {"evidence"},
          "What does a hidden neuron respond to? The test digits that excite it most, and their labels.",
          "a hidden neuron's most exciting test digits, their activations, and how many share a label"),
    _beat("WhatANeuronWants", "what_a_neuron_wants", {"weights", "evidence"},
          "What does a neuron want to see? The input that excites it most, found by gradient ascent, beside its weights.",
          "the input that maximises a neuron (gradient ascent on the pixels, regularised) beside its weight heatmap"),
    _beat("KnockOneOut", "knock_one_out", {"evidence"},
          "Silence one neuron at a time: which ones does the answer lean on?",
          "test accuracy with each hidden neuron silenced, sorted, and the digit's answer without the most important one"),
    _beat("DoesLayerTwoCombine", "does_layer_two_combine", {"evidence"},
          "Does the second layer build on the first layer's parts? A measurement, and its verdict.",
          "how a layer-2 neuron's top digits overlap its strongest layer-1 inputs', against its weakest: the verdict"),
    _beat("OneNeuronsWeights", "one_neurons_weights", {"weights", "digit"},
          "One hidden neuron's weights, drawn as a picture: blue positive, red negative.",
          "the most active hidden neuron's weights as a heatmap"),
    _beat("WeightedSum", "weighted_sum", {"weights", "digit"},
          "The neuron adds up every pixel times its weight: one weighted sum.",
          "w1·a1 + ... + wn·an with that neuron's real terms and total"),
    _beat("Sigmoid", "activation_function", {"shapes", "weights", "digit"},
          "The activation function turns the sum into the neuron's activation.",
          "the network's activation function, with the neuron's real z and activation on the curve"),
    _beat("Bias", "bias", {"shapes", "weights", "digit"},
          "The bias says how high the weighted sum must be before the neuron lights up.",
          "the neuron's real bias: active only when the weighted sum is high enough"),
    _beat("ParameterCount", "parameter_count", {"shapes"},
          "All in all, every weight and bias is a knob to turn.",
          "the weights and biases counted from the layer sizes"),
    _beat("MatrixForm", "matrix_form", {"shapes", "weights", "digit"},
          "A whole layer at once: the weights form a matrix, and a(1) = f(W a(0) + b).",
          "a(1) = f(W a(0) + b) with the real matrix, bias and result"),
    _beat("NetworkIsAFunction", "network_is_a_function", {"shapes", "digit"},
          "The whole network is just a function: pixels in, ten numbers out.",
          "f(pixels) = ten outputs: the real outputs, and the number of knobs"),
    _beat("Learning", "learning", {"shapes", "weights", "digit", "snapshots"},
          "Learning is finding these weights: here is our network's training run, snapshot by snapshot.",
          "the real training run: one neuron's weights, the digit's pass and the accuracy curve at each kept epoch"),
    _beat("ReLU", "relu", {"shapes", "relu"},
          "Modern networks often use ReLU, max(0, a), instead: here is ours, trained with ReLU, on the same digit.",
          "sigmoid beside ReLU, then the ReLU network classifying the same digit"),
)

CHAPTER = BeatInfo("Chapter", "scenes.chapter", "", "all of the above in order as one video, with subtitles",
                   frozenset().union(*(beat.reads for beat in BEATS)))
SCENES = {info.name: info for info in (*BEATS, CHAPTER)}


def scene_info(name: str) -> BeatInfo:
    if name not in SCENES:
        raise UserError(f"unknown scene '{name}' (known: {', '.join(SCENES)}; see `render.py list`)")
    return SCENES[name]


def beats_of(name: str) -> tuple[str, ...]:
    """The beats a scene plays: the Chapter all of them, a beat's own scene itself."""
    return tuple(beat.name for beat in BEATS) if scene_info(name) is CHAPTER else (name,)


def is_chapter(name: str) -> bool:
    """Whether `name` plays several beats: its clip is joined from theirs, not rendered."""
    return len(beats_of(name)) > 1


def scene_class(name: str) -> type:
    """The manim Scene class of a beat or of the Chapter (imports manim)."""
    import importlib

    info = scene_info(name)
    return getattr(importlib.import_module(info.module), info.name)
