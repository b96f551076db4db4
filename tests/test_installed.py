"""The tool as a user installs it (issue 29): the built wheel, installed (not editable)
into a fresh venv, run as `nn-explainer` from an empty folder.

The venv reuses the project venv's packages through a .pth file (torch and manim are not
installed twice: seconds, not minutes), and the wheel goes in with --no-deps. Everything
the commands need ships in the wheel (the committed networks, MNIST, the widget's and
the deck's files); what they write lands in the current folder (`./media`,
`./nn-explainer/`) and the user's cache folder, never in site-packages.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import REPO

# What the wheel is built from: the tree as it would be packed, without what a clone
# accumulates (the venv, media, caches, earlier builds).
NOT_PACKED = shutil.ignore_patterns(".venv", ".git", "media", ".cache", "build", "*.egg-info", "__pycache__",
                                    ".pytest_cache", "tests", "benchmarks", "docs", ".gl", ".whl")


def build_wheel(folder: Path) -> Path:
    source = folder / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=NOT_PACKED)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "-w", str(folder / "dist"), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (folder / "dist").glob("nn_explainer-*.whl")
    return wheel


def site_packages(python: Path) -> Path:
    return Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder`, with its size and modification time."""
    return {str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in folder.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(console script, its site-packages, an environment) of a venv holding the wheel."""
    folder = tmp_path_factory.mktemp("installed")
    wheel = build_wheel(folder)
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    packages = site_packages(venv / "bin" / "python")
    # The project venv's packages (torch, manim, ...), after the venv's own: a plain path
    # line, so that its own .pth files (an editable install of a clone) are not processed.
    (packages / "project-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                              "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    environment["XDG_CACHE_HOME"] = str(folder / "user-cache")   # the user's cache folder, this test's own
    return venv / "bin" / "nn-explainer", packages, environment, wheel


def test_the_installed_tool_works_from_an_empty_folder_and_writes_only_there(installed, tmp_path):
    script, packages, environment, wheel = installed
    here = tmp_path / "empty"
    here.mkdir()
    found = subprocess.run([str(script.parent / "python"), "-c", "import nn_explainer; print(nn_explainer.__file__)"],
                           cwd=here, env=environment, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(found) == packages / "nn_explainer" / "__init__.py"   # the wheel's, not the clone's
    before = snapshot(packages)

    def run(*args, timeout=600):
        result = subprocess.run([str(script), *map(str, args)], cwd=here, env=environment, capture_output=True,
                                text=True, timeout=timeout)
        assert result.returncode == 0, f"nn-explainer {' '.join(map(str, args))}:\n{result.stdout}{result.stderr}"
        assert "render.py" not in result.stdout + result.stderr and "pip install -e" not in result.stderr
        return result.stdout

    shipped = packages / "nn_explainer" / "assets" / "export" / "network.json"
    assert f"network ({shipped}): 784-16-16-10" in run("list")   # the committed network, read from the package

    out = run("render", "ForwardPass", "--quality", "low")
    clip = here / "media" / "clips" / "low" / "ForwardPass.mp4"
    assert clip.is_file() and str(clip) in out
    glyphs = Path(environment["XDG_CACHE_HOME"]) / "nn-explainer" / "glyphs"
    assert any(glyphs.rglob("*.svg")), "manim's glyphs are cached in the user's cache folder"

    out = run("all", "--scenes", "ForwardPass")
    assert "using the sigmoid network there" in out and "(the committed one;" in out and "restore" not in out
    assert "up to date" in run("render", "ForwardPass")

    assert Path(run("gallery").strip()) == here / "media" / "gallery.html"
    assert (here / "media" / "gallery.html").is_file()
    assert Path(run("widget").splitlines()[0]) == here / "media" / "widget"
    assert (here / "media" / "widget" / "index.html").is_file()

    import torch
    from torch import nn

    torch.manual_seed(0)
    torch.save(nn.Sequential(nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 10)).state_dict(), tmp_path / "mine.pt")
    out = run("import", tmp_path / "mine.pt", "--activation", "relu", "--outputs", "logits")
    assert (here / "nn-explainer" / "imported" / "mine.json").is_file()
    assert "next: nn-explainer render --export" in out

    deck = here / "media" / "slides" / "WhatHiddenNeuronsDo"
    assert Path(run("slides", "WhatHiddenNeuronsDo").splitlines()[-2]) == deck   # low, like render and all
    assert (deck / "index.html").is_file() and (deck / "reveal" / "reveal.js").is_file()
    assert {path.name for path in (here / "media" / "clips").iterdir()} == {"low"}

    out = run("train", "--epochs", "1", "--hidden", "8", "--quiet")
    written = here / "nn-explainer" / "export" / "network.json"
    assert written.is_file() and (here / "nn-explainer" / "checkpoints" / "network.safetensors").is_file()
    assert "network (nn-explainer/export/network.json): 784-8-10" in run("list")   # the user's run, drawn next

    assert snapshot(packages) == before, "nothing is written into site-packages"
    assert sorted(path.name for path in here.iterdir()) == ["media", "nn-explainer"]


def test_the_wheel_carries_what_the_tool_needs_offline(installed):
    """The committed exports and checkpoints as plain files (the generation folders behind
    their links stay in the clone), MNIST with its checksums and credit, the widget's and
    the deck's files."""
    import zipfile

    script, packages, environment, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (REPO / "assets" / "export").glob("*.json"):
        assert f"nn_explainer/assets/export/{path.name}" in names
    for path in (REPO / "assets" / "checkpoints").glob("*.safetensors"):
        assert f"nn_explainer/assets/checkpoints/{path.name}" in names
    for path in (REPO / "assets" / "mnist").rglob("*"):
        if path.is_file():
            assert f"nn_explainer/assets/mnist/{path.relative_to(REPO / 'assets' / 'mnist').as_posix()}" in names
    assert not [name for name in names if ".generations/" in name]
    assert {"nn_explainer/publish/widget_files/index.html", "nn_explainer/publish/slides_files/reveal/reveal.js"} <= names
    assert (packages / "nn_explainer" / "assets" / "export" / "network.json").stat().st_size == \
        (REPO / "assets" / "export" / "network.json").stat().st_size
