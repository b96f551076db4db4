"""pytorch/examples' mnist Net (mnist/main.py), written once for the benchmarks and the tests.

benchmarks/cnn_speed.py times its export, tests/cnn_zoo.py draws it, and
tests/test_import_cnn.py copies this very file as a user's net.py
(`render.py import mnist_cnn.pt --module net.py:Net`): so it imports nothing but torch,
and `Net` is built with no arguments, as the importer builds a user's class. Not a
benchmark: it prints nothing.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ExamplesNet(nn.Module):
    """pytorch/examples mnist/main.py's Net: as it is (32 and 64 maps, 128 hidden units,
    1,199,882 parameters), or with other numbers of maps and hidden units."""

    def __init__(self, maps=(32, 64), hidden=128):
        super().__init__()
        self.conv1 = nn.Conv2d(1, maps[0], 3, 1)
        self.conv2 = nn.Conv2d(maps[0], maps[1], 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(maps[1] * 12 * 12, hidden)   # 12x12: two 3x3 convolutions, then 2x2 pooling
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


class Net(ExamplesNet):
    """The same with 2 and 4 maps and 8 hidden units: quick to export in a test."""

    def __init__(self):
        super().__init__(maps=(2, 4), hidden=8)
