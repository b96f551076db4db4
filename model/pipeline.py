"""The steps the CLI runs, as plain functions: train -> checkpoint -> export.

Kept apart from argument parsing so tests call the same code a user runs.
"""
from __future__ import annotations

import copy
import json
import signal
from contextlib import contextmanager
from pathlib import Path

from . import checkpoint, digit_image, export, mnist, paths
from .curve import plot_training_curve
from .atomic import write_text
from .errors import UserError
from .train import TrainConfig, train


def default_paths(activation: str) -> tuple[Path, Path]:
    """(checkpoint, export) for a variant: the sigmoid and ReLU networks live side by side."""
    if activation == "sigmoid":
        return paths.DEFAULT_CHECKPOINT, paths.DEFAULT_EXPORT
    return (paths.CHECKPOINT_DIR / f"network-{activation}.safetensors",
            paths.EXPORT_DIR / f"network-{activation}.json")


@contextmanager
def no_interrupts():
    """Hold Ctrl-C while a set of files is renamed into place, so they stay a set."""
    pending = []
    previous = signal.signal(signal.SIGINT, lambda *args: pending.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pending:
            raise KeyboardInterrupt


def run_training(config: TrainConfig, checkpoint_path: Path | None = None, export_path: Path | None = None,
                 data_source=None, progress: bool = True) -> Path:
    """Train, then write checkpoint, metrics, curve and export, all or none."""
    config.validate()
    default_checkpoint, default_export = default_paths(config.activation)
    checkpoint_path = Path(checkpoint_path or default_checkpoint)
    export_path = Path(export_path or default_export)
    images = export.carried_images(export_path) if export_path.exists() else []
    data = mnist.load(data_source)
    result = train(config, data, progress=progress)
    doc = export.build_export(result.model, result.training, data, images)
    snapshot_docs = snapshot_exports(result, data, images)
    content = checkpoint.checkpoint_bytes(result.model, doc["training"], result.history)
    metrics_path, curve_path = paths.training_outputs(checkpoint_path)
    metrics = {"training": doc["training"], "history": result.history,
               "parameters": result.model.parameter_count(), "network": repr(result.model)}
    with no_interrupts():
        checkpoint.write_checkpoint(checkpoint_path, content)
        write_text(metrics_path, json.dumps(metrics, indent=2) + "\n")
        plot_training_curve(result.history, curve_path, repr(result.model))
        export.write_export(doc, export_path)
        for epoch, snapshot_doc in snapshot_docs.items():
            snapshot = checkpoint_path.with_name(f"{checkpoint_path.stem}.epoch{epoch}.safetensors")
            checkpoint.write_checkpoint(snapshot, {"tensors": result.snapshots[epoch], "metadata": content["metadata"]})
            export.write_export(snapshot_doc, export_path.with_name(f"{export_path.stem}.epoch{epoch}.json"))
    return export_path


def snapshot_exports(result, data, images) -> dict:
    """An export for each kept epoch: the same digits through the network as it was then."""
    docs = {}
    for epoch, state in result.snapshots.items():
        model = copy.deepcopy(result.model)  # same architecture, batch norm and all
        model.load_state_dict(state)
        docs[epoch] = export.build_export(model.eval(), {**result.training, "epochs": epoch, "snapshot_of": result.training["epochs"]},
                                          data, images)
    return docs


def training_options_changed(config: TrainConfig, checkpoint_path: Path) -> str | None:
    """Why the checkpoint does not match these options, or None if it does."""
    if not Path(checkpoint_path).exists():
        return "no checkpoint yet"
    model, training, _ = checkpoint.load_checkpoint(checkpoint_path)
    wanted = {"seed": config.seed, "epochs": config.epochs, "hidden": list(config.hidden),
              "activation": config.activation}
    have = {"seed": training.get("seed"), "epochs": training.get("epochs"), "hidden": model.sizes[1:-1],
            "activation": model.hidden_activation}
    differ = [f"{key} {have[key]} -> {wanted[key]}" for key in wanted if have[key] != wanted[key]]
    return ", ".join(differ) or None


def run_export(checkpoint_path: Path | None = None, export_path: Path | None = None, digit: Path | None = None,
               label: int | None = None, data_source=None) -> tuple[Path, str | None]:
    """Rebuild the export from a checkpoint, optionally adding the user's own digit."""
    if label is not None and not 0 <= label <= 9:
        raise UserError(f"--label must be a digit 0-9, got {label}")
    if label is not None and digit is None:
        raise UserError("--label needs --digit PATH")
    new_image = None
    if digit is not None:  # read the image first: a bad one must change nothing
        new_image = {"id": export.image_id(digit), "path": str(digit), "label": label,
                     "pixels": digit_image.load_digit(digit)}
    model, training, _ = checkpoint.load_checkpoint(Path(checkpoint_path or paths.DEFAULT_CHECKPOINT))
    export_path = Path(export_path or default_paths(model.hidden_activation)[1])
    images = export.carried_images(export_path)
    if new_image is not None:
        images = [image for image in images if image["id"] != new_image["id"]] + [new_image]
    data = mnist.load(data_source)
    doc = export.build_export(model, training, data, images)
    with no_interrupts():
        export.write_export(doc, export_path)
    return export_path, new_image["id"] if new_image else None
