"""The steps the CLI runs, as plain functions: train -> checkpoint -> export.

Kept apart from argument parsing so tests call the same code a user runs.
"""
from __future__ import annotations

import copy
import json
import signal
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from . import checkpoint, conv_export, digit_image, export, generations, gradients, mnist, paths, test_seam
from .curve import plot_training_curve
from .atomic import write_text
from .errors import Terminated, UserError
from .paths import written_paths
from .train import TrainConfig, train


@contextmanager
def no_interrupts():
    """Hold Ctrl-C and SIGTERM while a set of files is switched into place, so that a
    run stopped then ends cleanly: the signal is acted on once the switch is done."""
    pending = []
    held = [signal.SIGINT, signal.SIGTERM]
    previous = {number: signal.signal(number, lambda number, frame: pending.append(number)) for number in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if signal.SIGTERM in pending:
            raise Terminated()
        if pending:
            raise KeyboardInterrupt


def run_training(config: TrainConfig, checkpoint_path: Path | None = None, export_path: Path | None = None,
                 data_source=None, progress: bool = True) -> Path:
    """Train, then publish checkpoint, metrics, curve, export and snapshots as one set
    (generations.py): a kill at any instant leaves the previous set or this one."""
    config.validate()
    default_checkpoint, default_export = written_paths(CONV_VARIANT if config.conv is not None else config.activation)
    checkpoint_path = Path(checkpoint_path or default_checkpoint)
    export_path = Path(export_path or default_export)
    _check_output(checkpoint_path, "--checkpoint")
    _check_output(export_path, "--export")
    images = export.carried_images(export_path) if export_path.exists() else []
    added = export.carried_mnist(export_path)
    data = mnist.load(data_source)
    result = train(config, data, progress=progress)
    doc = export_document(result.model, result.training, data, images, added=added)
    snapshot_docs = snapshot_exports(result, data, images, added)
    if config.conv is None:  # chapter two's gradients: an MLP's (a CNN's export says so: not there)
        gradients.add_to(doc, data, [(epoch, d["network"]) for epoch, d in sorted(snapshot_docs.items())], result.history)
    content = checkpoint.checkpoint_bytes(result.model, doc["training"], result.history)
    metrics_path, curve_path = paths.training_outputs(checkpoint_path)
    metrics = {"training": doc["training"], "history": result.history,
               "parameters": result.model.parameter_count(), "network": repr(result.model)}
    outputs = {
        checkpoint_path: lambda target: checkpoint.write_checkpoint(target, content),
        metrics_path: lambda target: write_text(target, json.dumps(metrics, indent=2) + "\n"),
        curve_path: lambda target: plot_training_curve(result.history, target, repr(result.model)),
        export_path: lambda target: export.write_export(doc, target),
    }
    for epoch, snapshot_doc in snapshot_docs.items():
        tensors = {"tensors": result.snapshots[epoch], "metadata": content["metadata"]}
        outputs[snapshot_name(checkpoint_path, epoch)] = (
            lambda target, tensors=tensors: checkpoint.write_checkpoint(target, tensors))
        outputs[snapshot_name(export_path, epoch)] = (
            lambda target, snapshot_doc=snapshot_doc: export.write_export(snapshot_doc, target))
    test_seam.pause("training:trained")
    with no_interrupts():
        generations.publish(paths.generations_dir(checkpoint_path), outputs)
    return export_path


CONV_VARIANT = "cnn"   # `train --conv` writes network-cnn.*, beside the sigmoid and ReLU networks


def export_document(model, training: dict, data, images=(), only=None, added=()) -> dict:
    """The export of a model of ours: an MLP's (export.py), or a CNN's (conv_export.py)."""
    if hasattr(model, "layer_list"):
        layers, names = model.layer_list()
        return conv_export.document(conv_export.rounded_layers(layers), names, training, data, images, only, added)
    return export.build_export(model, training, data, images, only=only, added=added)


def _refuse_id_collision(new_image: dict, images: list[dict]) -> None:
    """Two different files whose names give one id: refuse rather than replace."""
    for image in images:
        if image["id"] == new_image["id"] and Path(image["path"]).name != Path(new_image["path"]).name:
            raise UserError(f"{new_image['path']}: its id {new_image['id']} is already taken by {image['path']}; "
                            "rename the file to add it")


def snapshot_name(path: Path, epoch: int) -> Path:
    """network.json -> network.epoch5.json: the weights as they were after that epoch."""
    return paths.snapshot_path(path, epoch)


def _check_output(path: Path, flag: str) -> None:
    if path.is_dir():
        raise UserError(f"{flag} {path}: is a directory, not a file name")
    if path.parent.exists() and not path.parent.is_dir():
        raise UserError(f"{flag} {path}: {path.parent} is a file, not a folder")


def snapshot_exports(result, data, images, added=()) -> dict:
    """An export for each kept epoch: the network as it was then, with the sloppy three and
    the user's own digits (images and added MNIST digits) through it (not every example: six whole exports would triple
    what a clone carries), and the whole run's history, so the learning beat can draw the
    curve the snapshot sits on."""
    docs = {}
    for epoch, state in result.snapshots.items():
        model = copy.deepcopy(result.model)  # same architecture, batch norm and all
        model.load_state_dict(state)
        training = {**result.training, "epochs": epoch, "snapshot_of": result.training["epochs"],
                    "history": result.history}
        training.pop("validation_accuracy")  # the final epoch's; this snapshot's is in the history
        if epoch >= 1:
            training["validation_accuracy"] = result.history[epoch - 1]["validation_accuracy"]
        docs[epoch] = export_document(model.eval(), training, data, images, only=export.SNAPSHOT_EXAMPLES,
                                      added=added)
    return docs


def run_export(checkpoint_path: Path | None = None, export_path: Path | None = None, digit: Path | str | None = None,
               label: int | None = None, data_source=None, replace: bool = False,
               remove: str | None = None) -> tuple[Path, str | None, str | None]:
    """Rebuild the export from a checkpoint, optionally adding the user's own digit (an
    image file, or an MNIST digit by its index: `train:N`, `test:N`) or removing one
    (`remove`: its id). An image whose id is taken by a different one replaces it only
    when asked (`replace`). Returns (export, the id added or removed, what was done:
    "added", "replaced", "removed" or "unchanged"; None without a digit)."""
    if label is not None and not 0 <= label <= 9:
        raise UserError(f"--label must be a digit 0-9, got {label}")
    if label is not None and digit is None:
        raise UserError("--label needs --digit PATH")
    if remove is not None and digit is not None:
        raise UserError("--remove and --digit: one at a time")
    new_image, new_mnist = None, None
    if digit is not None and export.is_mnist_id(digit) and not Path(digit).exists():
        new_mnist = str(digit)
        if label is not None:
            raise UserError(f"--label is for an image; {new_mnist} is labelled by MNIST itself")
    elif digit is not None:  # read the image first: a bad one must change nothing
        pixels, doubt = digit_image.read_digit(digit)
        new_image = {"id": export.image_id(digit), "path": str(digit), "label": label, "pixels": pixels,
                     "doubt": doubt}
    checkpoint_path = Path(checkpoint_path or paths.DEFAULT_CHECKPOINT)
    model, training, history = checkpoint.load_checkpoint(checkpoint_path)
    convolutional = hasattr(model, "layer_list")
    export_path = Path(export_path or written_paths(CONV_VARIANT if convolutional else model.hidden_activation)[1])
    images = export.carried_images(export_path)
    added = export.carried_mnist(export_path)
    new_id, done = (new_image["id"] if new_image else new_mnist or remove), None
    if new_image is not None:
        _refuse_id_collision(new_image, images)
        done = _replacing(new_image, images, replace)
        images = [image for image in images if image["id"] != new_image["id"]] + [new_image]
    if new_mnist is not None:
        done = "unchanged" if new_mnist in added else "added"
    if remove is not None:
        if remove not in [image["id"] for image in images] + added:
            raise UserError(f"--remove {remove}: not an example you added (yours: "
                            f"{', '.join([image['id'] for image in images] + added) or 'none'}); "
                            "the examples every export holds stay")
        images = [image for image in images if image["id"] != remove]
        added = [example_id for example_id in added if example_id != remove]
        done = "removed"
    data = mnist.load(data_source)
    if new_mnist is not None:
        _check_mnist_index(new_mnist, data)
        added = [example_id for example_id in added if example_id != new_mnist] + [new_mnist]
    doc = export_document(model, training, data, images, added=added)
    if not convolutional:
        gradients.add_to(doc, data, gradients.past_networks(checkpoint_path, training["epochs"]), history)
    folder = paths.generations_dir(checkpoint_path)
    with no_interrupts():
        if generations.managed_by(export_path, folder):  # part of a training set: a new generation
            if export.unchanged(doc, export_path):
                return export_path, new_id, done
            generations.publish(folder, {export_path: lambda target: export.write_export(doc, target)},
                                carry_over=True)
        else:
            export.write_export(doc, export_path)
    return export_path, new_id, done


def _replacing(new_image: dict, images: list[dict], replace: bool) -> str:
    """"added", "unchanged" (the same picture and label again) or "replaced" (only when
    asked: an earlier image of the same name would otherwise be lost without a word)."""
    for image in images:
        if image["id"] != new_image["id"]:
            continue
        if np.array_equal(np.asarray(image["pixels"]), np.asarray(new_image["pixels"])) and \
                image["label"] == new_image["label"] and image.get("doubt") == new_image["doubt"]:
            return "unchanged"
        if not replace:
            said = f"labelled {image['label']}" if image["label"] is not None else "unlabelled"
            raise UserError(f"{new_image['path']}: the export already holds {image['id']} ({image['path']}, {said}), "
                            "a different picture or label; add --replace to replace it, or rename the file")
        return "replaced"
    return "added"


def _check_mnist_index(example_id: str, data) -> None:
    source, index = export.mnist_source(example_id)
    count = len(data.train_images if source == "mnist-train" else data.test_images)
    if index >= count:
        raise UserError(f"--digit {example_id}: MNIST's {source.split('-')[1]} set has images 0 to {count - 1}")


def restore_committed() -> list[Path]:
    """Switch the default networks (sigmoid, ReLU and the CNN) back to the ones the repository
    ships, undoing `render.py train` and `export --digit` on them: one switch of each
    set's `current` link (generations.py). Returns the exports restored."""
    if not paths.LAYOUT.clone:  # the committed networks ship in the package, read whenever none is written here
        raise UserError(f"the committed networks are read whenever {paths.LAYOUT.work} holds none: delete your "
                        "runs there (or use another --workdir) to draw them again")
    restored = []
    for activation in ("sigmoid", "relu", CONV_VARIANT):
        checkpoint_path, export_path = written_paths(activation)
        folder = paths.generations_dir(checkpoint_path)
        with no_interrupts():
            if generations.restore_committed(folder, [checkpoint_path.parent, export_path.parent]):
                restored.append(export_path)
    if not restored:
        raise UserError("no committed network to return to (assets/checkpoints/*.generations/"
                        f"{generations.COMMITTED}); `git restore assets` brings it back from git")
    return restored
