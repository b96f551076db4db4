"""Benchmark: our in-memory training loop against a tutorial-style DataLoader.

The tutorial way (torchvision's MNIST recipe) wraps the data in a Dataset whose
__getitem__ runs per-sample transforms (PIL image -> ToTensor -> Normalize -> flatten)
and feeds a DataLoader. Ours slices batches from tensors already in memory. Both train
the same network with the same optimiser, schedule, batch size and epochs; this prints
seconds, held-out and test accuracy for each, and the ratio of their times.

    .venv/bin/python benchmarks/training_speed.py [--epochs 5]

A script to run by hand, not a test: times depend on the machine.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nn_explainer.model.mnist import load_mnist  # noqa: E402
from nn_explainer.model.network import MLP  # noqa: E402
from nn_explainer.model.mnist import held_out_split  # noqa: E402
from nn_explainer.model.train import TrainConfig, as_inputs, train  # noqa: E402


def tutorial_training(config: TrainConfig, data) -> tuple[MLP, float]:
    from PIL import Image
    from torch.utils.data import DataLoader, Dataset
    from torchvision import transforms

    train_index = held_out_split(len(data.train_images))[0]
    split = len(train_index)
    mean = (data.train_images[train_index].float() / 255).mean().item()
    std = (data.train_images[train_index].float() / 255).std().item()
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((mean,), (std,)),
                                    transforms.Lambda(lambda x: x.view(-1))])

    class Digits(Dataset):  # as torchvision.datasets.MNIST does it: a PIL image per sample
        def __len__(self):
            return split

        def __getitem__(self, position):
            index = int(train_index[position])
            image = Image.fromarray(data.train_images[index].numpy(), mode="L")
            return transform(image), int(data.train_labels[index])

    torch.manual_seed(config.seed)
    loader = DataLoader(Digits(), batch_size=config.batch_size, shuffle=True)
    # The model standardises internally; the transform already did, so it gets 0 and 1.
    model = MLP(config.hidden, hidden_activation=config.activation)
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.learning_rate,
                                                   total_steps=config.epochs * math.ceil(split / config.batch_size),
                                                   pct_start=0.2)
    started = time.perf_counter()
    for _ in range(config.epochs):
        for x, y in loader:
            loss = F.cross_entropy(model.output_logits(x), y)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    seconds = time.perf_counter() - started
    # Trained on standardised inputs: give the model the same statistics, so that
    # from here on it takes raw pixels like ours.
    model.input_mean.fill_(mean)
    model.input_std.fill_(std)
    return model.eval(), seconds


@torch.no_grad()
def accuracy(model: MLP, images, labels) -> float:
    return (model.output_logits(as_inputs(images, torch.device("cpu"))).argmax(1) == labels.long()).float().mean().item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    data = load_mnist()
    config = TrainConfig(epochs=args.epochs, device="cpu")
    held_index = held_out_split(len(data.train_images))[1]

    ours = train(config, data, progress=False)
    ours_seconds = ours.training["seconds"]
    tutorial, tutorial_seconds = tutorial_training(config, data)
    print(f"{'':>10} {'seconds':>9} {'held-out':>9} {'test':>7}   ({args.epochs} epochs, torch threads {torch.get_num_threads()})")
    for name, model, seconds in (("ours", ours.model, ours_seconds), ("tutorial", tutorial, tutorial_seconds)):
        held = accuracy(model, data.train_images[held_index], data.train_labels[held_index])
        test = accuracy(model, data.test_images, data.test_labels)
        print(f"{name:>10} {seconds:9.2f} {100 * held:8.2f}% {100 * test:6.2f}%")
    print(f"tutorial / ours: {tutorial_seconds / ours_seconds:.1f}x the time for the same epochs")


if __name__ == "__main__":
    main()
