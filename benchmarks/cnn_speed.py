"""Benchmark: a CNN's export, its size, and what reading it (with its full re-proof) costs.

1. pytorch/examples' mnist/main.py Net (conv 1->32 and 32->64 3x3, max pooling, dense
   9216->128->10, 1.2 M parameters; untrained, seeded: the timing does not depend on the
   weights) is read as a live module (torch.fx), folded with the input normalisation
   (0.1307, 0.3081), and written as an export; its size and what fills it are printed,
   then the time of one read (`schema.read_export`: every map recomputed in float64).
   The accuracies in this export, and its kernel evidence (model/kernel_evidence.py
   probes the test digits an export is measured on), are measured on the first 6,000
   training and 1,000 test digits (`--full`: all 65,000, as `render.py import` does;
   the kernels' knock-outs alone then take minutes on 2 cores).
2. Our small CNN (assets/export/network-cnn.json, `render.py train --conv 8,16`): the
   time of one read, and its training run's time and accuracy as recorded in the file.

    .venv/bin/python benchmarks/cnn_speed.py [--repeat 3] [--full]

A script to run by hand, not a test: times depend on the machine (and its load).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def examples_net():
    """pytorch/examples' Net (benchmarks/examples_net.py) with the input normalisation in
    its forward, as people write it: the export folds it."""
    import torch

    from benchmarks.examples_net import ExamplesNet

    class Net(ExamplesNet):
        def forward(self, x):
            return super().forward((x - 0.1307) / 0.3081)

    torch.manual_seed(0)
    return Net().eval()


def subset(data, full: bool):
    from nn_explainer.model.mnist import Mnist

    if full:
        return data
    return Mnist(data.train_images[:6000], data.train_labels[:6000], data.test_images[:1000],
                 data.test_labels[:1000], data.sha256)


def timed(function, repeat: int):
    """(best wall seconds, best CPU seconds of this process, its threads included, result):
    on a busy machine the CPU time says what the read costs, the wall time what it took."""
    best, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function()
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return best, cpu, result


def composition(path: Path) -> str:
    doc = json.loads(path.read_text())
    maps = sum(len(m) for e in doc["examples"] for m in e["maps"])
    weights = sum(len(layer.get("weight", "")) + len(layer.get("bias", "")) for layer in doc["convnet"]["layers"])
    total = path.stat().st_size
    return (f"maps {maps / 1e6:.1f} MB ({100 * maps / total:.0f} %), kernels and weights {weights / 1e6:.1f} MB "
            f"({100 * weights / total:.0f} %), {len(doc['examples'])} examples, float32 base64")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="measure accuracies on all of MNIST")
    args = parser.parse_args()

    from nn_explainer.model import conv_export, export, importing, mnist, paths
    from nn_explainer.model.importing import normalisation
    from nn_explainer.model.importing.layer_list import read_outputs
    from nn_explainer.model.importing.read_module import read_module, say_normalize
    from nn_explainer.model.schema import read_export

    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    net = examples_net()
    data = subset(mnist.load(None), args.full)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mnist_cnn.json"
        start = time.perf_counter()
        steps = read_module(net)
        settled = normalisation.settle(steps, read_outputs(steps, None), normalisation.AS_GIVEN, "Net", say_normalize)
        imported = settled.imported
        source = importing.source_section(imported, "module", "Net", None, settled.record)
        doc = conv_export.document(conv_export.rounded_layers(imported.layers), imported.names, {}, data, source=source)
        export.write_export(doc, path)
        print(f"pytorch/examples CNN ({imported.parameter_count:,} parameters): export written in "
              f"{time.perf_counter() - start:.1f} s ({'all of MNIST' if args.full else '7,000 digits'} for accuracies)")
        print(f"  kernel evidence over {doc['kernel_evidence']['digits']:,} test digits")
        print(f"  file {path.stat().st_size / 1e6:.1f} MB: {composition(path)}")
        seconds, cpu, exported = timed(lambda: read_export(path, convolutional=True), args.repeat)
        print(f"  read with full re-proof: {seconds:.2f} s wall, {cpu:.2f} s CPU (best of {args.repeat})")

    ours = paths.EXPORT_DIR / "network-cnn.json"
    if ours.exists():
        seconds, cpu, exported = timed(lambda: read_export(ours, convolutional=True), args.repeat)
        training = exported.training
        print(f"our CNN ({exported.network.parameter_count:,} parameters, {ours.stat().st_size / 1e6:.1f} MB): "
              f"read with full re-proof {seconds:.3f} s wall, {cpu:.3f} s CPU (best of {args.repeat}); trained in {training['seconds']:.0f} s "
              f"({training['epochs']} epochs, {training['device']}), test accuracy {100 * training['test_accuracy']:.2f} %")
    else:
        print("our CNN: no assets/export/network-cnn.json (render.py train --conv 8,16)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
