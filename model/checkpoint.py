"""Checkpoints as safetensors: tensors plus a JSON header, no pickle anywhere.

The header's metadata holds the network's configuration (so the model can be rebuilt
without guessing) and the training record (seed, epochs, accuracies, ...), so that
`render.py export` can rebuild the export from the checkpoint alone.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .atomic import atomic_path
from .errors import UserError
from .network import MLP


def checkpoint_bytes(model: MLP, training: dict, history: list[dict]) -> dict:
    """What a checkpoint holds, as (tensors, metadata), ready to write."""
    tensors = {name: t.detach().cpu().contiguous() for name, t in model.state_dict().items()}
    metadata = {"config": json.dumps({**model.config(), "batch_norm": model.batch_norm}),
                "training": json.dumps(training),
                "history": json.dumps(history)}
    return {"tensors": tensors, "metadata": metadata}


def write_checkpoint(path: Path, content: dict) -> None:
    with atomic_path(path) as tmp:
        save_file(content["tensors"], str(tmp), metadata=content["metadata"])


def load_checkpoint(path: Path) -> tuple[MLP, dict, list[dict]]:
    """(model, training record, per-epoch history) from a safetensors checkpoint."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no checkpoint (run `python render.py train` first)")
    try:
        tensors = load_file(str(path))
        from safetensors import safe_open
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
        config = json.loads(metadata["config"])
        training = json.loads(metadata.get("training", "{}"))
        history = json.loads(metadata.get("history", "[]"))
        sizes = config["sizes"]
        model = MLP(hidden=tuple(sizes[1:-1]), hidden_activation=config["hidden_activation"],
                    output_activation=config["output_activation"], batch_norm=config.get("batch_norm", False))
        model.load_state_dict(tensors)
    except (SafetensorError, OSError, KeyError, ValueError, RuntimeError, TypeError) as err:
        raise UserError(f"{path}: not a usable checkpoint ({str(err).splitlines()[0]})") from None
    for name, tensor in tensors.items():
        if not torch.isfinite(tensor).all():
            raise UserError(f"{path}: {name} holds NaN or infinite values")
    return model.eval(), training, history
