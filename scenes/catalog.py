"""Every scene the tool renders, with what it shows: `render.py list` prints this."""
from __future__ import annotations

import importlib

from model.errors import UserError

# name -> (module, what it shows). Order is the chapter's order.
SCENES = {
    "SloppyThree": ("scenes.sloppy_three", "the digit as 28x28 pixels, and other threes of the training set"),
    "NeuronHoldsANumber": ("scenes.neuron_holds_a_number", "a neuron holds a number between 0 and 1: real pixel values"),
    "Layers": ("scenes.layers", "the grid unrolls into 784 inputs; layers of 16, 16 and 10; the brightest output"),
    "ForwardPass": ("scenes.forward_pass",
                    "the trained network classifying the digit, one layer transition at a time"),
    "HopedForFeatures": ("scenes.hoped_for_features",
                         "the hoped-for loops and edges (marked as a hope), then the 16 real weight patterns"),
    "OneNeuronsWeights": ("scenes.one_neurons_weights", "the most active hidden neuron's 784 weights as a heatmap"),
    "WeightedSum": ("scenes.weighted_sum", "w1·a1 + ... + wn·an with that neuron's real terms and total"),
    "Sigmoid": ("scenes.sigmoid", "σ(x) = 1/(1+e^-x), with the neuron's real z and activation on the curve"),
    "Bias": ("scenes.bias", "the neuron's real bias: active only when the weighted sum exceeds -b"),
    "ParameterCount": ("scenes.parameter_count", "784×16 + 16×16 + 16×10 weights + 42 biases = 13,002, from the shapes"),
    "MatrixForm": ("scenes.matrix_form", "a(1) = σ(W a(0) + b) with the real matrix, bias and result"),
    "NetworkIsAFunction": ("scenes.network_is_a_function", "f(a0..a783) = (y0..y9): the real outputs, 13,002 knobs"),
    "ReLU": ("scenes.relu", "sigmoid beside ReLU, then the ReLU network classifying the same digit"),
    "Chapter": ("scenes.chapter", "all of the above in order as one video, with subtitles (.srt)"),
}


def scene_class(name: str) -> type:
    if name not in SCENES:
        raise UserError(f"unknown scene '{name}' (known: {', '.join(SCENES)}; see `render.py list`)")
    module = importlib.import_module(SCENES[name][0])
    return getattr(module, name)
