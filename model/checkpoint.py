"""Checkpoints as safetensors: tensors plus a JSON header, no pickle anywhere.

The header's metadata holds the network's configuration (so the model can be rebuilt
without guessing) and the training record (seed, epochs, accuracies, ...), so that
`render.py export` can rebuild the export from the checkpoint alone.
"""
from __future__ import annotations

import json
import math
import stat
import struct
from pathlib import Path

from . import invocation, limits, strict_json
from .atomic import atomic_path
from .errors import UserError

# torch is imported where tensors are touched, not here: reading a checkpoint's record
# (what `render.py all` does to decide whether to train) must not cost torch's import.


def checkpoint_bytes(model, training: dict, history: list[dict]) -> dict:
    """What a checkpoint holds, as (tensors, metadata), ready to write."""
    tensors = {name: t.detach().cpu().contiguous() for name, t in model.state_dict().items()}
    metadata = {"config": json.dumps({**model.config(), "batch_norm": model.batch_norm}),
                "training": json.dumps(training),
                "history": json.dumps(history)}
    return {"tensors": tensors, "metadata": metadata}


def write_checkpoint(path: Path, content: dict) -> None:
    from safetensors.torch import save_file

    with atomic_path(path) as tmp:
        save_file(content["tensors"], str(tmp), metadata=content["metadata"])


DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def read_header(path: Path) -> dict[str, str]:
    """Validate a safetensors file's header before anything is allocated, and return its
    metadata. The header is JSON that claims shapes; a claim of a million hidden units
    would otherwise be allocated whole by the loader (4 GB) before any check of ours."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise UserError(f"{path}: not a regular file, so not a checkpoint")
    limits.check_size(f"{path}", info.st_size, limits.MAX_CHECKPOINT_BYTES)
    with open(path, "rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise UserError(f"{path}: not a usable checkpoint (shorter than a safetensors header)")
        header_bytes = struct.unpack("<Q", prefix)[0]
        limits.check_size(f"{path}: checkpoint header", header_bytes, limits.MAX_CHECKPOINT_HEADER_BYTES)
        if 8 + header_bytes > info.st_size:
            raise UserError(f"{path}: not a usable checkpoint (header runs past the end of the file)")
        header = strict_json.loads(handle.read(header_bytes), f"{path}: not a usable checkpoint, header")
    if not isinstance(header, dict):
        raise UserError(f"{path}: not a usable checkpoint (header is not an object)")
    metadata = header.pop("__metadata__", {}) or {}
    data_bytes = info.st_size - 8 - header_bytes
    elements = 0
    for name, entry in header.items():
        where = f"{path}: tensor {name!r}"
        if not (isinstance(entry, dict) and entry.get("dtype") in DTYPE_BYTES and isinstance(entry.get("shape"), list)
                and all(strict_json.exact_int(d) and 0 <= d <= limits.MAX_PARAMETERS for d in entry["shape"])
                and isinstance(entry.get("data_offsets"), list) and len(entry["data_offsets"]) == 2
                and all(strict_json.exact_int(o) for o in entry["data_offsets"])):
            raise UserError(f"{where}: malformed header entry")
        count = math.prod(entry["shape"])
        elements += count
        if elements > 2 * limits.MAX_PARAMETERS:  # weights, biases and batch-norm statistics
            raise UserError(f"{where}: the header claims over {2 * limits.MAX_PARAMETERS:,} numbers, "
                            f"more than a network within the limits holds")
        begin, end = entry["data_offsets"]
        if not 0 <= begin <= end <= data_bytes or end - begin != count * DTYPE_BYTES[entry["dtype"]]:
            raise UserError(f"{where}: its data offsets do not match its shape or the file's size")
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise UserError(f"{path}: not a usable checkpoint (metadata is not text)")
    return metadata


def read_record(path: Path) -> tuple[dict, dict, list[dict]]:
    """(config, training record, per-epoch history) from a checkpoint's header alone,
    checked, without loading a tensor."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no checkpoint (run `{invocation.command('train')}` first)")
    metadata = read_header(path)
    where = f"{path}: not a usable checkpoint, metadata"
    try:
        config = strict_json.loads(metadata["config"], where)
        training = strict_json.loads(metadata.get("training", "{}"), where)
        history = strict_json.loads(metadata.get("history", "[]"), where)
        if "conv" in config:  # our CNN (model/convnet.py): its feature maps per convolution
            _check_conv(config["conv"], path)
        else:
            sizes = config["sizes"]
            if not (isinstance(sizes, list) and len(sizes) >= 2 and all(strict_json.exact_int(s) and s > 0 for s in sizes)):
                raise ValueError(f"sizes {sizes!r} are not positive integers")
            limits.check_network_sizes(sizes, f"{path}: checkpoint of network")  # before building it
        if not isinstance(training, dict) or not isinstance(history, list):
            raise ValueError("training record or history of the wrong type")
        if not isinstance(config.get("hidden_activation"), str):
            raise ValueError("no hidden activation")
    except (KeyError, ValueError, TypeError, AttributeError) as err:
        raise UserError(f"{path}: not a usable checkpoint ({str(err).splitlines()[0]})") from None
    return config, training, history


def _check_conv(channels, path: Path) -> None:
    """A CNN checkpoint's `conv` list, within the caps, before anything is built."""
    from .conv_plan import check_channels

    if not (isinstance(channels, list) and channels and all(strict_json.exact_int(c) and c > 0 for c in channels)):
        raise ValueError(f"conv {channels!r} is not a list of positive integers")
    try:
        check_channels(channels, "conv")
    except UserError as err:
        raise UserError(f"{path}: checkpoint of network: {err}") from None


def load_checkpoint(path: Path):
    """(model, training record, per-epoch history) from a safetensors checkpoint."""
    import torch
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from .network import MLP

    path = Path(path)
    config, training, history = read_record(path)
    try:
        if "conv" in config:
            from .convnet import ConvNet

            model = ConvNet(config["conv"], hidden_activation=config["hidden_activation"],
                            batch_norm=config.get("batch_norm", False))
        else:
            sizes = config["sizes"]
            model = MLP(hidden=tuple(sizes[1:-1]), hidden_activation=config["hidden_activation"],
                        output_activation=config["output_activation"], batch_norm=config.get("batch_norm", False))
        tensors = load_file(str(path))
        model.load_state_dict(tensors)
    except (SafetensorError, OSError, KeyError, ValueError, RuntimeError, TypeError) as err:
        raise UserError(f"{path}: not a usable checkpoint ({str(err).splitlines()[0]})") from None
    for name, tensor in tensors.items():
        if not torch.isfinite(tensor).all():
            raise UserError(f"{path}: {name} holds NaN or infinite values")
    return model.eval(), training, history
