"""Our CNN (`render.py train --conv`): seeded training is reproducible, its checkpoint
rebuilds the very network, and its export is the model's own (batch norm folded).
Trained here on 2,000 digits (7,000 less the 5,000 held out) for one epoch: the full run is the committed network-cnn.*."""
import numpy as np
import pytest
import torch

from conftest import assert_clean_failure, run_cli
from nn_explainer.model import checkpoint, conv_formula, pipeline
from nn_explainer.model.mnist import Mnist
from nn_explainer.model.schema import read_export
from nn_explainer.model.train import TrainConfig, train


@pytest.fixture(scope="module")
def small(mnist):
    return Mnist(mnist.train_images[:7000], mnist.train_labels[:7000], mnist.test_images[:500],
                 mnist.test_labels[:500], mnist.sha256)


def test_seeded_training_is_reproducible_and_round_trips(small, tmp_path):
    config = TrainConfig(conv=(2, 3), activation="relu", epochs=1, seed=5, batch_size=128, snapshots=(0, 1),
                         device="cpu")
    first, second = train(config, small, progress=False), train(config, small, progress=False)
    for name, value in first.model.state_dict().items():
        assert torch.equal(value, second.model.state_dict()[name]), name
    assert sorted(first.snapshots) == [0, 1] and len(first.history) == 1
    content = checkpoint.checkpoint_bytes(first.model, first.training, first.history)
    checkpoint.write_checkpoint(tmp_path / "cnn.safetensors", content)
    model, training, history = checkpoint.load_checkpoint(tmp_path / "cnn.safetensors")
    assert history == first.history and training == first.training
    for ours, theirs in zip(model.layer_list()[0], first.model.layer_list()[0]):
        assert type(ours) is type(theirs)
        if hasattr(ours, "weight"):
            assert np.array_equal(ours.weight, theirs.weight) and np.array_equal(ours.bias, theirs.bias)
    x = torch.from_numpy(small.test_images[:4].numpy().astype(np.float32) / 255.0)
    with torch.no_grad():
        logits = first.model.output_logits(x).double().numpy()
    layers, _ = first.model.layer_list()
    ours = conv_formula.forward(layers[:-1], x.double().numpy().reshape(4, 1, 28, 28))[-1]
    assert np.abs(ours - logits).max() < 1e-4


def test_bad_conv_flags_are_refused_in_one_line():
    for flag, said in (("8,x", "expected feature maps"), ("8,8,8,8,8", "1-4 convolutions"), ("0", "1-1024")):
        line = assert_clean_failure(run_cli("train", "--conv", flag, timeout=120))
        assert said in line


def test_the_committed_cnn_reads_and_keeps_its_promise():
    """assets/export/network-cnn.json: re-proved on read, >= 98.5 % on the test digits,
    its kept epochs beside it, each a checked export."""
    from nn_explainer.model import paths

    export = read_export(paths.EXPORT_DIR / "network-cnn.json", convolutional=True)
    assert export.convolutional and export.trained_here
    assert export.training["test_accuracy"] >= 0.985
    assert not export.not_computed  # its kernels' evidence and gradients are there (tests/test_kernel_evidence.py)
    assert export.kernel_evidence is not None and export.kernel_gradients is not None
    assert export.neuron_evidence is None and export.gradients is None  # an MLP's sections
    assert [layer.kind for layer in export.network.layers][:3] == ["conv2d", "relu", "maxpool"]
    epochs = paths.snapshot_epochs(paths.EXPORT_DIR / "network-cnn.json")
    assert epochs and all(read_export(paths.snapshot_path(paths.EXPORT_DIR / "network-cnn.json", e),
                                      convolutional=True).training["epochs"] == e for e in epochs)
    model, training, history = checkpoint.load_checkpoint(paths.CHECKPOINT_DIR / "network-cnn.safetensors")
    assert len(history) == training["epochs"] == export.training["epochs"]
