"""What a new user trips over (issue 20): their own training run kept by `all` and
never deleting the committed network, and messages that say what is true."""
import os

import pytest

from conftest import assert_clean_failure, run_cli
from nn_explainer.model import freshness, generations
from nn_explainer.model.errors import UserError

DEFAULTS = {"seed": 0, "epochs": 50, "hidden": [16, 16], "activation": "sigmoid"}


def test_all_keeps_the_network_the_user_trained(tiny_training, tmp_path):
    """`train --epochs 2` then `all`: no retraining to the default 50 epochs. `all`
    trains when there is no network, when asked, or when an option it is given differs."""
    checkpoint, _ = tiny_training   # 2 epochs, seed 3
    reason, wanted = freshness.training_plan({"activation": "sigmoid"}, DEFAULTS, checkpoint)
    assert reason is None and wanted["epochs"] == 2 and wanted["seed"] == 3
    reason, wanted = freshness.training_plan({"activation": "sigmoid", "epochs": 50}, DEFAULTS, checkpoint)
    assert reason == "epochs 2 -> 50" and wanted["seed"] == 3   # what was not asked is the network's own
    reason, wanted = freshness.training_plan({"activation": "sigmoid"}, DEFAULTS, checkpoint, retrain=True)
    assert reason == "asked to (--retrain)" and wanted["epochs"] == 2
    reason, wanted = freshness.training_plan({"activation": "sigmoid"}, DEFAULTS, tmp_path / "none.safetensors")
    assert reason == "no network yet" and wanted == DEFAULTS


def _set(folder, name, content):
    (folder / name).mkdir(parents=True)
    (folder / name / "net.json").write_text(content)


def test_training_keeps_the_committed_network_and_restore_returns_to_it(tmp_path):
    """A training run published a new generation and swept every other one, the
    committed generation (tracked by git) included; `restore` switches back to it."""
    folder, published = tmp_path / "net.generations", tmp_path / "export"
    _set(folder, generations.COMMITTED, "committed")
    os.symlink(generations.COMMITTED, folder / generations.CURRENT)
    published.mkdir()
    generations.publish(folder, {published / "net.json": lambda target: target.write_text("mine"),
                                 published / "net.epoch3.json": lambda target: target.write_text("mine at 3")})
    assert (folder / generations.COMMITTED / "net.json").read_text() == "committed"   # still there
    assert (published / "net.json").read_text() == "mine"
    assert generations.restore_committed(folder, [published])
    assert (published / "net.json").read_text() == "committed"
    assert not os.path.lexists(published / "net.epoch3.json")   # only the user's run had it: no dangling link
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == \
        [generations.CURRENT, generations.COMMITTED]


def test_restore_without_a_committed_network_says_so(tmp_path):
    folder = tmp_path / "net.generations"
    folder.mkdir()
    assert not generations.restore_committed(folder, [])


@pytest.fixture
def own_copy(tmp_path):
    """The committed network's checkpoint and export as plain files of this test's own."""
    import shutil

    from nn_explainer.model import paths

    mine = tmp_path / "net.safetensors", tmp_path / "net.json"
    shutil.copyfile(paths.DEFAULT_CHECKPOINT, mine[0])
    shutil.copyfile(paths.DEFAULT_EXPORT, mine[1])
    return mine


def test_any_mnist_digit_is_added_by_its_index_and_kept(own_copy, mnist):
    """`export --digit test:123` adds MNIST's test digit 123 (no PNG to cut out first);
    a later re-export keeps it, and render can then draw it."""
    from nn_explainer.model.pipeline import run_export
    from nn_explainer.model.schema import read_export

    checkpoint, export = own_copy
    result = run_cli("export", "--checkpoint", checkpoint, "--export", export, "--digit", "test:123")
    assert result.returncode == 0, result.stderr
    assert "added example test:123" in result.stdout
    example = read_export(export).example("test:123")
    assert example.source == "mnist-test" and example.index == 123 and example.added
    assert example.label == int(mnist.test_labels[123])
    assert list(example.pixels) == pytest.approx(mnist.test_images[123].numpy().reshape(-1) / 255, abs=1e-7)
    run_export(checkpoint, export)   # rebuilt, as `all` or a change of code would
    assert read_export(export).example("test:123").added
    with pytest.raises(UserError, match="test set has images 0 to 9999"):
        run_export(checkpoint, export, "test:10000")


def test_a_missing_mnist_digit_says_how_to_add_it_and_a_bare_number_what_forms_there_are(tmp_path):
    line = assert_clean_failure(run_cli("render", "--digit", "test:123", "--media-dir", tmp_path))
    assert "no example 'test:123' in the export (add it with `render.py export --digit test:123`" in line
    line = assert_clean_failure(run_cli("render", "--digit", "7", "--media-dir", tmp_path))
    assert "train:7" in line and "test:7" in line and "image:NAME" in line and "image:7" not in line


def test_an_image_of_the_same_name_replaces_only_when_asked_and_any_added_digit_can_go(own_copy, tmp_path):
    """`export --digit other/my3.png` silently replaced the earlier my3.png (a 3). Now it
    is refused without --replace, what the network read is printed, and --remove takes
    an added digit out."""
    from PIL import Image, ImageDraw

    from nn_explainer.model.schema import read_export

    checkpoint, export = own_copy
    for folder, stroke in (("first", [(20, 10), (60, 10), (40, 45), (60, 80), (20, 80)]),
                           ("other", [(20, 10), (70, 10), (35, 90)])):
        (tmp_path / folder).mkdir()
        image = Image.new("L", (90, 100), 255)
        ImageDraw.Draw(image).line(stroke, fill=0, width=9)
        image.save(tmp_path / folder / "my3.png")
    base = ["export", "--checkpoint", checkpoint, "--export", export]
    first = run_cli(*base, "--digit", tmp_path / "first/my3.png", "--label", "3")
    assert first.returncode == 0, first.stderr
    read = read_export(export).example("image:my3")
    answer = f"added example image:my3: read as {read.prediction} ({read.a[-1][read.prediction]:.2f}), labelled 3"
    assert answer in first.stdout
    line = assert_clean_failure(run_cli(*base, "--digit", tmp_path / "other/my3.png", "--label", "7"))
    assert "already holds image:my3" in line and "--replace" in line
    assert read_export(export).example("image:my3").label == 3   # the first one is still there
    from nn_explainer.model.pipeline import run_export

    assert run_export(checkpoint, export, tmp_path / "other/my3.png", 7, replace=True)[2] == "replaced"
    assert read_export(export).example("image:my3").label == 7
    assert run_export(checkpoint, export, remove="image:my3")[1:] == ("image:my3", "removed")
    assert "image:my3" not in [e.id for e in read_export(export).examples]
    with pytest.raises(UserError, match="not an example you added"):
        run_export(checkpoint, export, remove="train:7")


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`render.py list | head -1`: the reader gone before we write, no error line."""
    import subprocess
    import sys

    from conftest import REPO

    process = subprocess.Popen([sys.executable, str(REPO / "render.py"), "list"], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()   # before the interpreter has even started: every write meets a closed pipe
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert stderr == "" and process.returncode == 141


def test_a_python_without_manim_is_told_which_python_to_use(tmp_path):
    """The system python3 has no manim: one line naming ./video.sh and .venv/bin/python."""
    import subprocess
    import sys

    from conftest import REPO

    code = ("import sys, runpy; sys.modules['manim'] = None; "   # `import manim` now fails as if not installed
            f"sys.argv = ['render.py', 'render', 'Bias', '--media-dir', {str(tmp_path)!r}]; "
            "runpy.run_path('render.py', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    line = assert_clean_failure(result)
    assert "manim is not installed for this Python" in line and ".venv/bin/python render.py" in line


def test_the_gallery_follows_the_story_and_tells_every_clip_apart(tmp_path):
    """Clips were sorted alphabetically (Bias and Chapter first), and a --snapshot 1 clip
    had the same caption as the final network's."""
    from nn_explainer.publish.gallery import caption, story_order

    def record(scene, **settings):
        return {"scene": scene, "digit": "train:7", "format": "png", "transparent": False, "quality": "low",
                "resolution": [854, 480], "duration": 0.0, "bytes": 1000, "snapshot": None, "edges": "weight",
                "path": f"media/clips/low/{scene}{len(settings)}.png", **settings}

    clips = [record("Bias"), record("Chapter"), record("ForwardPass"), record("SloppyThree"),
             record("ForwardPass", snapshot=1), record("ForwardPass", edges="contribution")]
    assert [c["scene"] for c in story_order(clips)] == ["SloppyThree", "ForwardPass", "ForwardPass", "ForwardPass",
                                                        "Bias", "Chapter"]
    captions = [caption(c) for c in clips if c["scene"] == "ForwardPass"]
    assert len(set(captions)) == 3
    assert "network after epoch 1" in captions[1] and "edges by w·a" in captions[2]


def test_an_image_little_like_a_digit_is_warned_about_and_captioned_so(own_copy, tmp_path):
    from nn_explainer.model.schema import read_export
    from nn_explainer.scenes.mobjects.layout import describe

    from test_digit_image import specks

    checkpoint, export = own_copy
    scattered = tmp_path / "specks.png"
    specks().save(scattered)
    result = run_cli("export", "--checkpoint", checkpoint, "--export", export, "--digit", scattered)
    assert result.returncode == 0, result.stderr
    assert "warning: image:specks looks little like a digit (no connected ink" in result.stderr
    example = read_export(export).example("image:specks")
    assert example.doubt and "little like a digit" in describe(example) and "little like a digit" in describe(example, 3)
    assert "little like" not in describe(read_export(export).example("train:7"))
