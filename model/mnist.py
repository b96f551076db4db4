"""MNIST from the original IDX files, read once into uint8 tensors.

The four gzip files ship in `assets/mnist/` with their SHA-256 checksums, so a fresh
clone trains offline. `load_mnist()` verifies the checksums (when the directory has a
SHA256SUMS file), parses the IDX headers strictly, and keeps the result in memory:
training slices batches straight out of these tensors, with no per-sample Python.

A user may point `--data` at a directory of their own (gzip or plain IDX files), or
pass `--data torchvision` to let torchvision download the data set when online.
"""
from __future__ import annotations

import hashlib
import re
import zlib
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import limits, strict_json
from .errors import UserError
from .shapes import IMAGE_SIDE
from .paths import MNIST_DIR

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
# IDX magic numbers: 0x0803 = unsigned bytes, 3 dimensions; 0x0801 = 1 dimension.
IMAGES_MAGIC, LABELS_MAGIC = 0x0803, 0x0801
HELD_OUT = 5000       # training images kept out of training, to choose hyper-parameters
HELD_OUT_SEED = 2017  # fixed, and apart from the training seed: the split never moves


@dataclass(frozen=True)
class Mnist:
    """The whole data set in memory: images [N, 28, 28] and labels [N], both uint8."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    sha256: str  # of the decompressed IDX bytes, so it names the data, not the gzip


def read_checksums(directory: Path) -> dict[str, str]:
    """SHA256SUMS as {file name: hex digest}; a malformed line is refused, not skipped."""
    sums = directory / "SHA256SUMS"
    if not sums.exists():
        return {}
    text = strict_json.decode_text(strict_json.read_capped(sums, limits.MAX_CHECKSUMS_BYTES, "checksum file"), str(sums))
    table = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or not re.fullmatch(r"[0-9a-fA-F]{64}", parts[0]):
            raise UserError(f"{sums}: line {number} is not `SHA256  FILE` (64 hex digits, then a name)")
        table[parts[1].strip().lstrip("*")] = parts[0].lower()
    return table


def _read_raw(directory: Path, stem: str, checksums: dict[str, str]) -> bytes:
    """The decompressed bytes of one IDX file, its checksum verified if one is listed;
    read and inflated with a cap, so a gzip bomb stops at MAX_IDX_BYTES."""
    for name in (stem + ".gz", stem):
        path = directory / name
        if path.exists():
            break
    else:
        raise UserError(f"{directory}: no {stem}.gz or {stem} (the MNIST IDX files)")
    data = strict_json.read_capped(path, limits.MAX_IDX_BYTES, "IDX file")
    expected = checksums.get(name)
    if expected is not None and hashlib.sha256(data).hexdigest() != expected:
        raise UserError(f"{path}: checksum mismatch, the file is damaged or not the real MNIST")
    if name.endswith(".gz"):
        data = inflate(data, limits.MAX_IDX_BYTES, path)
    return data


def inflate(data: bytes, cap: int, path: Path) -> bytes:
    """gzip-decompress at most `cap` bytes; more is refused before it is made."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip framing
    try:
        out = inflater.decompress(data, cap + 1)
        if len(out) > cap or inflater.unconsumed_tail:
            raise UserError(f"{path}: decompresses to more than the limit of {cap // limits.MiB} MiB")
        if not inflater.eof:
            raise UserError(f"{path}: not a readable gzip file (truncated)")
    except zlib.error as err:
        raise UserError(f"{path}: not a readable gzip file ({err})") from None
    return out


def parse_idx(data: bytes, magic: int, name: str) -> "torch.Tensor":
    """An IDX byte string as a uint8 tensor, refusing anything malformed or truncated."""
    import torch  # here, not at the top: the export reader reads MNIST without torch (idx_arrays)

    return torch.from_numpy(parse_idx_array(data, magic, name))


def parse_idx_array(data: bytes, magic: int, name: str) -> np.ndarray:
    """An IDX byte string as a uint8 numpy array, refusing anything malformed or truncated."""
    dims = magic & 0xFF
    header = 4 + 4 * dims
    if len(data) < header or struct.unpack(">I", data[:4])[0] != magic:
        raise UserError(f"{name}: not an IDX file of the expected kind (bad header)")
    shape = struct.unpack(f">{dims}I", data[4:header])
    count = 1
    for size in shape:
        count *= size
    if len(data) - header != count:
        raise UserError(f"{name}: truncated or padded: header says {count} bytes, file has {len(data) - header}")
    # a writable copy: torch warns on (and must not share) a read-only buffer
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy()


@lru_cache(maxsize=4)
def load_mnist(directory: Path = MNIST_DIR) -> Mnist:
    """Load the four IDX files of `directory` (default: the copy shipped in assets/)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UserError(f"{directory}: no such data directory")
    checksums = read_checksums(directory)
    digest = hashlib.sha256()
    tensors = {}
    for key, stem in FILES.items():
        raw = _read_raw(directory, stem, checksums)
        digest.update(raw)
        tensors[key] = parse_idx(raw, IMAGES_MAGIC if key.endswith("images") else LABELS_MAGIC, stem)
    _check_consistent(tensors)
    return Mnist(**tensors, sha256=digest.hexdigest())


@lru_cache(maxsize=4)
def idx_arrays(split: str, directory: Path = MNIST_DIR) -> tuple[np.ndarray, np.ndarray]:
    """(images [N, 28, 28], labels [N]) of one split ("train" or "test") as numpy uint8,
    checksums verified, without torch: what the export reader re-proves the neuron
    evidence against (model/neuron_evidence.py). Cached: one inflate per process."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UserError(f"{directory}: no such data directory")
    checksums = read_checksums(directory)
    images, labels = (parse_idx_array(_read_raw(directory, FILES[f"{split}_{kind}"], checksums), magic,
                                      FILES[f"{split}_{kind}"])
                      for kind, magic in (("images", IMAGES_MAGIC), ("labels", LABELS_MAGIC)))
    if images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE) or len(images) != len(labels) or not len(images):
        raise UserError(f"MNIST {split} set in {directory}: {images.shape} images for {len(labels)} labels")
    return images, labels


def held_out_split(count: int) -> "tuple[torch.Tensor, torch.Tensor]":
    """(training indices, held-out indices) of the training set: a fixed random 5,000
    are held out. Random rather than the last 5,000, which are not typical of the
    set (they score a point higher than the test set)."""
    import torch

    order = torch.randperm(count, generator=torch.Generator().manual_seed(HELD_OUT_SEED))
    return order[HELD_OUT:].sort().values, order[:HELD_OUT].sort().values


def load_torchvision(root: Path) -> Mnist:
    """MNIST through torchvision's downloader, for users who are online. Only the raw
    IDX files are fetched and read, by our own parser: torchvision's legacy
    `processed/*.pt` files are pickles and are never opened."""
    raw = Path(root) / "MNIST" / "raw"
    if not all((raw / stem).exists() or (raw / f"{stem}.gz").exists() for stem in FILES.values()):
        from torchvision.datasets import MNIST
        from torchvision.datasets.utils import download_url

        raw.mkdir(parents=True, exist_ok=True)
        for filename, md5 in MNIST.resources:
            if (raw / filename).exists():
                continue
            for mirror in MNIST.mirrors:
                try:
                    download_url(f"{mirror}{filename}", root=str(raw), filename=filename, md5=md5)
                    break
                except Exception:  # torchvision raises plain URLError/RuntimeError when offline
                    continue
            else:
                raise UserError(f"torchvision could not download MNIST's {filename} (offline?)")
    return load_mnist(raw)


def load(source: str | Path | None) -> Mnist:
    """What `--data` means: nothing = the shipped copy, 'torchvision', or a directory."""
    if source is None:
        return load_mnist()
    if str(source) == "torchvision":
        return load_torchvision(Path.home() / ".cache" / "nn-explainer" / "torchvision")
    return load_mnist(Path(source).resolve())


MIN_TRAIN_IMAGES = HELD_OUT + 1  # the held-out split needs 5,000, and training at least one more


def _check_consistent(t: "dict[str, torch.Tensor]") -> None:
    for split in ("train", "test"):
        images, labels = t[f"{split}_images"], t[f"{split}_labels"]
        if images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE) or len(images) != len(labels):
            raise UserError(f"MNIST {split} set: {tuple(images.shape)} images for {len(labels)} labels")
        if len(images) == 0:
            raise UserError(f"MNIST {split} set: no images (an empty IDX file)")
        if split == "train" and len(images) < MIN_TRAIN_IMAGES:
            raise UserError(f"MNIST train set: {len(images):,} images, but {HELD_OUT:,} are held out for "
                            f"validation: at least {MIN_TRAIN_IMAGES:,} are needed")
        if int(labels.max()) > 9:
            raise UserError(f"MNIST {split} set: labels outside 0..9")
