"""The training-curve PNG: loss and accuracy per epoch, for a human to glance at."""
from __future__ import annotations

from pathlib import Path

from .atomic import atomic_path


def plot_training_curve(history: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server; the figure only goes to a file
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=100)
    loss_axis.plot(epochs, [h["loss"] for h in history], color="#58c4dd", marker="o", ms=3)
    loss_axis.set(title="training loss", xlabel="epoch", ylabel="loss")
    accuracy_axis.plot(epochs, [100 * h["train_accuracy"] for h in history], label="train", color="#58c4dd", marker="o", ms=3)
    accuracy_axis.plot(epochs, [100 * h["validation_accuracy"] for h in history], label="held-out", color="#fc6255", marker="o", ms=3)
    accuracy_axis.set(title="accuracy", xlabel="epoch", ylabel="%")
    accuracy_axis.legend()
    for axis in (loss_axis, accuracy_axis):
        axis.grid(alpha=0.3)
    figure.suptitle(title)
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png")
    plt.close(figure)
