"""Training: well above chance after a short run, and reproducible from its seed."""
import torch

from nn_explainer.model.network import MLP
from nn_explainer.model.train import TrainConfig, train


def test_default_network_has_13002_parameters():
    assert MLP().parameter_count() == 784 * 16 + 16 * 16 + 16 * 10 + 16 + 16 + 10 == 13002


def test_forward_returns_every_layer():
    model = MLP(hidden=(5, 4)).eval()
    zs, activations = model(torch.rand(3, 784))
    assert [z.shape[1] for z in zs] == [5, 4, 10]
    assert [a.shape[1] for a in activations] == [784, 5, 4, 10]
    assert torch.allclose(activations[-1], torch.sigmoid(zs[-1]))


def test_short_training_scores_well_above_chance(tiny_training):
    from nn_explainer.model.schema import read_export

    exported = read_export(tiny_training[1])
    assert exported.training["test_accuracy"] > 0.85  # chance is 0.10
    assert exported.training["epochs"] == 2 and exported.training["seed"] == 3


def test_same_seed_gives_identical_weights(mnist):
    config = TrainConfig(epochs=1, seed=11)
    first = train(config, mnist, progress=False).model.state_dict()
    second = train(config, mnist, progress=False).model.state_dict()
    other = train(TrainConfig(epochs=1, seed=12), mnist, progress=False).model.state_dict()
    assert all(torch.equal(first[name], second[name]) for name in first)
    assert not torch.equal(first["layers.0.weight"], other["layers.0.weight"])


def test_folding_standardisation_and_batch_norm_changes_nothing():
    model = MLP(input_mean=0.13, input_std=0.31).double()
    for norm in model.norms:  # statistics far from the identity, so the fold matters
        norm.running_mean.uniform_(-2, 2)
        norm.running_var.uniform_(0.1, 5)
        norm.weight.data.uniform_(0.5, 2)
        norm.bias.data.uniform_(-1, 1)
    model.eval()
    pixels = torch.rand(4, 784, dtype=torch.float64)
    expected = model(pixels)[1][-1].detach().numpy()
    from nn_explainer.model.export import forward

    weights, biases = zip(*model.pixel_space_parameters())
    network = {"weights": weights, "biases": biases, "hidden_activation": "sigmoid", "output_activation": "sigmoid"}
    assert abs(forward(network, pixels.numpy())[1][-1] - expected).max() < 1e-12


def test_relu_hidden_layers():
    model = MLP(hidden_activation="relu").eval()
    zs, activations = model(torch.rand(2, 784))
    assert torch.equal(activations[1], torch.relu(zs[0]))
    assert torch.allclose(activations[-1], torch.sigmoid(zs[-1]))
