"""The CNN zoo (tests/cnn_zoo.py) is what it says it is: each export holds the network
its module describes (layers, channels, kernels, strides, padding, pooling kind), read
back through the one export reader."""
import pytest

import cnn_zoo
from nn_explainer.model.conv_formula import Conv2d, Pool
from nn_explainer.model.schema import read_export


@pytest.fixture(scope="module")
def networks(cnn_zoo):
    return {name: read_export(path, convolutional=True).network for name, path in cnn_zoo.items()}


def convolutions(network):
    return [(layer.weight.shape[0], layer.weight.shape[2], tuple(layer.stride), tuple(layer.padding))
            for layer in network.layers if isinstance(layer, Conv2d)]


def pools(network):
    return [(layer.kind, tuple(layer.kernel)) for layer in network.layers if isinstance(layer, Pool)]


def test_every_cnn_is_in_the_zoo(networks):
    assert list(networks) == list(cnn_zoo.NAMES)


def test_each_export_holds_its_modules_network(networks):
    examples = networks["examples"]
    assert convolutions(examples) == [(32, 3, (1, 1), (0, 0)), (64, 3, (1, 1), (0, 0))]
    assert pools(examples) == [("maxpool", (2, 2))] and examples.parameter_count == 1_199_882
    assert (9216,) in examples.shapes
    assert pools(networks["avgpool"]) == [("avgpool", (2, 2))] * 2
    assert convolutions(networks["avgpool"]) == [(6, 5, (1, 1), (2, 2)), (12, 5, (1, 1), (0, 0))]
    assert convolutions(networks["strided"]) == [(8, 3, (2, 2), (1, 1)), (16, 3, (2, 2), (1, 1))]
    assert pools(networks["strided"]) == []
    assert convolutions(networks["batchnorm"]) == [(8, 3, (1, 1), (0, 0))]   # the BatchNorm folded in
    assert convolutions(networks["ours"]) == [(8, 3, (1, 1), (1, 1)), (16, 3, (1, 1), (1, 1))]
