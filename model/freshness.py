"""Is there anything to do? `render.py all` asks before it trains or re-exports.

Training is needed when the checkpoint was trained with other options than those asked
for; re-exporting, when the export was not made from this very checkpoint by this very
code and data. Both answers come from small reads (the checkpoint's header, file
hashes), without importing torch, so that `all` with nothing changed is quick.

An export's provenance is a stamp: a hash of the checkpoint's bytes, the export's bytes,
the source of every module in model/ (the exporter and what it uses), and the data's
checksum list. It is recorded after each export in a local, untracked file
(`assets/checkpoints/.exports-checked.json`; an installed tool's beside its own
checkpoints in `./nn-explainer/`): a fresh clone has none, so its first `all`
re-exports once (which rewrites nothing when the export is already right) and records it.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import checkpoint, paths
from .atomic import write_text
from .errors import UserError

STAMPS: Path | None = None   # None: beside the checkpoints training writes (paths.CHECKPOINT_DIR); a test's own file
MODEL_DIR = Path(__file__).resolve().parent


def trained_with(checkpoint_path: Path) -> dict | None:
    """The options a checkpoint was trained with (seed, epochs, hidden, activation), read
    from its header; None when there is no checkpoint."""
    if not Path(checkpoint_path).exists():
        return None
    config, training, _ = checkpoint.read_record(checkpoint_path)
    return {"seed": training.get("seed"), "epochs": training.get("epochs"), "hidden": config["sizes"][1:-1],
            "activation": config["hidden_activation"]}


def training_plan(asked: dict, defaults: dict, checkpoint_path: Path, retrain: bool = False) -> tuple[str | None, dict]:
    """Whether `render.py all` trains a network, and with which options: (why, options),
    why being None to keep the network there. The network there is the user's to keep
    (perhaps their own `train --epochs 2`): `all` trains only when there is none, when
    asked (`retrain`), or when an option given on the command line (`asked`) differs from
    what it was trained with; options not given are the network's own (or `defaults`,
    for a network not made yet)."""
    have = trained_with(checkpoint_path)
    if have is None:
        return "no network yet", {**defaults, **asked}
    wanted = {**have, **asked}
    if retrain:
        return "asked to (--retrain)", wanted
    return training_options_changed(wanted, checkpoint_path), wanted


def training_options_changed(wanted: dict, checkpoint_path: Path) -> str | None:
    """Why the checkpoint does not match `wanted` (seed, epochs, hidden, activation), or
    None if it does."""
    if not Path(checkpoint_path).exists():
        return "no checkpoint yet"
    config, training, _ = checkpoint.read_record(checkpoint_path)
    have = {"seed": training.get("seed"), "epochs": training.get("epochs"), "hidden": config["sizes"][1:-1],
            "activation": config["hidden_activation"]}
    differ = [f"{key} {have[key]} -> {wanted[key]}" for key in wanted if have[key] != wanted[key]]
    return ", ".join(differ) or None


def export_stamp(checkpoint_path: Path, export_path: Path) -> str | None:
    """The export's provenance now, or None when a file is missing (nothing to vouch for)."""
    digest = hashlib.sha256()
    try:
        for path in (checkpoint_path, export_path, *sorted(MODEL_DIR.rglob("*.py")),  # the reader reads model/importing/ too
                     paths.MNIST_DIR / "SHA256SUMS"):
            digest.update(str(Path(path).name).encode())
            digest.update(Path(path).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def _stamps_file() -> Path:
    return STAMPS or paths.CHECKPOINT_DIR / ".exports-checked.json"


def _stamps() -> dict:
    try:
        stamps = json.loads(_stamps_file().read_text())
        return stamps if isinstance(stamps, dict) else {}
    except (OSError, ValueError):
        return {}  # missing or damaged: it only ever saves work, so start again


def export_is_current(checkpoint_path: Path, export_path: Path) -> bool:
    stamp = export_stamp(checkpoint_path, export_path)
    return stamp is not None and _stamps().get(str(Path(export_path).absolute())) == stamp


def record_export(checkpoint_path: Path, export_path: Path) -> None:
    """Remember that this export was just made (or found right) from this checkpoint."""
    stamp = export_stamp(checkpoint_path, export_path)
    if stamp is None:
        raise UserError(f"{export_path}: missing right after it was written")
    stamps = {**_stamps(), str(Path(export_path).absolute()): stamp}
    write_text(_stamps_file(), json.dumps(stamps, indent=1, sort_keys=True) + "\n")
