"""A network trained elsewhere, as the list of layers it applies, and its fold into our MLP.

Each reader (a state_dict file, an ONNX graph, a live nn.Module traced with torch.fx)
turns what it reads into this one list, in the order the network applies the layers;
`to_network` then checks that the list is a plain MLP on one 28x28 channel and folds it
into the form every export holds: a' = f(W a + b) on pixel values in [0, 1]. Two steps
vanish on the way, each by exact algebra, and the fold says so in its notes:
- an input normalisation (x - m)/s: W' = W/s, b' = b - (m/s) W·1;
- a BatchNorm1d after a Linear, in eval mode: k = γ/√(σ² + ε), W' = k W, b' = k (b - μ) + β.
Dropout and reshapes (Flatten, view) do nothing when evaluating. Anything else is
refused with one line naming the layer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..activations import HIDDEN_ACTIVATIONS
from ..errors import UserError
from ..shapes import CLASSES, IMAGE_SIDE, PIXELS

# What the last layer's z are, as a model's user would say it (`--outputs`).
OUTPUTS = ("logits", "softmax", "sigmoid")
# An output step -> the activation drawn on the output neurons. Logits and log-softmax
# are drawn as what they mean: the softmax probabilities (the answer is still argmax).
DRAWN_OUTPUT = {"logits": "softmax", "softmax": "softmax", "log_softmax": "softmax", "sigmoid": "sigmoid"}


@dataclass(frozen=True)
class Linear:
    name: str
    weight: np.ndarray   # [out, in], float64
    bias: np.ndarray     # [out]


@dataclass(frozen=True)
class Normalize:
    """x -> (x - mean) / std on the pixels in [0, 1], one number each (one channel)."""
    name: str
    mean: float
    std: float


@dataclass(frozen=True)
class BatchNorm:
    name: str
    gamma: np.ndarray
    beta: np.ndarray
    running_mean: np.ndarray
    running_var: np.ndarray
    eps: float


@dataclass(frozen=True)
class Activation:
    name: str
    kind: str            # sigmoid, relu, tanh, softmax, log_softmax


@dataclass(frozen=True)
class Passive:
    """A layer that changes nothing when evaluating: Dropout, Flatten, Identity, a view."""
    name: str
    kind: str


@dataclass(frozen=True)
class Conv:
    """A 2-D convolution (a CNN's: folded by model/importing/conv_import.py, not here)."""
    name: str
    weight: np.ndarray   # [out, in, kh, kw], float64
    bias: np.ndarray | None
    stride: tuple = (1, 1)
    padding: tuple = (0, 0)
    groups: int = 1
    dilation: tuple = (1, 1)
    padding_mode: str = "zeros"


@dataclass(frozen=True)
class Pool:
    """Max or average pooling over 2-D windows (kind: maxpool, avgpool)."""
    name: str
    kind: str
    kernel: tuple
    stride: tuple
    padding: tuple = (0, 0)


@dataclass(frozen=True)
class Imported:
    """The plain MLP a layer list computes, ready for the export's `network` section."""
    sizes: list
    hidden_activation: str
    output_activation: str
    weights: list            # [out, in] per layer, float64, acting on pixels in [0, 1]
    biases: list
    outputs: str             # what the model's own last values are: logits, softmax, log_softmax, sigmoid
    normalize: tuple | None  # (mean, std) folded into the first layer, or None
    notes: list = field(default_factory=list)   # each fold, in words

    def network_section(self) -> dict:
        return {"sizes": self.sizes, "hidden_activation": self.hidden_activation,
                "output_activation": self.output_activation, "weights": self.weights, "biases": self.biases}


def check_input_shape(shape, where: str) -> None:
    """Refuse an input that is not one 28x28 channel (or its 784 pixels flattened); the
    batch dimension, named or not, is left out of `shape`."""
    dims = [d for d in shape if d is not None]
    flat = [d for d in shape if isinstance(d, int)]
    if len(flat) == len(shape) and int(np.prod(flat)) == PIXELS and (len(flat) == 1 or flat[-2:] == [IMAGE_SIDE, IMAGE_SIDE]):
        return
    text = "x".join(str(d) for d in dims) or "a scalar"
    channels = f" ({flat[-3]} channels)" if len(flat) >= 3 and flat[-2:] == [IMAGE_SIDE, IMAGE_SIDE] else ""
    raise UserError(f"{where}: the input is {text}{channels}; nn-explainer draws networks that read one "
                    f"{IMAGE_SIDE}x{IMAGE_SIDE} grey image ({PIXELS} pixels)")


def to_network(steps: list, outputs: str | None = None, source: str = "the model") -> Imported:
    """Fold a layer list into the plain MLP it computes, or refuse it with one line.

    `outputs` is what a state_dict cannot say (the model's last values: logits, softmax
    or sigmoid); a graph that ends in Softmax, LogSoftmax or Sigmoid says it by itself,
    and a stated `outputs` that contradicts it is refused."""
    if outputs is not None and outputs not in OUTPUTS:
        raise UserError(f"--outputs must be one of {', '.join(OUTPUTS)}, got {outputs!r}")
    linears = [i for i, step in enumerate(steps) if isinstance(step, Linear)]
    if not linears:
        raise UserError(f"{source}: no Linear layer found; nn-explainer draws multilayer perceptrons")
    normalize, notes = None, []
    for step in steps[:linears[0]]:
        if isinstance(step, Normalize):
            if normalize is not None:
                raise UserError(f"{source}: two input normalisations ({step.name}); expected at most one")
            if not (np.isfinite(step.mean) and np.isfinite(step.std) and step.std > 0):
                raise UserError(f"{source}: normalisation {step.name} has mean {step.mean} and std {step.std}; "
                                "the std must be a positive number")
            normalize = (float(step.mean), float(step.std))
        elif not isinstance(step, Passive):
            raise UserError(f"{source}: {_describe(step)} comes before the first Linear layer; "
                            "nn-explainer draws Linear layers with activations between them")

    weights, biases, hidden_kinds, output_kind = [], [], [], None
    for number, start in enumerate(linears):
        linear = steps[start]
        end = linears[number + 1] if number + 1 < len(linears) else len(steps)
        weight, bias = _checked_linear(linear, weights[-1].shape[0] if weights else PIXELS, number == 0, source)
        activations = []
        for step in steps[start + 1:end]:
            if isinstance(step, BatchNorm):
                if activations:
                    raise UserError(f"{source}: BatchNorm {step.name} comes after an activation; only a "
                                    "BatchNorm right after a Linear folds into it exactly")
                weight, bias = _fold_batch_norm(weight, bias, step, source)
                notes.append(f"BatchNorm1d '{step.name}' folded into Linear '{linear.name}' (its running statistics, exactly)")
            elif isinstance(step, Activation):
                activations.append(step)
            elif isinstance(step, Normalize):
                raise UserError(f"{source}: a normalisation ({step.name}) after the first Linear layer")
            elif not isinstance(step, Passive):
                raise UserError(f"{source}: cannot draw {_describe(step)}")
        last = number == len(linears) - 1
        if len(activations) > 1:
            raise UserError(f"{source}: {' then '.join(a.kind for a in activations)} after Linear {linear.name}; "
                            "nn-explainer draws one activation per layer")
        if not last:
            if not activations:
                raise UserError(f"{source}: no activation between Linear {linear.name} and the next Linear "
                                "(two Linear layers in a row are one linear map; nn-explainer draws a' = f(W a + b))")
            if activations[0].kind not in HIDDEN_ACTIVATIONS:
                raise UserError(f"{source}: {activations[0].kind} after Linear {linear.name}; a hidden layer's "
                                f"activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}")
            hidden_kinds.append(activations[0].kind)
        else:
            output_kind = activations[0].kind if activations else None
        weights.append(weight)
        biases.append(bias)

    if len(set(hidden_kinds)) > 1:
        raise UserError(f"{source}: the hidden layers use different activations ({', '.join(hidden_kinds)}); "
                        "nn-explainer draws one hidden activation")
    if not hidden_kinds:
        raise UserError(f"{source}: a single Linear layer has no hidden layer to draw; "
                        "nn-explainer draws networks with 1 or more hidden layers")
    if weights[-1].shape[0] != CLASSES:
        raise UserError(f"{source}: the last Linear ({steps[linears[-1]].name}) has {weights[-1].shape[0]} outputs; "
                        f"nn-explainer draws {CLASSES} (one per digit)")
    model_outputs = _outputs(output_kind, outputs, source)
    if normalize is not None:
        mean, std = normalize
        biases[0] = biases[0] - (mean / std) * weights[0].sum(axis=1)
        weights[0] = weights[0] / std
        notes.insert(0, f"input normalisation (x - {mean:g}) / {std:g} folded into the first layer's W and b (exactly)")
    sizes = [PIXELS, *(w.shape[0] for w in weights)]
    return Imported(sizes, hidden_kinds[0], DRAWN_OUTPUT[model_outputs], weights, biases, model_outputs, normalize, notes)


def read_outputs(steps: list, stated: str | None) -> str | None:
    """What a graph's last values are, for a reader that sees the whole forward pass (ONNX,
    a traced module): as stated; else logits when it ends in a Linear (the usual case,
    trained with CrossEntropyLoss); else None: its last activation says it by itself."""
    linears = [i for i, step in enumerate(steps) if isinstance(step, Linear)]
    ends_in_activation = bool(linears) and any(isinstance(step, Activation) for step in steps[linears[-1] + 1:])
    return stated if stated is not None or ends_in_activation else "logits"


def _outputs(graph_kind: str | None, stated: str | None, source: str) -> str:
    if graph_kind is None:
        if stated is None:
            raise UserError(f"{source}: say what the last layer gives with --outputs logits|softmax|sigmoid "
                            "(logits: trained with CrossEntropyLoss)")
        return stated
    if graph_kind not in DRAWN_OUTPUT or graph_kind == "logits":
        raise UserError(f"{source}: the output layer ends in {graph_kind}; nn-explainer draws outputs that are "
                        "logits, softmax, log-softmax or sigmoid")
    said = {"softmax": ("softmax", "logits"), "log_softmax": ("softmax", "logits"), "sigmoid": ("sigmoid",)}[graph_kind]
    if stated is not None and stated not in said:
        raise UserError(f"{source}: --outputs {stated}, but the model itself ends in {graph_kind}")
    return graph_kind


def _checked_linear(linear: Linear, expected_in: int, first: bool, source: str):
    weight = np.asarray(linear.weight, dtype=np.float64)
    bias = np.zeros(weight.shape[0]) if linear.bias is None else np.asarray(linear.bias, dtype=np.float64)
    if weight.ndim != 2 or bias.shape != (weight.shape[0],):
        raise UserError(f"{source}: Linear {linear.name} has a weight of shape {list(weight.shape)} and a bias of "
                        f"shape {list(bias.shape)}; expected [out, in] and [out]")
    if weight.shape[1] != expected_in:
        what = (f"nn-explainer draws networks that read {IMAGE_SIDE}x{IMAGE_SIDE} = {PIXELS} pixels" if first
                else f"the layer before gives {expected_in}")
        raise UserError(f"{source}: Linear {linear.name} takes {weight.shape[1]} inputs, but {what}")
    if not (np.isfinite(weight).all() and np.isfinite(bias).all()):
        raise UserError(f"{source}: Linear {linear.name} holds NaN or infinite numbers")
    return weight, bias


def _fold_batch_norm(weight, bias, norm: BatchNorm, source: str):
    parts = [np.asarray(p, dtype=np.float64) for p in (norm.gamma, norm.beta, norm.running_mean, norm.running_var)]
    if any(p.shape != bias.shape for p in parts):
        raise UserError(f"{source}: BatchNorm {norm.name} has {parts[0].size} features after a layer of {bias.size}")
    gamma, beta, mean, var = parts
    if not all(np.isfinite(p).all() for p in parts) or (var + norm.eps <= 0).any():
        raise UserError(f"{source}: BatchNorm {norm.name} has NaN, infinite or negative statistics")
    scale = gamma / np.sqrt(var + norm.eps)
    return scale[:, None] * weight, scale * (bias - mean) + beta


def _describe(step) -> str:
    kind = getattr(step, "kind", type(step).__name__)
    return f"{kind} ({step.name})" if getattr(step, "name", None) else str(kind)
