"""Build a convolutional network's export (its `convnet` section and every example's maps).

The MLP's exporter (export.py) stays as it is, byte for byte; this is its sibling for a
layer list of conv_formula layers, ours (model/convnet.py) or imported. Kernels, weights
and biases are rounded to float32 first, as the file holds them; every example's maps are
then computed in float64 from those rounded numbers and stored as float32, so the file
re-proves against itself on every read (model/conv_schema.py). The accuracies are
measured on the rounded weights too, in PyTorch (float32, in batches): numpy float64
over 65,000 digits would take minutes for pytorch/examples' CNN.
"""
from __future__ import annotations

import numpy as np

from . import conv_backprop, conv_formula, conv_gradients, example_ids, export, kernel_evidence, schema
from .conv_schema import ENCODING, INPUT_SHAPE, KEY, NOT_COMPUTED_KEY, as_float32, decode, encode
from .mnist import Mnist, held_out_split
from .shapes import PIXELS

ACCURACY_BATCH = 1000
# What a CNN's export goes without, and why, said in the file (its `not_computed` section).
NO_CONVOLUTION = {
    kernel_evidence.KEY: "the network has no convolution, so no kernels",
    conv_backprop.KEY: "the network has no convolution, so no kernels",
}


def rounded_layers(layers: list) -> list:
    """The layer list with every kernel, weight and bias rounded to float32, as the file holds it."""
    out = []
    for layer in layers:
        if isinstance(layer, conv_formula.Conv2d):
            layer = conv_formula.Conv2d(as_float32(layer.weight), as_float32(layer.bias),
                                        tuple(layer.stride), tuple(layer.padding))
        elif isinstance(layer, conv_formula.Dense):
            layer = conv_formula.Dense(as_float32(layer.weight), as_float32(layer.bias))
        out.append(layer)
    return out


def network_section(layers: list, names: list) -> dict:
    entries = []
    for layer, name in zip(layers, names):
        entry = {"kind": layer.kind}
        if name is not None:
            entry["name"] = str(name)[:100]
        if isinstance(layer, conv_formula.Conv2d):
            out_channels, in_channels, kh, kw = layer.weight.shape
            entry.update({"in_channels": in_channels, "out_channels": out_channels, "kernel": [kh, kw],
                          "stride": list(layer.stride), "padding": list(layer.padding),
                          "weight": encode(layer.weight), "bias": encode(layer.bias)})
        elif isinstance(layer, conv_formula.Pool):
            entry.update({"kernel": list(layer.kernel), "stride": list(layer.stride), "padding": list(layer.padding)})
        elif isinstance(layer, conv_formula.Dense):
            entry.update({"in": layer.weight.shape[1], "out": layer.weight.shape[0],
                          "weight": encode(layer.weight), "bias": encode(layer.bias)})
        entries.append(entry)
    return {"input": list(INPUT_SHAPE), "encoding": ENCODING, "layers": entries}


def example_entry(layers: list, example_id: str, source: str, pixels, label, index=None, path=None, doubt=None) -> dict:
    pixels = as_float32(np.asarray(pixels, dtype=np.float64).reshape(-1))
    outputs = conv_formula.forward(layers, pixels.reshape(1, *INPUT_SHAPE))
    entry = {"id": example_ids.check_example_id(example_id), "source": source}
    entry.update({"index": index} if source != "image" else {"path": path})
    entry.update({"label": label, "pixels": encode(pixels), "maps": [encode(o[0]) for o in outputs[1:]],
                  "prediction": int(np.argmax(outputs[-1][0]))})
    if doubt is not None:
        entry["doubt"] = doubt
    return entry


def predictions(layers: list, images: np.ndarray) -> np.ndarray:
    """The network's answer for each of a batch of uint8 images, in torch float32."""
    import torch

    module = torch_module(layers).eval()
    answers = []
    with torch.no_grad():
        for start in range(0, len(images), ACCURACY_BATCH):
            batch = torch.from_numpy(images[start:start + ACCURACY_BATCH].astype(np.float32) / 255.0)
            answers.append(module(batch.reshape(-1, *INPUT_SHAPE)).argmax(1).numpy())
    return np.concatenate(answers)


def torch_module(layers: list):
    """The layer list as a torch.nn.Sequential (float32), for measuring accuracy fast."""
    import torch
    from torch import nn

    modules = []
    for layer in layers:
        if isinstance(layer, conv_formula.Conv2d):
            out_channels, in_channels, kh, kw = layer.weight.shape
            conv = nn.Conv2d(in_channels, out_channels, (kh, kw), tuple(layer.stride), tuple(layer.padding))
            conv.weight.data, conv.bias.data = (torch.from_numpy(layer.weight).float(), torch.from_numpy(layer.bias).float())
            modules.append(conv)
        elif isinstance(layer, conv_formula.Pool):
            kind = nn.MaxPool2d if layer.kind == "maxpool" else nn.AvgPool2d
            modules.append(kind(tuple(layer.kernel), tuple(layer.stride), tuple(layer.padding)))
        elif isinstance(layer, conv_formula.Flatten):
            modules.append(nn.Flatten())
        elif isinstance(layer, conv_formula.Dense):
            dense = nn.Linear(layer.weight.shape[1], layer.weight.shape[0])
            dense.weight.data, dense.bias.data = (torch.from_numpy(layer.weight).float(), torch.from_numpy(layer.bias).float())
            modules.append(dense)
        else:
            modules.append({"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}.get(layer.name, _softmax)())
    return nn.Sequential(*modules)


def _softmax():
    from torch import nn

    return nn.Softmax(dim=-1)


def document(layers: list, names: list, training: dict, data: Mnist, images=(), only=None, added=(),
             source: dict | None = None) -> dict:
    """A CNN's whole export document; `layers` already rounded (`rounded_layers`)."""
    train_index = held_out_split(len(data.train_images))[0].numpy()
    test_predictions = predictions(layers, data.test_images.numpy())
    train_predictions = predictions(layers, data.train_images.numpy()[train_index])
    measured = {
        "train_accuracy": float((train_predictions == data.train_labels.numpy()[train_index]).mean()),
        "test_accuracy": float((test_predictions == data.test_labels.numpy()).mean()),
        "dataset_sha256": data.sha256,
    }
    examples = export.mnist_examples(layers, data, test_predictions, added, entry=example_entry)
    if only is not None:
        examples = [example for example in examples if example["id"] in only or example.get("added")]
    for image in images:
        examples.append(example_entry(layers, image["id"], "image", image["pixels"], image["label"],
                                      path=image["path"], doubt=image.get("doubt")))
    doc = {"format": schema.FORMAT, "version": schema.VERSION, KEY: network_section(layers, names),
           "training": {**training, **measured}, "examples": examples}
    if source is not None:
        doc[schema.SOURCE_KEY] = source
    if only is None:  # a training snapshot goes without, as an MLP's goes without its evidence
        doc.update(evidence_sections(layers, examples, kernel_evidence.probe_count(data.test_images.numpy(),
                                                                                    data.test_labels.numpy())))
    return doc


def evidence_sections(layers: list, examples: list, digits: int | None = None) -> dict:
    """The kernels' evidence and the sloppy three's gradient (model/kernel_evidence.py,
    model/conv_gradients.py); a network without a convolution says so in `not_computed`."""
    if kernel_evidence.kernel_layers(layers) is None:
        return {NOT_COMPUTED_KEY: dict(NO_CONVOLUTION)}
    three = next(e for e in examples if e["id"] == f"train:{export.SLOPPY_THREE}")
    pixels = decode(three["pixels"], (PIXELS,), "pixels")
    return {kernel_evidence.KEY: kernel_evidence.compute(layers, three["id"], pixels, schema.round_floats, digits),
            conv_backprop.KEY: conv_gradients.section(layers, three)}

