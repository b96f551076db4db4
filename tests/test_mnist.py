"""The IDX loader against the known facts of the real MNIST, and against damage."""
import gzip
import shutil

import pytest
import torch

from nn_explainer.model.errors import UserError
from nn_explainer.model.mnist import load_mnist, parse_idx

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_label_counts_are_the_real_mnist(mnist):
    assert torch.bincount(mnist.train_labels.long(), minlength=10).tolist() == TRAIN_COUNTS
    assert torch.bincount(mnist.test_labels.long(), minlength=10).tolist() == TEST_COUNTS
    assert mnist.train_images.shape == (60000, 28, 28) and mnist.train_images.dtype == torch.uint8
    assert mnist.test_images.shape == (10000, 28, 28)
    assert abs(mnist.train_images.float().mean().item() / 255 - 0.1307) < 1e-3


def test_the_sloppy_three_is_training_index_7(mnist):
    assert int(mnist.train_labels[7]) == 3


def _copy_data(tmp_path):
    from nn_explainer.model.paths import MNIST_DIR

    target = tmp_path / "mnist"
    shutil.copytree(MNIST_DIR, target)
    return target


def test_wrong_checksum_is_refused(tmp_path):
    folder = _copy_data(tmp_path)
    labels = folder / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(labels.read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one label changed: still valid IDX, wrong data
    labels.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(UserError, match="checksum mismatch"):
        load_mnist(folder)


def test_truncated_file_is_refused(tmp_path):
    folder = _copy_data(tmp_path)
    (folder / "SHA256SUMS").unlink()  # without checksums the IDX header must catch it
    images = folder / "t10k-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[: 50_000])
    with pytest.raises(UserError, match="gzip|truncated"):
        load_mnist(folder)


def test_idx_length_must_match_its_header():
    header = bytes([0, 0, 8, 1, 0, 0, 0, 5])
    assert parse_idx(header + bytes(5), 0x0801, "labels").tolist() == [0] * 5
    with pytest.raises(UserError, match="truncated"):
        parse_idx(header + bytes(4), 0x0801, "labels")
    with pytest.raises(UserError, match="bad header"):
        parse_idx(bytes([0, 0, 8, 3]) + bytes(20), 0x0801, "labels")


def test_missing_directory_is_refused(tmp_path):
    with pytest.raises(UserError, match="no such data directory"):
        load_mnist(tmp_path / "nowhere")
