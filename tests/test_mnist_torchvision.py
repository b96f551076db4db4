"""The shipped MNIST, read by torchvision as a user's own training script reads it:
`render.py mnist DIR` (nn_explainer.mnist_for_torchvision) lays out DIR/MNIST/raw/,
offline, and `torchvision.datasets.MNIST(DIR, download=False)` then loads the very
digits our own reader loads."""
import shutil

import numpy as np
import pytest

from conftest import assert_clean_failure, run_cli


def test_torchvision_reads_the_shipped_mnist(tmp_path, mnist):
    from torchvision.datasets import MNIST

    from nn_explainer.model import paths

    shipped = tmp_path / "shipped" / "MNIST" / "raw"  # the files as they ship, where torchvision looks
    shipped.mkdir(parents=True)
    for gz in paths.MNIST_DIR.glob("*.gz"):
        shutil.copy(gz, shipped)
    with pytest.raises(RuntimeError, match="not found"):
        MNIST(str(tmp_path / "shipped"), train=True, download=False)
    result = run_cli("mnist", tmp_path / "data")
    assert result.returncode == 0, result.stderr
    root = result.stdout.splitlines()[0]
    assert root == str(tmp_path / "data")
    for train, images, labels, count in ((True, mnist.train_images, mnist.train_labels, 60_000),
                                         (False, mnist.test_images, mnist.test_labels, 10_000)):
        data = MNIST(root, train=train, download=False)
        assert len(data) == count
        image, label = data[0]
        assert label == int(labels[0])
        assert (np.asarray(image) == images[0].numpy()).all()
        assert (data.data == images).all() and (data.targets == labels.long()).all()


def test_a_second_run_writes_nothing_and_keeps_what_else_is_there(tmp_path):
    from nn_explainer import mnist_for_torchvision

    root = mnist_for_torchvision(tmp_path / "data")
    raw = root / "MNIST" / "raw"
    (raw / "notes.txt").write_text("mine")
    before = {p.name: p.stat().st_ino for p in raw.iterdir()}
    assert mnist_for_torchvision(tmp_path / "data") == root
    assert {p.name: p.stat().st_ino for p in raw.iterdir()} == before
    # A damaged file is written again, whole; the user's own file stays.
    (raw / "t10k-labels-idx1-ubyte").write_bytes(b"broken")
    mnist_for_torchvision(tmp_path / "data")
    assert (raw / "t10k-labels-idx1-ubyte").stat().st_size == 10_008
    assert (raw / "notes.txt").read_text() == "mine"
    assert not [p for p in raw.parent.rglob(".*")]  # no temporaries left


def test_a_damaged_source_is_refused_and_nothing_is_written(tmp_path):
    from nn_explainer.model import paths
    from nn_explainer.model.errors import UserError
    from nn_explainer.model.mnist_for_torchvision import lay_out

    source = tmp_path / "mnist"
    shutil.copytree(paths.MNIST_DIR, source)
    damaged = source / "t10k-labels-idx1-ubyte.gz"
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"x")
    with pytest.raises(UserError, match="checksum"):
        lay_out(tmp_path / "data", source)
    assert not (tmp_path / "data").exists()
    (tmp_path / "file").write_text("")
    assert "not a folder" in assert_clean_failure(run_cli("mnist", tmp_path / "file"))
