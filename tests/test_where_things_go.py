"""Where an installed tool reads and writes, and what its messages tell the user to type
(issue 29); a clone keeps its layout. The wheel itself is tested in test_installed.py."""
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import REPO
from nn_explainer.model import generations, invocation, paths
from nn_explainer.model.errors import UserError


@pytest.fixture
def installed_layout(tmp_path, monkeypatch):
    """This process laid out as an installed package run as `nn-explainer` from tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    layout = paths.decide(cwd=tmp_path, program="/venv/bin/nn-explainer", root=tmp_path / "site-packages")
    monkeypatch.setattr(paths, "LAYOUT", layout)
    return layout


def test_a_clone_keeps_everything_inside_it():
    layout = paths.decide(cwd=Path("/somewhere/else"), program=str(REPO / "render.py"), root=REPO)
    assert layout == paths.Layout(clone=True, work=REPO / "assets", media=REPO / "media", cache=REPO / ".cache",
                                  console=False)
    assert paths.LAYOUT.clone and paths.DEFAULT_EXPORT == REPO / "assets" / "export" / "network.json"
    assert paths.MEDIA_DIR == REPO / "media" and paths.GLYPH_CACHE == REPO / ".cache" / "glyphs"
    assert paths.IMPORTED_DIR == REPO / "assets" / "imported"


def test_an_installed_tool_writes_to_the_current_folder_and_the_users_cache(installed_layout, tmp_path):
    assert not installed_layout.clone and installed_layout.console
    assert installed_layout.work == tmp_path / "nn-explainer" and installed_layout.media == tmp_path / "media"
    assert installed_layout.cache == tmp_path / "user-cache" / "nn-explainer"   # XDG, through platformdirs
    assert paths.written_paths("relu") == (tmp_path / "nn-explainer" / "checkpoints" / "network-relu.safetensors",
                                           tmp_path / "nn-explainer" / "export" / "network-relu.json")
    assert paths.IMPORTED_DIR == tmp_path / "nn-explainer" / "imported"
    assert paths.GLYPH_CACHE == tmp_path / "user-cache" / "nn-explainer" / "glyphs"
    # Nothing trained here yet: the committed network that ships is read (and never written).
    assert paths.DEFAULT_EXPORT == paths.ASSETS / "export" / "network.json" and paths.is_shipped(paths.DEFAULT_EXPORT)
    assert generations.committed_in_use(paths.DEFAULT_CHECKPOINT)
    mine = tmp_path / "nn-explainer" / "export" / "network.json"
    mine.parent.mkdir(parents=True)
    shutil.copyfile(paths.ASSETS / "export" / "network.json", mine)
    assert paths.DEFAULT_EXPORT == mine and not paths.is_shipped(mine)   # the user's own, once there is one
    assert paths.RELU_EXPORT == paths.ASSETS / "export" / "network-relu.json"


def test_workdir_takes_training_and_imports_elsewhere(tmp_path, monkeypatch, capsys):
    from nn_explainer.cli import main

    monkeypatch.setattr(paths, "LAYOUT", paths.LAYOUT)   # put back after the test
    (tmp_path / "export").mkdir()
    shutil.copyfile(paths.DEFAULT_EXPORT, tmp_path / "export" / "network.json")
    assert main(["list", "--workdir", str(tmp_path)]) == 0
    assert f"network ({tmp_path / 'export' / 'network.json'}): 784-16-16-10" in capsys.readouterr().out
    assert paths.IMPORTED_DIR == tmp_path / "imported"
    assert main(["list"]) == 0   # without it: the layout's own again
    assert "network (assets/export/network.json)" in capsys.readouterr().out


def test_messages_name_the_command_the_user_ran(installed_layout, tmp_path):
    from nn_explainer.model.schema import read_export
    from nn_explainer.scenes.speech.voice import install_hint

    assert invocation.command("train") == "nn-explainer train"
    assert install_hint() == "pip install 'nn-explainer[voice]'"
    with pytest.raises(UserError) as refused:
        read_export(tmp_path / "none.json")
    assert "run `nn-explainer train`" in str(refused.value)


def test_a_clone_says_render_py_and_an_editable_install(monkeypatch):
    monkeypatch.setattr(paths, "LAYOUT", replace(paths.LAYOUT, console=False))
    assert invocation.command("train") == "python render.py train" and invocation.program() == "render.py"
    assert invocation.install_extra("voice") == "pip install -e '.[voice]'"
    monkeypatch.setattr(paths, "LAYOUT", replace(paths.LAYOUT, console=True))   # a clone's console script
    assert invocation.command("train") == "nn-explainer train"


def test_slides_default_to_low_as_render_and_all_do():
    from nn_explainer.cli import build_parser
    from nn_explainer.publish import slides

    parser = build_parser()
    assert {parser.parse_args([command]).quality for command in ("render", "all", "slides")} == {"low"}
    assert slides.DEFAULT_QUALITY == "low"


def test_all_suggests_restore_only_when_there_is_something_to_restore(tmp_path):
    from nn_explainer.cli import network_kept

    folder = tmp_path / "network.generations"
    (folder / generations.COMMITTED).mkdir(parents=True)
    (folder / "current").symlink_to(generations.COMMITTED)
    checkpoint = tmp_path / "network.safetensors"
    assert generations.committed_in_use(checkpoint)
    (folder / "gen-mine").mkdir()
    (folder / "current").unlink()
    (folder / "current").symlink_to("gen-mine")
    assert not generations.committed_in_use(checkpoint)
    trained = {"hidden": [16, 16], "epochs": 50, "seed": 0}
    assert "restore" not in network_kept("sigmoid", trained, committed=True)
    assert "`render.py restore` returns to the committed one" in network_kept("sigmoid", trained, committed=False)


def test_render_workers_read_where_the_command_does(tmp_path, monkeypatch):
    """A spawned render worker decides no layout of its own: with --workdir, it draws the
    export there, the one its clip was keyed by, not the clone's."""
    from nn_explainer.publish.batch import worker_pool

    monkeypatch.setattr(paths, "LAYOUT", paths.LAYOUT)   # put back after the test
    (tmp_path / "export").mkdir()
    shutil.copyfile(paths.DEFAULT_EXPORT, tmp_path / "export" / "network.json")
    paths.use_workdir(tmp_path)
    with worker_pool(1) as pool:
        assert pool.submit(paths.default_paths, "sigmoid").result(timeout=300)[1] == tmp_path / "export" / "network.json"
