"""A CNN trained elsewhere: its layer list folded into the export's `convnet` layers.

The readers (a live module traced with torch.fx, a state_dict with the class that
defines it, an ONNX graph) turn what they read into the one layer list of
model/importing/layer_list.py; a list with a convolution in it comes here instead of the MLP's
`to_network`. Each step becomes a conv_formula layer, checked and folded exactly:
- an input normalisation (x - m)/s into the first convolution, W' = W/s,
  b' = b - (m/s) ΣW, which is exact only without zero padding (a padded border would
  read as pixel m): a normalisation before a padded convolution is refused;
- a BatchNorm2d right after a convolution, per map: k = γ/√(σ² + ε), W' = k W,
  b' = k (b - μ) + β (a BatchNorm1d after a Linear as the MLP's);
- Flatten, .view, .reshape after the maps: one flatten (C×H×W); Dropout: nothing.
What cannot be drawn is refused in one line naming the layer: a grouped or dilated
convolution, an input of more than one channel, anything the layer list has no step for.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import conv_formula, conv_export, export, limits, mnist
from ..atomic import atomic_path
from ..activations import HIDDEN_ACTIVATIONS
from ..conv_schema import INPUT_SHAPE
from ..errors import UserError
from .layer_list import (DRAWN_OUTPUT, Activation, BatchNorm, Conv, Linear, Normalize, Passive, Pool,
                         _fold_batch_norm, _outputs)
from ..shapes import CLASSES

FLATTENING = ("Flatten", "flatten", "view", "reshape", "Reshape")
AGREEMENT = 1e-5   # the export's outputs against the model's own, per example (the MLP's reader allows 1e-4)


@dataclass(frozen=True)
class ImportedConv:
    """The layers a CNN's layer list computes, ready for the export's `convnet` section."""
    layers: list
    names: list
    shapes: list
    outputs: str             # the model's own last values: logits, softmax, log_softmax, sigmoid
    normalize: tuple | None
    notes: list = field(default_factory=list)
    onnx_path: object = None   # an ONNX graph's file: run (onnx's reference evaluator) against the export before writing
    inputs: tuple | None = None   # a DataLoader's normalisation (mean, std) the graph is fed through, as measured

    @property
    def output_activation(self) -> str:
        return self.layers[-1].name

    @property
    def parameter_count(self) -> int:
        return sum(layer.weight.size + layer.bias.size for layer in self.layers if hasattr(layer, "weight"))


def is_convolutional(steps: list) -> bool:
    return any(isinstance(step, (Conv, Pool)) for step in steps)


def to_conv_network(steps: list, outputs: str | None = None, source: str = "the model", onnx_path=None) -> ImportedConv:
    """Fold a layer list with convolutions into conv_formula layers, or refuse it in one line."""
    layers, names, notes = [], [], []
    shapes = [INPUT_SHAPE]
    normalize, output_kind, hidden = None, None, set()

    def add(layer, name):
        try:
            shape = conv_formula.output_shape(layer, shapes[-1])
        except UserError as err:
            raise UserError(f"{source}: {name or layer.kind}: {err}") from None
        layers.append(layer)
        names.append(name)
        shapes.append(shape)
        limits.check_conv_network([], [], shapes, 0, source)  # before the next layer's maps

    for index, step in enumerate(steps):
        last_layer = layers[-1] if layers else None
        if output_kind is not None and not isinstance(step, Passive):
            raise UserError(f"{source}: {_describe(step)} comes after the output activation ({output_kind})")
        if isinstance(step, Normalize):
            if layers or normalize is not None:
                raise UserError(f"{source}: a normalisation ({step.name}) after the first layer; nn-explainer folds "
                                "one (x - m) / s on the input")
            if not (np.isfinite(step.mean) and np.isfinite(step.std) and step.std > 0):
                raise UserError(f"{source}: normalisation {step.name} has mean {step.mean} and std {step.std}")
            normalize = (float(step.mean), float(step.std))
        elif isinstance(step, Conv):
            add(_conv(step, shapes[-1], not layers, source), step.name)
        elif isinstance(step, Pool):
            add(conv_formula.Pool(step.kind, step.kernel, step.stride, step.padding), step.name)
        elif isinstance(step, BatchNorm):
            if isinstance(last_layer, conv_formula.Conv2d):
                weight, bias = _fold_channels(last_layer, step, source)
                layers[-1] = conv_formula.Conv2d(weight, bias, last_layer.stride, last_layer.padding)
                notes.append(f"BatchNorm2d '{step.name}' folded into Conv2d '{names[-1]}' (its running statistics, exactly)")
            elif isinstance(last_layer, conv_formula.Dense):
                weight, bias = _fold_batch_norm(last_layer.weight, last_layer.bias, step, source)
                layers[-1] = conv_formula.Dense(weight, bias)
                notes.append(f"BatchNorm1d '{step.name}' folded into Linear '{names[-1]}' (its running statistics, exactly)")
            else:
                raise UserError(f"{source}: BatchNorm {step.name} does not come right after a convolution or a "
                                "Linear; only there does it fold exactly")
        elif isinstance(step, Linear):
            if len(shapes[-1]) != 1:
                add(conv_formula.Flatten(), None)   # a Linear on maps reads them flattened, as torch would refuse
            weight = np.asarray(step.weight, dtype=np.float64)
            bias = np.zeros(weight.shape[0]) if step.bias is None else np.asarray(step.bias, dtype=np.float64)
            if weight.ndim != 2 or bias.shape != (weight.shape[0],) or not (np.isfinite(weight).all() and np.isfinite(bias).all()):
                raise UserError(f"{source}: Linear {step.name} has a weight {list(weight.shape)} and bias "
                                f"{list(bias.shape)}, or non-finite numbers")
            add(conv_formula.Dense(weight, bias), step.name)
        elif isinstance(step, Activation):
            rest = [s for s in steps[index + 1:] if not isinstance(s, Passive)]
            if not rest:
                output_kind = step.kind
            elif step.kind in HIDDEN_ACTIVATIONS:
                hidden.add(step.kind)
                add(conv_formula.Act(step.kind), step.name)
            else:
                raise UserError(f"{source}: {step.kind} ({step.name}) between layers; a hidden activation must be one "
                                f"of {', '.join(HIDDEN_ACTIVATIONS)}")
        elif isinstance(step, Passive):
            if step.kind in FLATTENING and len(shapes[-1]) == 3 and layers:
                add(conv_formula.Flatten(), step.name)
        else:
            raise UserError(f"{source}: cannot draw {_describe(step)}")

    if len(hidden) > 1:
        raise UserError(f"{source}: the hidden layers use different activations ({', '.join(sorted(hidden))}); "
                        "nn-explainer draws one hidden activation")
    if not hidden:
        raise UserError(f"{source}: no activation between its layers; nn-explainer draws one hidden activation")
    if not isinstance(layers[-1], conv_formula.Dense) or shapes[-1] != (CLASSES,):
        raise UserError(f"{source}: the last layer ({names[-1] or layers[-1].kind}) gives "
                        f"{'x'.join(map(str, shapes[-1]))} values; nn-explainer draws a Linear of {CLASSES} outputs last")
    model_outputs = _outputs(output_kind, outputs, source)
    if normalize is not None:
        first = layers[0]
        if first.padding != (0, 0):
            raise UserError(f"{source}: the input normalisation comes before {names[0]}, a convolution with zero "
                            "padding; it does not fold exactly there (the padded border would read as pixel "
                            f"{normalize[0]:g}), so nn-explainer cannot draw it on pixels in [0, 1]")
        mean, std = normalize
        layers[0] = conv_formula.Conv2d(first.weight / std, first.bias - (mean / std) * first.weight.sum(axis=(1, 2, 3)),
                                        first.stride, first.padding)
        notes.insert(0, f"input normalisation (x - {mean:g}) / {std:g} folded into the first convolution's kernels "
                        "and bias (exactly: it has no padding)")
    add(conv_formula.Act(DRAWN_OUTPUT[model_outputs]), None)
    return ImportedConv(layers, names, shapes, model_outputs, normalize, notes, onnx_path)


def _conv(step: Conv, shape: tuple, first: bool, source: str) -> conv_formula.Conv2d:
    if step.groups != 1 or tuple(step.dilation) != (1, 1):
        what = "grouped" if step.groups != 1 else "dilated"
        raise UserError(f"{source}: {step.name} is a {what} convolution (groups {step.groups}, dilation "
                        f"{tuple(step.dilation)}); nn-explainer draws convolutions with groups and dilation 1")
    if step.padding_mode != "zeros":
        raise UserError(f"{source}: {step.name} pads with {step.padding_mode}; nn-explainer draws zero padding")
    weight = np.asarray(step.weight, dtype=np.float64)
    if weight.ndim != 4:
        raise UserError(f"{source}: {step.name} has a {weight.ndim}-dimensional kernel; nn-explainer draws Conv2d")
    if first and weight.shape[1] != 1:
        raise UserError(f"{source}: {step.name} reads {weight.shape[1]} channels (a colour image?); nn-explainer "
                        "draws networks that read one 28x28 grey channel")
    bias = np.zeros(weight.shape[0]) if step.bias is None else np.asarray(step.bias, dtype=np.float64)
    if bias.shape != (weight.shape[0],) or not (np.isfinite(weight).all() and np.isfinite(bias).all()):
        raise UserError(f"{source}: {step.name} has a bias of shape {list(bias.shape)} or non-finite numbers")
    return conv_formula.Conv2d(weight, bias, tuple(step.stride), tuple(step.padding))


def _fold_channels(conv: conv_formula.Conv2d, norm: BatchNorm, source: str):
    parts = [np.asarray(p, dtype=np.float64) for p in (norm.gamma, norm.beta, norm.running_mean, norm.running_var)]
    if any(p.shape != conv.bias.shape for p in parts):
        raise UserError(f"{source}: BatchNorm {norm.name} has {parts[0].size} channels after a convolution of "
                        f"{conv.bias.size}")
    gamma, beta, mean, var = parts
    if not all(np.isfinite(p).all() for p in parts) or (var + norm.eps <= 0).any():
        raise UserError(f"{source}: BatchNorm {norm.name} has NaN, infinite or negative statistics")
    scale = gamma / np.sqrt(var + norm.eps)
    return scale[:, None, None, None] * conv.weight, scale * (conv.bias - mean) + beta


def module_step(module, name: str):
    """The step of a CNN's nn.Module (Conv2d, MaxPool2d, AvgPool2d, BatchNorm2d), or None."""
    from torch import nn

    if isinstance(module, nn.Conv2d):
        kernel = tuple(module.kernel_size)
        padding = module.padding
        if padding == "valid":
            padding = (0, 0)
        elif padding == "same":
            if module.stride != (1, 1) or any(k % 2 == 0 for k in kernel):
                raise UserError(f"the model: {name} pads 'same' with an even kernel or a stride; nn-explainer "
                                "draws symmetric zero padding")
            padding = tuple((k - 1) // 2 for k in kernel)
        return Conv(name, _numpy(module.weight), None if module.bias is None else _numpy(module.bias),
                    tuple(module.stride), tuple(padding), module.groups, tuple(module.dilation), module.padding_mode)
    if isinstance(module, nn.MaxPool2d):
        return pool_step(name, "maxpool", module.kernel_size, module.stride, module.padding,
                         dilation=module.dilation, ceil_mode=module.ceil_mode)
    if isinstance(module, nn.AvgPool2d):
        return pool_step(name, "avgpool", module.kernel_size, module.stride, module.padding, ceil_mode=module.ceil_mode,
                         count_include_pad=module.count_include_pad, divisor_override=module.divisor_override)
    if isinstance(module, nn.BatchNorm2d):
        if module.running_mean is None or module.running_var is None:
            raise UserError(f"the model: BatchNorm2d {name} keeps no running statistics (track_running_stats=False); "
                            "nn-explainer folds a BatchNorm2d by its running statistics")
        gamma = _numpy(module.weight) if module.weight is not None else np.ones(module.num_features)
        beta = _numpy(module.bias) if module.bias is not None else np.zeros(module.num_features)
        return BatchNorm(name, gamma, beta, _numpy(module.running_mean), _numpy(module.running_var), float(module.eps))
    return None


def function_step(node, argument):
    """The step of F.max_pool2d / F.avg_pool2d in a traced graph, or None; `argument`
    reads a node's argument by position or keyword."""
    import torch
    import torch.nn.functional as F

    if node.target is F.max_pool2d or node.target is torch.max_pool2d:
        return pool_step(node.name, "maxpool", argument(node, 1, "kernel_size"), argument(node, 2, "stride"),
                         argument(node, 3, "padding", 0), dilation=argument(node, 4, "dilation", 1),
                         ceil_mode=argument(node, 5, "ceil_mode", False),
                         return_indices=argument(node, 6, "return_indices", False))
    if node.target is F.avg_pool2d:
        return pool_step(node.name, "avgpool", argument(node, 1, "kernel_size"), argument(node, 2, "stride"),
                         argument(node, 3, "padding", 0), ceil_mode=argument(node, 4, "ceil_mode", False),
                         count_include_pad=argument(node, 5, "count_include_pad", True),
                         divisor_override=argument(node, 6, "divisor_override"))
    return None


def pool_step(name, kind, kernel, stride, padding, dilation=1, ceil_mode=False, count_include_pad=True,
              divisor_override=None, return_indices=False) -> Pool:
    """A pooling, refused unless it is the plain one conv_formula computes."""
    kernel = conv_formula.pair(kernel)
    stride = kernel if stride is None or stride == [] or stride == () else conv_formula.pair(stride)
    if conv_formula.pair(dilation) != (1, 1) or ceil_mode or not count_include_pad or divisor_override or return_indices:
        raise UserError(f"the model: {name} is a {kind} with dilation, ceil_mode, indices or a divisor of its own; "
                        "nn-explainer draws plain max and average pooling")
    return Pool(name, kind, kernel, stride, conv_formula.pair(padding))


def _numpy(tensor) -> np.ndarray:
    import torch

    return tensor.detach().to("cpu", torch.float64).numpy()


def _describe(step) -> str:
    kind = getattr(step, "kind", type(step).__name__)
    return f"{kind} ({step.name})" if getattr(step, "name", None) else str(kind)


def write_import(imported: ImportedConv, source: dict, export_path, data_source=None):
    """Build a CNN's export and write it atomically; returns the checked Export."""
    layers = imported.layers
    kernels = [side for layer in layers if isinstance(layer, conv_formula.Conv2d) for side in layer.weight.shape[2:]]
    kernels += [side for layer in layers if isinstance(layer, conv_formula.Pool) for side in layer.kernel]
    limits.check_conv_network([layer.weight.shape[0] for layer in layers if isinstance(layer, conv_formula.Conv2d)],
                              kernels, imported.shapes, imported.parameter_count, source["name"])
    data = mnist.load(data_source)
    doc = conv_export.document(conv_export.rounded_layers(imported.layers), imported.names, {}, data, source=source)
    with atomic_path(Path(export_path)) as written:  # renamed into place only once the model agrees
        checked = export.write_export(doc, written)
        if imported.onnx_path is not None:
            check_onnx_agreement(imported.onnx_path, checked, imported.outputs, imported.inputs)
    return checked


def check_onnx_agreement(path, exported, outputs: str, inputs: tuple | None = None) -> None:
    """Run the ONNX graph itself (onnx's reference evaluator: numpy, no runtime needed) on
    every example's pixels (normalised by `inputs`, as its DataLoader did); refuse unless it gives the export's outputs to AGREEMENT."""
    import onnx
    from onnx.reference import ReferenceEvaluator

    model = onnx.load(str(path), load_external_data=False)
    evaluator = ReferenceEvaluator(model)
    weights = {tensor.name for tensor in model.graph.initializer}
    value = next(v for v in model.graph.input if v.name not in weights)   # the one input (read_onnx checked)
    rank = len(value.type.tensor_type.shape.dim)
    worst, where = 0.0, None
    for example in exported.examples:
        pixels = example.pixels if inputs is None else (example.pixels - inputs[0]) / inputs[1]
        pixels = pixels.astype(np.float32).reshape((1, *INPUT_SHAPE) if rank == 4 else (1, -1))
        given = np.asarray(evaluator.run(None, {value.name: pixels})[0], dtype=np.float64).reshape(-1)
        if outputs == "logits":
            given = np.exp(given - given.max()) / np.exp(given - given.max()).sum()
        elif outputs == "log_softmax":
            given = np.exp(given)
        difference = float(np.abs(given - example.maps[-1]).max())
        if not difference <= worst:
            worst, where = difference, example.id
    if not worst <= AGREEMENT:
        raise UserError(f"{path}: the graph itself disagrees with the export on {where} by {worst:.3g}; "
                        "nothing was written")
