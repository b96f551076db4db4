"""The shipped MNIST laid out as torchvision reads it, for a user's own training script.

`torchvision.datasets.MNIST(root, download=False)` reads `<root>/MNIST/raw/`, the four
IDX files inflated (`train-images-idx3-ubyte`, ...), and looks for nothing else: it
checks only that they exist. Our `assets/mnist/` holds them gzip-compressed again
(`gzip -9 -n`: 11 MB instead of 55 MB, too much for the repository and the wheel), so
their `.gz` checksums are not the ones torchvision's download knows, and it cannot
read them as they are. `lay_out(root)` inflates them there, offline: each file's
checksum verified against `assets/mnist/SHA256SUMS` and its IDX header and size
checked before anything is written (mnist._read_raw, parse_idx_array), then written
whole or not at all: a new `raw/` folder is built beside its place and renamed into
it; one that exists already gets each of our files renamed over it, where it differs,
and keeps anything else it holds. Run again, it writes nothing.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from .atomic import atomic_path, remove_stale
from .errors import UserError
from .mnist import FILES, IMAGES_MAGIC, LABELS_MAGIC, _read_raw, parse_idx_array, read_checksums
from .paths import MNIST_DIR, file_sha256

FOLDER = "MNIST"   # torchvision's class name: where its MNIST looks under root
RAW = "raw"


def raw_files(source: Path = MNIST_DIR) -> dict[str, bytes]:
    """{IDX file name: its inflated bytes} of the four files, each verified and checked."""
    checksums = read_checksums(source)
    files = {}
    for key, stem in FILES.items():
        data = _read_raw(source, stem, checksums)
        parse_idx_array(data, IMAGES_MAGIC if key.endswith("images") else LABELS_MAGIC, stem)  # refuses a bad one
        files[stem] = data
    return files


def lay_out(root: str | os.PathLike = "data", source: Path = MNIST_DIR) -> Path:
    """Write `<root>/MNIST/raw/` from the shipped files; returns `root` (absolute), the
    folder to pass to `torchvision.datasets.MNIST(root, download=False)`."""
    root = Path(root).expanduser().absolute()
    for folder in (root, root / FOLDER, root / FOLDER / RAW):
        if folder.exists() and not folder.is_dir():
            raise UserError(f"{folder}: not a folder (the data would go to {root / FOLDER / RAW})")
    files = raw_files(source)  # everything verified before anything is written
    raw = root / FOLDER / RAW
    raw.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(raw.parent)
    if not raw.exists():
        building = Path(tempfile.mkdtemp(prefix=f".{RAW}.{os.getpid()}.", suffix=".tmp", dir=raw.parent))
        try:
            for name, data in files.items():
                (building / name).write_bytes(data)
                os.chmod(building / name, 0o644)
            os.chmod(building, 0o755)
            os.rename(building, raw)  # the whole folder at once
            return root
        except OSError:
            if not raw.is_dir():
                raise
            # another process put a raw/ there meanwhile: fall through and check its files
        finally:
            shutil.rmtree(building, ignore_errors=True)
    remove_stale(raw)
    for name, data in files.items():
        target = raw / name
        if target.is_file() and file_sha256(target) == hashlib.sha256(data).hexdigest():
            continue
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
    return root

