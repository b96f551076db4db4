"""The steps the CLI runs, as plain functions: train -> checkpoint -> export.

Kept apart from argument parsing so tests call the same code a user runs.
"""
from __future__ import annotations

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
    content = checkpoint.checkpoint_bytes(result.model, doc["training"], result.history)
    metrics_path, curve_path = paths.training_outputs(checkpoint_path)
    import json

    metrics = {"training": doc["training"], "history": result.history,
               "parameters": result.model.parameter_count(), "network": repr(result.model)}
    with no_interrupts():
        checkpoint.write_checkpoint(checkpoint_path, content)
        write_text(metrics_path, json.dumps(metrics, indent=2) + "\n")
        plot_training_curve(result.history, curve_path, repr(result.model))
        export.write_export(doc, export_path)
        for epoch, state in result.snapshots.items():
            snapshot = checkpoint_path.with_name(f"{checkpoint_path.stem}.epoch{epoch}.safetensors")
            checkpoint.write_checkpoint(snapshot, {"tensors": state, "metadata": content["metadata"]})
    return export_path


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
