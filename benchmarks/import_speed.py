"""Benchmark: how long bringing your own model takes, each way in, and what reading it costs.

For each network shape (3Blue1Brown's 784-16-16-10, and a tutorial's 784-128-64-10 with
BatchNorm1d), an untrained nn.Sequential is saved as a state_dict (.pt), as safetensors
and as ONNX, and exported from the live module; each is timed through the same calls
`render.py import` and `nn_explainer.export_module` make, split into reading the model
(the layer list and its fold) and writing the export (every example, the neuron
evidence, chapter two's gradients, the check on read; its CPU time beside it: on a busy
machine the wall time says more about the others' work). Then the largest difference
between the export's outputs and the module's own softmax, and the time one read of the
export takes (the reader recomputes everything).

    .venv/bin/python benchmarks/import_speed.py [--repeat 3]

A script to run by hand, not a test: times depend on the machine.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SHAPES = {"784-16-16-10, sigmoid": ((16, 16), "sigmoid", False),
          "784-128-64-10, relu, BatchNorm1d": ((128, 64), "relu", True),
          "784-512-512-10, relu (PyTorch tutorial)": ((512, 512), "relu", False)}


def build(hidden, function, batch_norm):
    import torch
    from torch import nn

    torch.manual_seed(0)
    layers, width = [nn.Flatten()], 784
    act = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}[function]
    for size in hidden:
        layers += [nn.Linear(width, size)] + ([nn.BatchNorm1d(size)] if batch_norm else []) + [act()]
        width = size
    layers.append(nn.Linear(width, 10))
    model = nn.Sequential(*layers).eval()
    if batch_norm:  # statistics far from the identity, so the fold does something
        for module in model:
            if isinstance(module, nn.BatchNorm1d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
    return model


def timed(work, repeat):
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="the shapes whose name holds this text, e.g. tutorial")
    args = parser.parse_args()

    import numpy as np
    import torch
    from safetensors.torch import save_file

    from nn_explainer.model import importing
    from nn_explainer.model.importing.read_module import module_to_export, read_module
    from nn_explainer.model.importing.layer_list import to_network
    from nn_explainer.model.schema import read_export

    folder = Path(tempfile.mkdtemp(prefix="import-speed-"))
    print(f"{'network':<40} {'way in':<12} {'read model':>10} {'write export':>13} {'(CPU)':>8} {'read export':>12} "
          f"{'max |diff|':>11}")
    for shape, (hidden, function, batch_norm) in SHAPES.items():
        if args.only and args.only not in shape:
            continue
        model = build(hidden, function, batch_norm)
        flags = {"activation": function, "outputs": "logits"}
        files = {"state_dict": folder / "m.pt", "safetensors": folder / "m.safetensors", "onnx": folder / "m.onnx"}
        torch.save(model.state_dict(), files["state_dict"])
        save_file({k: v.contiguous() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")},
                  str(files["safetensors"]))
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28), str(files["onnx"]), dynamo=False)
        for way, path in [*files.items(), ("module", None)]:
            export = folder / f"{way}.json"
            cpu = time.process_time()
            if path is None:
                read, _ = timed(lambda: to_network(read_module(model), "logits", "the model"), args.repeat)
                write, _ = timed(lambda: module_to_export(model, export), args.repeat)
            else:
                given = {} if way == "onnx" else flags
                read, (imported, source) = timed(lambda: importing.read_model_file(path, **given), args.repeat)
                write, _ = timed(lambda: importing.write_import(imported, source, export), args.repeat)
            cpu = (time.process_time() - cpu) / args.repeat  # reading the model, the measurement and the export
            reading, exported = timed(lambda: read_export(export), args.repeat)
            pixels = torch.tensor(np.stack([e.pixels for e in exported.examples]), dtype=torch.float32)
            with torch.no_grad():
                theirs = torch.softmax(model(pixels.reshape(-1, 1, 28, 28)), -1).double().numpy()
            diff = np.abs(np.stack([e.a[-1] for e in exported.examples]) - theirs).max()
            print(f"{shape:<40} {way:<12} {read:>9.3f}s {write:>12.2f}s {cpu:>7.1f}s {reading:>11.3f}s {diff:>11.1e}",
                  flush=True)


if __name__ == "__main__":
    main()
