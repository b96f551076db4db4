"""The convolution arithmetic (model/conv_formula.py) is PyTorch's, to 1e-10 in float64:
convolutions of every channel count, kernel, stride and padding tried, both poolings,
and flatten's C×H×W order, on random inputs."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nn_explainer.model import conv_formula
from nn_explainer.model.errors import UserError

CASES = [  # (in channels, out channels, kernel, stride, padding, side)
    (1, 4, (3, 3), (1, 1), (0, 0), 28),
    (3, 5, (5, 5), (2, 2), (2, 2), 13),
    (2, 3, (3, 2), (1, 2), (1, 0), 9),
    (4, 1, (1, 1), (3, 3), (0, 0), 10),
]


@pytest.mark.parametrize("channels,out,kernel,stride,padding,side", CASES)
def test_conv2d_is_torchs(channels, out, kernel, stride, padding, side):
    rng = np.random.default_rng(channels * 10 + out)
    x = rng.normal(size=(3, channels, side, side + 1))
    w, b = rng.normal(size=(out, channels, *kernel)), rng.normal(size=out)
    ours = conv_formula.conv2d(x, w, b, stride, padding)
    theirs = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride, padding).numpy()
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() < 1e-10
    layer = conv_formula.Conv2d(w, b, stride, padding)
    assert conv_formula.output_shape(layer, x.shape[1:]) == theirs.shape[1:]


@pytest.mark.parametrize("kernel,stride,padding", [(2, 2, 0), (3, 2, 1), ((3, 2), (1, 2), (1, 0)), (2, 1, 0)])
def test_pooling_is_torchs(kernel, stride, padding):
    x = np.random.default_rng(1).normal(size=(2, 3, 11, 12))
    t = torch.from_numpy(x)
    for ours, theirs in ((conv_formula.max_pool2d(x, kernel, stride, padding), F.max_pool2d(t, kernel, stride, padding)),
                         (conv_formula.avg_pool2d(x, kernel, stride, padding), F.avg_pool2d(t, kernel, stride, padding))):
        assert ours.shape == tuple(theirs.shape)
        assert np.abs(ours - theirs.numpy()).max() < 1e-10


def test_a_whole_network_and_flatten_order_are_torchs():
    """conv, relu, max pool, conv, avg pool, flatten, dense, softmax: as torch.nn computes them."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Conv2d(3, 4, 3, stride=2), torch.nn.AvgPool2d(2), torch.nn.Flatten(),
                              torch.nn.Linear(36, 10), torch.nn.Softmax(-1)).double()
    layers = [conv_formula.Conv2d(net[0].weight.detach().numpy(), net[0].bias.detach().numpy(), (1, 1), (1, 1)),
              conv_formula.Act("relu"), conv_formula.Pool("maxpool", (2, 2), (2, 2)),
              conv_formula.Conv2d(net[3].weight.detach().numpy(), net[3].bias.detach().numpy(), (2, 2), (0, 0)),
              conv_formula.Pool("avgpool", (2, 2), (2, 2)), conv_formula.Flatten(),
              conv_formula.Dense(net[6].weight.detach().numpy(), net[6].bias.detach().numpy()),
              conv_formula.Act("softmax")]
    x = np.random.default_rng(2).random((5, 1, 28, 28))
    outputs = conv_formula.forward(layers, x)
    with torch.no_grad():
        t = torch.from_numpy(x)
        for layer, ours in zip(net, outputs[1:]):
            t = layer(t)
            assert np.abs(ours - t.numpy()).max() < 1e-10


def test_shapes_that_do_not_fit_are_refused_in_words():
    conv = conv_formula.Conv2d(np.zeros((2, 3, 3, 3)), np.zeros(2))
    with pytest.raises(UserError, match="takes 3 channels, but the layer before gives 1"):
        conv_formula.output_shape(conv, (1, 28, 28))
    with pytest.raises(UserError, match="does not fit"):
        conv_formula.output_shape(conv_formula.Pool("maxpool", (5, 5), (5, 5)), (2, 3, 3))
