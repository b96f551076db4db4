"""Build `assets/export/network.json` from a trained model: the scenes' only input.

Weights are folded into pixel space (see network.py) and rounded to float32's eight
significant digits; every example's z and a are then recomputed in float64 from those
rounded numbers, so anyone can check the file against itself: a = σ(W a_prev + b) holds
to rounding for every layer of every example. Accuracies are measured on the exported
weights too, so the figures in the file describe the network in the file.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from . import example_ids, formula, neuron_evidence, schema
from .atomic import write_text
from .errors import UserError
from .mnist import Mnist, held_out_split
from .network import MLP
from .progress import QUIET

SLOPPY_THREE = 7         # MNIST training index of the three in 3Blue1Brown's video
TRAIN_THREES = 10        # the first ten threes of the training set
FIRST_TEST_DIGITS = 15
SNAPSHOT_EXAMPLES = (f"train:{SLOPPY_THREE}",)  # what a training snapshot keeps (and image examples)

_rounded = schema.round_floats


def forward(network: schema.Network | dict, pixels: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(zs, activations) in float64 for pixels [N, 784] or [784], straight from the formula."""
    return formula.forward(_get(network, "weights"), _get(network, "biases"), _get(network, "hidden_activation"),
                           _get(network, "output_activation"), pixels)


def _get(network, key):
    return network[key] if isinstance(network, dict) else getattr(network, key)


def network_section(model: MLP) -> dict:
    weights, biases = zip(*[(_rounded(w), _rounded(b)) for w, b in model.pixel_space_parameters()])
    return {**model.config(), "weights": list(weights), "biases": list(biases)}


PREDICTION_CHUNK = 5000  # images a pass: 55,000 at once took 800 MB, and seconds of page faults, for a 512-wide net


def predictions(network: dict, images: np.ndarray) -> np.ndarray:
    """The network's answer for each of a batch of uint8 images."""
    flat = images.reshape(len(images), -1)
    return np.concatenate([forward(network, flat[start:start + PREDICTION_CHUNK] / 255.0)[1][-1].argmax(1)
                           for start in range(0, len(flat), PREDICTION_CHUNK)])


def example_entry(network: dict, example_id: str, source: str, pixels: np.ndarray,
                  label: int | None, index: int | None = None, path: str | None = None,
                  doubt: str | None = None) -> dict:
    pixels = _rounded(np.asarray(pixels, dtype=np.float64).reshape(-1))
    zs, activations = forward(network, pixels)
    entry = {"id": example_ids.check_example_id(example_id), "source": source}
    entry.update({"index": index} if source != "image" else {"path": path})
    entry.update({
        "label": label,
        "pixels": pixels.tolist(),
        "z": [_rounded(z).tolist() for z in zs],
        "a": [pixels.tolist()] + [_rounded(a).tolist() for a in activations[1:]],
        "prediction": int(np.argmax(activations[-1])),
    })
    if doubt is not None:  # an image little like a digit: its caption says so
        entry["doubt"] = doubt
    return entry


def mnist_examples(network: dict, data: Mnist, test_predictions: np.ndarray, added=(), entry=None) -> list[dict]:
    """The sloppy three, the first ten threes, the first 15 test digits, the first miss;
    then the MNIST digits the user added (ids such as `test:123`), marked as such.
    `entry` builds one (example_entry; a CNN's: conv_export.example_entry)."""
    entry_of = entry or example_entry
    train_images = data.train_images.numpy()
    train_labels = data.train_labels.numpy()
    test_images = data.test_images.numpy()
    test_labels = data.test_labels.numpy()
    chosen = [("mnist-train", SLOPPY_THREE)]
    chosen += [("mnist-train", int(i)) for i in np.flatnonzero(train_labels == 3)[:TRAIN_THREES]]
    chosen += [("mnist-test", i) for i in range(FIRST_TEST_DIGITS)]
    misses = np.flatnonzero(test_predictions != test_labels)
    if len(misses):
        chosen.append(("mnist-test", int(misses[0])))
    chosen += [mnist_source(example_id) for example_id in added]
    entries, seen = [], set()
    for source, index in chosen:
        if (source, index) in seen:
            continue
        seen.add((source, index))
        images, labels = (train_images, train_labels) if source == "mnist-train" else (test_images, test_labels)
        entry = entry_of(network, f"{source.split('-')[1]}:{index}", source,
                              images[index] / 255.0, int(labels[index]), index=index)
        if entry["id"] in added:  # the user's: kept across re-exports, even if a default today
            entry["added"] = True
        entries.append(entry)
    return entries


def mnist_source(example_id: str) -> tuple[str, int]:
    """`test:123` -> ("mnist-test", 123). The index is checked against the data on use."""
    kind, _, number = example_id.partition(":")
    return f"mnist-{kind}", int(number)


def is_mnist_id(text: str) -> bool:
    """Whether `export --digit` names an MNIST digit (`train:N`, `test:N`) rather than a file."""
    kind, colon, number = str(text).partition(":")
    return bool(colon) and kind in ("train", "test") and number.isdigit()


def image_id(path: str | Path) -> str:
    """The example id of an image file (example_ids.py: a safe alphabet, or a hash)."""
    return example_ids.image_id(path)


def build_export(model: MLP, training: dict, data: Mnist, images: list[dict] = (), only=None,
                 added=()) -> dict:
    """The whole export document. `images` are earlier image examples to carry over
    (id, path, label, pixels); their activations are recomputed for this network.
    `added`: MNIST digits the user added (`test:123`). `only`: keep just these MNIST
    examples (a training snapshot's), images and added digits always."""
    return document(network_section(model), training, data, images, only, added)


def rounded_network(network: dict) -> dict:
    """A network section (sizes, activations, W, b) with W and b rounded as exported."""
    return {**network, "weights": [_rounded(w) for w in network["weights"]],
            "biases": [_rounded(b) for b in network["biases"]]}


def document(network: dict, training: dict, data: Mnist, images: list[dict] = (), only=None, added=(),
             source: dict | None = None, progress=QUIET) -> dict:
    """The export document of a network section whose W and b are already rounded
    (`network_section`, `rounded_network`): ours, or one imported (`source` says from where).
    `progress`: names the long steps as they run (model/progress.py)."""
    network = dict(network)  # its arrays become lists below; the caller's stay arrays
    train_index = held_out_split(len(data.train_images))[0].numpy()
    with progress(f"its accuracies, on MNIST's {len(train_index):,} training and {len(data.test_images):,} test digits"):
        train_predictions = predictions(network, data.train_images.numpy()[train_index])
        test_predictions = predictions(network, data.test_images.numpy())
    measured = {
        "train_accuracy": float((train_predictions == data.train_labels.numpy()[train_index]).mean()),
        "test_accuracy": float((test_predictions == data.test_labels.numpy()).mean()),
        "dataset_sha256": data.sha256,
    }
    examples = mnist_examples(network, data, test_predictions, added)
    if only is not None:
        examples = [example for example in examples if example["id"] in only or example.get("added")]
    for image in images:
        examples.append(example_entry(network, image["id"], "image", image["pixels"], image["label"], path=image["path"],
                                      doubt=image.get("doubt")))
    evidence = None
    if only is None:  # a training snapshot goes without: its beat draws weights and one pass
        three = next(e for e in examples if e["id"] == f"train:{SLOPPY_THREE}")
        with progress("the neuron evidence (top digits, knock-outs, the inputs each neuron wants to see)"):
            evidence = neuron_evidence.compute(schema.Network(**network), three["id"], np.array(three["pixels"]),
                                               schema.round_floats)
    for key in ("weights", "biases"):
        network[key] = [array.tolist() for array in network[key]]
    doc = {
        "format": schema.FORMAT,
        "version": schema.VERSION,
        "network": network,
        "training": {**training, **measured},
        "examples": examples,
    }
    if source is not None:
        doc[schema.SOURCE_KEY] = source
    if evidence is not None:
        doc[neuron_evidence.KEY] = evidence
    return doc


def write_export(doc: dict, path: Path) -> schema.Export:
    """Validate the document as a reader would, then write it atomically."""
    text = schema.dumps(doc)
    try:
        export = schema.parse(json.loads(text), hashlib.sha256(text.encode()).hexdigest())
    except UserError as err:  # a bug on our side: never write a file readers would refuse
        raise RuntimeError(f"refusing to write an invalid export: {err}") from None
    write_text(Path(path), text)
    return export


def unchanged(doc: dict, path: Path) -> bool:
    """Whether the file at `path` already holds exactly this document."""
    try:
        return Path(path).read_bytes() == schema.dumps(doc).encode()
    except OSError:
        return False


def carried_mnist(path: Path) -> list[str]:
    """The ids of MNIST digits the user added to the export at `path`, to keep across a
    re-export or a training run."""
    if not Path(path).exists():
        return []
    return [e.id for e in schema.read_export(path, convolutional=True).examples if e.added]


def carried_images(path: Path) -> list[dict]:
    """Image examples of the export already at `path`, to keep across a re-export."""
    if not Path(path).exists():
        return []
    existing = schema.read_export(path, convolutional=True)
    return [{"id": e.id, "path": e.path, "label": e.label, "pixels": e.pixels, "doubt": e.doubt}
            for e in existing.examples if e.source == "image"]
