"""Real images read right: EXIF orientation honoured, 16-bit and palette greyscale
scaled, not clipped; and the torchvision path never unpickles a processed/*.pt."""
from __future__ import annotations

import struct

import numpy as np
from PIL import Image

from nn_explainer.model.digit_image import load_digit


def _three_ish(side=60) -> np.ndarray:
    """Dark ink on white paper: a vertical bar in the left third, so rotation shows."""
    paper = np.full((side, side), 1.0)
    paper[10:50, 12:20] = 0.0
    return paper


def test_16_bit_greyscale_is_scaled_not_clipped(tmp_path):
    eight = tmp_path / "eight.png"
    sixteen = tmp_path / "sixteen.png"
    Image.fromarray((_three_ish() * 255).astype(np.uint8)).save(eight)
    Image.fromarray((_three_ish() * 65535).astype(np.uint16)).save(sixteen)
    assert Image.open(sixteen).mode.startswith("I")
    assert np.allclose(load_digit(sixteen), load_digit(eight), atol=1e-6)


def test_palette_image_reads_its_colours_not_its_indices(tmp_path):
    plain, palette = tmp_path / "plain.png", tmp_path / "palette.png"
    Image.fromarray((_three_ish() * 255).astype(np.uint8)).save(plain)
    image = Image.fromarray((_three_ish() * 255).astype(np.uint8)).convert("RGB").quantize(colors=2)
    # Index 0 = white paper, index 1 = black ink: the indices alone would invert it.
    image.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    image.putdata([1 if v < 128 else 0 for v in (_three_ish() * 255).astype(np.uint8).reshape(-1)])
    image.save(palette)
    assert np.allclose(load_digit(palette), load_digit(plain), atol=1e-6)


def test_exif_orientation_is_honoured(tmp_path):
    upright, sideways = tmp_path / "upright.jpg", tmp_path / "sideways.jpg"
    pixels = (_three_ish() * 255).astype(np.uint8)
    Image.fromarray(pixels).save(upright, quality=100)
    # Stored rotated, with the tag that says "rotate 90° clockwise to view" (6), as a phone does.
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.rot90(pixels)).save(sideways, quality=100, exif=exif.tobytes())
    assert np.abs(load_digit(sideways) - load_digit(upright)).max() < 0.1
    assert np.abs(load_digit(sideways) - np.rot90(load_digit(upright).reshape(28, 28)).reshape(-1)).max() > 0.3


def test_torchvision_path_reads_raw_idx_and_never_unpickles(tmp_path, monkeypatch):
    import torch

    from nn_explainer.model import mnist

    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    processed = tmp_path / "MNIST" / "processed"
    processed.mkdir()
    (processed / "training.pt").write_bytes(b"a pickle we must never open")
    for key, stem in mnist.FILES.items():
        count = 6000 if key.startswith("train") else 10
        shape = (count, 28, 28) if key.endswith("images") else (count,)
        magic = mnist.IMAGES_MAGIC if key.endswith("images") else mnist.LABELS_MAGIC
        (raw / stem).write_bytes(struct.pack(">I", magic) + struct.pack(f">{len(shape)}I", *shape)
                                 + bytes(int(np.prod(shape))))

    def no_unpickling(*args, **kwargs):
        raise AssertionError("torch.load was called")

    monkeypatch.setattr(torch, "load", no_unpickling)
    data = mnist.load_torchvision(tmp_path)
    assert len(data.train_images) == 6000 and len(data.test_labels) == 10
