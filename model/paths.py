"""Where things live, in one place, relative to the repository root.

Everything the project writes by default stays inside the checkout, so a clone is
self-contained and works offline.
"""
import errno
import os
import stat
from pathlib import Path

from .errors import UserError

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS = REPO_ROOT / "assets"
MNIST_DIR = ASSETS / "mnist"
EXPORT_DIR = ASSETS / "export"
CHECKPOINT_DIR = ASSETS / "checkpoints"

DEFAULT_EXPORT = EXPORT_DIR / "network.json"
RELU_EXPORT = EXPORT_DIR / "network-relu.json"
DEFAULT_CHECKPOINT = CHECKPOINT_DIR / "network.safetensors"
MEDIA_DIR = REPO_ROOT / "media"
GLYPH_CACHE = REPO_ROOT / ".cache" / "glyphs"   # manim's TeX and text SVGs, kept between renders


def default_paths(activation: str) -> tuple[Path, Path]:
    """(checkpoint, export) for a variant: the sigmoid and ReLU networks live side by side."""
    if activation == "sigmoid":
        return DEFAULT_CHECKPOINT, DEFAULT_EXPORT
    return CHECKPOINT_DIR / f"network-{activation}.safetensors", EXPORT_DIR / f"network-{activation}.json"


def training_outputs(checkpoint: Path) -> tuple[Path, Path]:
    """The metrics file and training-curve PNG that sit beside a checkpoint."""
    stem = checkpoint.with_suffix("")
    return stem.with_name(stem.name + ".metrics.json"), stem.with_name(stem.name + ".curve.png")


def generations_dir(checkpoint: Path) -> Path:
    """Where a checkpoint's whole training set (checkpoint, metrics, curve, export,
    snapshots) lives, one folder per generation (see generations.py):
    assets/checkpoints/network.generations/ for the default network."""
    checkpoint = Path(checkpoint)
    return checkpoint.parent / f"{checkpoint.with_suffix('').name}.generations"


def snapshot_path(export: Path, epoch: int) -> Path:
    """network.json -> network.epoch5.json: the export of the weights after that epoch,
    kept beside the export by training (`render.py train --snapshots`)."""
    export = Path(export)
    return export.with_name(f"{export.with_suffix('').name}.epoch{epoch}{export.suffix}")


def snapshot_epochs(export: Path) -> list[int]:
    """The epochs whose snapshots lie beside an export, in order (none: [])."""
    export = Path(export)
    prefix, suffix = f"{export.with_suffix('').name}.epoch", export.suffix
    found = []
    for path in export.parent.glob(f"{prefix}*{suffix}"):
        number = path.name[len(prefix):len(path.name) - len(suffix)]
        if number.isdigit() and path.is_file():
            found.append(int(number))
    return sorted(found)


# What a path the user gives is for (check_given_path).
READ_FILE, WRITE_FILE, FOLDER = "file to read", "file to write", "folder"


def check_given_path(path: Path, flag: str, wanted: str) -> None:
    """Refuse, in one line, a path the user gave (`flag`: how they gave it) that cannot
    be what it is `wanted` for: a symbolic link loop, a link to nothing, a device, pipe
    or socket, a folder where a file is wanted or a file where a folder is; or, for what
    will be made, a parent that is not a folder. A file to read that simply does not
    exist is left to its reader, which says what to do about it."""
    path = Path(path)
    shown = f"{flag} {path}"
    try:
        info = os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise UserError(f"{shown}: a loop of symbolic links, not a {wanted.split()[0]}") from None
        if err.errno == errno.ENOTDIR:
            raise UserError(f"{shown}: a part of its path is a file, not a folder") from None
        if err.errno != errno.ENOENT:
            raise UserError(f"{shown}: {err.strerror}") from None
        if os.path.islink(path):
            raise UserError(f"{shown}: a symbolic link to nothing ({os.readlink(path)})") from None
        if wanted != READ_FILE:  # to be made: where it goes must be a folder (or be made one)
            parent = path.absolute().parent
            if parent != path.absolute():
                check_given_path(parent, f"{shown}: its folder", FOLDER)
        return
    if stat.S_ISDIR(info.st_mode):
        if wanted != FOLDER:
            raise UserError(f"{shown}: is a directory, not "
                            + ("a regular file" if wanted == READ_FILE else "a file name"))
    elif not stat.S_ISREG(info.st_mode):
        kind = "a folder" if wanted == FOLDER else "a regular file"
        raise UserError(f"{shown}: not {kind} (a device, pipe or socket)")
    elif wanted == FOLDER:
        raise UserError(f"{shown}: is a file, not a folder")


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read a megabyte at a time."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
