"""Does a phone photo of a real digit read as the digit? Photographs made from real
MNIST test digits, read by `export --digit`'s reader (model/digit_image.py), and the
network's prediction on each compared with its prediction on the original 28x28 digit.

    .venv/bin/python benchmarks/photo_digits.py [--count 200] [--keep DIR]

Each photograph is what a phone makes of ink on paper: the digit printed dark on
slightly textured paper, upscaled to a page, off-centre, turned a few degrees; the page
lit unevenly; then lens blur, sensor noise and JPEG. Two lightings, the same digits:
- even: a gentle gradient across the page (a room's light), at most 15% darker;
- shadowed: one side of the page in shadow (a hand, a lamp at the side), 45-70% darker,
  its soft edge anywhere from a quarter to three quarters across, crossing the digit or not.
Target (issue 21): the prediction on the photo equals the one on the original for at
least 95% of digits in both lightings. The network is the committed export.
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIGHTINGS = ("even", "shadowed")
PAGE = (480, 360)   # pixels, width x height: a phone photo, downscaled


def photograph(digit: np.ndarray, lighting: str, rng: np.random.Generator) -> bytes:
    """A JPEG of `digit` (28x28, uint8, ink bright as in MNIST) written on paper."""
    width, height = PAGE
    side = int(rng.integers(140, 230))           # the 28x28 field, upscaled
    ink = Image.fromarray(digit).resize((side, side), Image.BICUBIC)
    ink = ink.rotate(float(rng.uniform(-8, 8)), resample=Image.BICUBIC, fillcolor=0)
    page_ink = np.zeros((height, width))
    top = int(rng.integers(0, height - side + 1))
    left = int(rng.integers(0, width - side + 1))  # off-centre, anywhere on the page
    page_ink[top:top + side, left:left + side] = np.asarray(ink, dtype=np.float64) / 255
    paper = rng.uniform(0.78, 0.93) + rng.normal(0, 0.015, (height, width))   # texture
    darkest = rng.uniform(0.12, 0.3)               # the ink's own brightness, at full ink
    page = paper * (1 - (1 - darkest) * page_ink)
    page *= lighting_field(lighting, (height, width), rng)
    picture = Image.fromarray(np.clip(page * 255, 0, 255).astype(np.uint8))
    picture = picture.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.6, 1.8))))
    noisy = np.asarray(picture, dtype=np.float64) + rng.normal(0, 3.0, (height, width))
    picture = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).convert("RGB")
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=int(rng.integers(60, 90)))
    return out.getvalue()


def lighting_field(lighting: str, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """How much of the light reaches each point of the page (1: all of it)."""
    height, width = shape
    ys, xs = np.mgrid[0:height, 0:width]
    angle = rng.uniform(0, 2 * np.pi)              # the direction light falls off in
    along = (np.cos(angle) * (xs - width / 2) + np.sin(angle) * (ys - height / 2)) / max(width, height)
    if lighting == "even":
        return 1 - rng.uniform(0, 0.15) * (along - along.min()) / np.ptp(along)
    edge = rng.uniform(-0.25, 0.25)                # where the shadow starts, from the centre
    softness = rng.uniform(0.02, 0.08)             # of the page: a shadow's edge is soft
    depth = rng.uniform(0.45, 0.7)
    return 1 - depth / (1 + np.exp(-(along - edge) / softness))


def predictions(network, pixels: np.ndarray) -> np.ndarray:
    from nn_explainer.model.formula import forward

    _, activations = forward(network.weights, network.biases, network.hidden_activation,
                             network.output_activation, pixels)
    return activations[-1].argmax(axis=-1)


def agreement(count: int, seed: int = 0, keep: Path | None = None) -> dict[str, tuple[int, int]]:
    """{lighting: (photos read as the original was, photos)} for `count` test digits."""
    from nn_explainer.model import paths
    from nn_explainer.model.digit_image import load_digit
    from nn_explainer.model.mnist import load_mnist
    from nn_explainer.model.schema import read_export

    network = read_export(paths.DEFAULT_EXPORT).network
    test = load_mnist().test_images.numpy()
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(test), size=count, replace=False)
    originals = predictions(network, test[chosen].reshape(count, -1) / 255)
    result = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for lighting in LIGHTINGS:
            read = []
            for number, index in enumerate(chosen):
                photo = folder / f"{lighting}-test{index}.jpg"
                photo.write_bytes(photograph(test[index], lighting, rng))
                read.append(load_digit(photo))
            agreed = int((predictions(network, np.stack(read)) == originals).sum())
            result[lighting] = (agreed, count)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="test digits, each photographed in both lightings")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="keep the photographs in this folder")
    args = parser.parse_args()
    started = time.perf_counter()
    result = agreement(args.count, args.seed, args.keep)
    for lighting, (agreed, count) in result.items():
        verdict = "meets" if agreed >= 0.95 * count else "misses"
        print(f"{lighting:<9} {agreed}/{count} photos read as the original ({100 * agreed / count:.1f}%; "
              f"{verdict} the 95% target)")
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
