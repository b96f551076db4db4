"""The CNNs every convolutional beat must draw (issue 31, item 5), as exports built in
seconds: pytorch/examples' mnist Net (32 and 64 maps, 1.2 M parameters), one with
average pooling, one with stride 2 and padding 1, one with a BatchNorm2d, and our own
committed assets/export/network-cnn.json.

Each module is seeded, then fit briefly (a few hundred steps' worth of nothing: a few
Adam steps on a few hundred training digits), so its maps look like a trained network's
more than noise's and its answer is usually right, without a training run; then written
through model/read_module.module_to_export, the path `nn_explainer.export_module` (a
user's live module) takes, which checks the export's outputs against the module's own.

One saving, said here because the exports carry it: their accuracies are measured on a
slice of MNIST (the first TRAIN_SLICE training and TEST_SLICE test digits, written as IDX
files beside the exports and passed as the data directory, as `--data DIR` would be),
not on all 70,000: the 1.2 M-parameter net takes minutes over the whole set on this
machine. The examples (the sloppy three, train:7, and the first digits) are the real ones.
`make_zoo(folder)` writes them all; tests/conftest.py's `cnn_zoo` fixture makes them
once per test run (`made_once`).
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from benchmarks.examples_net import ExamplesNet   # pytorch/examples' Net, as it is (benchmarks/cnn_speed.py times it)

REPO = Path(__file__).resolve().parent.parent
OURS = REPO / "assets" / "export" / "network-cnn.json"
FIT_STEPS, FIT_BATCH, FIT_SEED = 12, 64, 0
TRAIN_SLICE, TEST_SLICE = 5_200, 500   # the held-out split takes 5,000 of the training digits


class AveragePoolNet(nn.Module):
    """LeNet's shape: 5x5 convolutions (the first padded by 2), each followed by a 2x2
    average pooling."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 12, 5)
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(12 * 5 * 5, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        return self.fc(torch.flatten(x, 1))


class StridedNet(nn.Module):
    """No pooling: two 3x3 convolutions with stride 2 and padding 1 halve the picture."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        return self.fc(torch.flatten(x, 1))


class BatchNormNet(nn.Module):
    """A convolution, a BatchNorm2d (folded into it on export), max pooling, and two
    dense layers."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        self.fc1 = nn.Linear(8 * 13 * 13, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


ZOO = {"examples": ExamplesNet, "avgpool": AveragePoolNet, "strided": StridedNet, "batchnorm": BatchNormNet}
NAMES = ("ours", *ZOO)   # every CNN of the zoo, ours first


def fitted(cls, images: torch.Tensor, labels: torch.Tensor) -> nn.Module:
    """`cls` seeded and fit for FIT_STEPS Adam steps; returned in eval mode (BatchNorm's
    running statistics are the ones those steps left, not the identity)."""
    torch.manual_seed(FIT_SEED)
    net = cls()
    optimiser = torch.optim.Adam(net.parameters(), lr=2e-3)
    net.train()
    for step in range(FIT_STEPS):
        start = step * FIT_BATCH
        x, y = images[start:start + FIT_BATCH], labels[start:start + FIT_BATCH]
        optimiser.zero_grad()
        F.cross_entropy(net(x), y).backward()
        optimiser.step()
    return net.eval()


def training_digits(count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `count` training digits as [N, 1, 28, 28] floats in [0, 1], and labels."""
    from nn_explainer.model.mnist import load_mnist

    mnist = load_mnist()
    images = mnist.train_images[:count].float().div(255).unsqueeze(1)
    return images, mnist.train_labels[:count].long()


def write_mnist_slice(folder: Path) -> Path:
    """The first TRAIN_SLICE training and TEST_SLICE test digits of the shipped MNIST, as
    plain IDX files in folder/mnist (a data directory model/mnist.py reads)."""
    import struct

    from nn_explainer.model.mnist import FILES, IMAGES_MAGIC, LABELS_MAGIC, load_mnist

    mnist, data = load_mnist(), folder / "mnist"
    data.mkdir()
    for key, stem in FILES.items():
        values = getattr(mnist, key)[:TRAIN_SLICE if key.startswith("train") else TEST_SLICE].numpy()
        magic = IMAGES_MAGIC if key.endswith("images") else LABELS_MAGIC
        header = struct.pack(f">I{values.ndim}I", magic, *values.shape)
        (data / stem).write_bytes(header + values.tobytes())
    return data


def make_zoo(folder: Path) -> dict[str, Path]:
    """Write every zoo CNN's export into `folder`; {name: export path}, ours included."""
    from nn_explainer.model.importing.read_module import module_to_export

    data = write_mnist_slice(folder)
    images, labels = training_digits(FIT_STEPS * FIT_BATCH)
    for name, cls in ZOO.items():
        module_to_export(fitted(cls, images, labels), folder / f"{name}.json", name=cls.__name__,
                         data_source=data, normalize=(0, 1))
    return zoo_paths(folder)


def zoo_paths(folder: Path) -> dict[str, Path]:
    """{name: export path} of a folder `make_zoo` filled."""
    return {"ours": OURS, **{name: folder / f"{name}.json" for name in ZOO}}
