"""The chapter's later devices (issue 11) draw the real network: the digit it gets wrong,
the "write a program" challenge, why two layers of 16, and learning as the real training
run. Each test reads what is on screen and recomputes it from the export."""
import json

import numpy as np
import pytest

from nn_explainer.model import formula, paths
from nn_explainer.model.schema import read_export
from nn_explainer.model.shapes import IMAGE_SIDE
from scene_state import drawn_pixels, fills, numbers, on_screen, run_scene, written
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.outline import scene_class


@pytest.fixture(scope="module")
def export():
    return read_export(paths.DEFAULT_EXPORT)


def block_means(pixels, block=IMAGE_SIDE // 4):
    image = np.asarray(pixels).reshape(IMAGE_SIDE, IMAGE_SIDE)
    return np.array([image[r:r + block, c:c + block].mean()
                     for r in range(0, IMAGE_SIDE, block) for c in range(0, IMAGE_SIDE, block)])


def recomputed(network, pixels):
    return formula.forward(network.weights, network.biases, network.hidden_activation,
                           network.output_activation, pixels)[1]


# --- WrongAnswer -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def wrong():
    return run_scene(scene_class("WrongAnswer"))


def test_the_wrong_answer_is_a_real_miss_of_the_exported_network(wrong, export):
    from nn_explainer.scenes.mobjects.pixel_grid import PixelGrid

    (grid,) = on_screen(wrong, PixelGrid)
    pixels = drawn_pixels(grid)
    shown = [e for e in export.examples if np.allclose(e.pixels, pixels, atol=1e-9)]
    assert len(shown) == 1 and shown[0].source == "mnist-test"
    digit = shown[0]
    outputs = recomputed(export.network, digit.pixels)[-1]
    answer = int(np.argmax(outputs))
    assert answer != digit.label  # the network really gets it wrong
    # and it is the first such digit of the export's test digits
    earlier = [e for e in export.examples if e.source == "mnist-test" and e.index < digit.index]
    assert all(int(np.argmax(recomputed(export.network, e.pixels)[-1])) == e.label for e in earlier)

    drawn = fills(wrong)
    expected = [block_means(digit.pixels)] + list(recomputed(export.network, digit.pixels)[1:])
    for layer, (seen, real) in enumerate(zip(drawn, expected)):
        assert np.allclose(seen, real, atol=1e-6), layer

    text = written(wrong)
    assert f"MNIST test image #{digit.index},\nlabelled {digit.label}" in text
    assert f"it says {answer}: wrong.\nthe label says {digit.label}." in text
    assert fmt(outputs[answer]) in text and fmt(outputs[digit.label]) in text
    assert f"it gets {spoken.percent_text(export.training['test_accuracy'], 2)} of\nthe test digits right" in text


def test_the_wrong_output_and_the_true_label_are_marked(wrong, export):
    from manim import Text

    from nn_explainer.scenes.chapter_one.wrong_answer import TRUTH, first_miss

    digit = first_miss(export)
    colours = {t.original_text: t.get_color().to_hex() for t in on_screen(wrong, Text) if len(t.original_text) == 1}
    assert colours[str(digit.prediction)] == style.HIGHLIGHT.to_hex()
    assert colours[str(digit.label)] == TRUTH.to_hex()


def test_an_export_without_a_miss_says_so(export, tmp_path):
    doc = json.loads(paths.DEFAULT_EXPORT.read_text())
    doc["examples"] = [e for e in doc["examples"] if e["label"] is None or e["prediction"] == e["label"]]
    path = tmp_path / "no-miss.json"
    path.write_text(json.dumps(doc))
    from nn_explainer.scenes.mobjects.pixel_grid import PixelGrid

    played = run_scene(scene_class("WrongAnswer"), export=path)
    tested = sum(e["source"] == "mnist-test" for e in doc["examples"])
    assert f"of the {tested} test digits in this export, it gets none wrong:\nthere is no miss to show" in written(played)
    assert not on_screen(played, PixelGrid)


# --- WriteAProgram ---------------------------------------------------------------------

def test_write_a_program_writes_the_digits_real_pixel_values(export):
    from manim import Text

    from nn_explainer.model.shapes import PIXELS

    played = run_scene(scene_class("WriteAProgram"))
    image = export.example("train:7").pixels.reshape(IMAGE_SIDE, IMAGE_SIDE)
    texts = on_screen(played, Text)
    labels = {round(t.get_y(), 3): int(t.original_text.split()[1]) for t in texts if t.original_text.startswith("row ")}
    lines = {round(t.get_y(), 3): t.original_text for t in texts if t.original_text.startswith("…")}
    assert len(labels) >= 4 and set(labels) == set(lines)  # each row's label beside its numbers
    caption = next(t.original_text for t in texts if "marks the rest" in t.original_text)
    first_row, last_row, first_col, last_col, shown, total = map(int, numbers(caption.replace("-", " ")))
    assert total == PIXELS and shown == (last_row - first_row + 1) * (last_col - first_col + 1)
    assert sorted(labels.values()) == list(range(first_row, last_row + 1))
    for y, row in labels.items():  # rows and columns counted from 1, as a viewer counts
        assert numbers(lines[y]) == [float(fmt(v)) for v in image[row - 1, first_col - 1:last_col]], row
    assert image[first_row - 1:last_row, first_col - 1:last_col].sum() > 0  # a window with ink in it
    assert f"Write a program that reads these {PIXELS} numbers\nand says which digit it is." in written(played)


# --- WhyTwoLayers ----------------------------------------------------------------------

def test_why_two_layers_answers_from_the_real_network(export):
    played = run_scene(scene_class("WhyTwoLayers"))
    text = written(played)
    sizes = [len(export.network.weights[0][0])] + [len(b) for b in export.network.biases]
    parameters = sum(w.size + b.size for w, b in zip(export.network.weights, export.network.biases))
    assert "why two hidden layers of 16?" in text  # the default network is 3Blue1Brown's
    assert f"this one: {'-'.join(map(str, sizes))}, {parameters:,} weights and biases" in text
    accuracy = export.training["test_accuracy"]
    assert f"trained, it reads {spoken.percent_text(accuracy, 2)} of the test digits right" in text  # as said
    assert any(t.startswith("the hope:") for t in text)


def test_the_question_names_the_real_widths():
    from nn_explainer.scenes.chapter_one.why_two_layers import question

    assert question([32]) == "why one hidden layer of 32?"
    assert question([16, 32]) == "why two hidden layers of 16 and 32?"
    assert question([8, 8, 8]) == "why three hidden layers of 8?"


# --- Learning --------------------------------------------------------------------------

def test_default_training_keeps_the_learning_beats_snapshots():
    from nn_explainer.model.train import TrainConfig

    assert TrainConfig().kept_epochs() == (0, 1, 2, 5, 10)
    assert TrainConfig(epochs=3).kept_epochs() == (0, 1, 2)       # the last epoch is the export itself
    assert TrainConfig(epochs=3, snapshots=(1,)).kept_epochs() == (1,)
    assert TrainConfig(epochs=3, snapshots=()).kept_epochs() == ()


def committed_snapshots():
    return [(epoch, read_export(paths.snapshot_path(paths.DEFAULT_EXPORT, epoch)))
            for epoch in paths.snapshot_epochs(paths.DEFAULT_EXPORT)]


def test_the_committed_snapshots_are_of_the_committed_run_and_compact(export):
    snapshots = committed_snapshots()
    assert [epoch for epoch, _ in snapshots] == [0, 1, 2, 5, 10]
    for epoch, snapshot in snapshots:
        assert snapshot.training["epochs"] == epoch and snapshot.training["snapshot_of"] == export.training["epochs"]
        assert snapshot.training["seed"] == export.training["seed"]
        assert [e.id for e in snapshot.examples if e.source != "image"] == ["train:7"]
        assert len(snapshot.training["history"]) == export.training["epochs"]
    size = sum(paths.snapshot_path(paths.DEFAULT_EXPORT, e).stat().st_size for e, _ in snapshots)
    assert size < 1_000_000, size


def learning_states():
    """{section: what is drawn at its end} for the Learning beat played alone."""
    from manim import Axes, Dot, Text, VMobject

    from nn_explainer.scenes.mobjects.heatmap import WeightHeatmap

    states, current = {}, [None]

    def look(scene, name):
        if current[0] is not None:
            (axes,) = on_screen(scene, Axes)
            dots = [d for d in on_screen(scene, Dot) if d.get_color().to_hex() == style.HIGHLIGHT.to_hex()]
            (heatmap,) = on_screen(scene, WeightHeatmap)
            drawn = [heatmap.drawn_colour(pixel) for pixel in range(len(heatmap.weights))]
            colours, opacities = [c.to_hex() for c, _ in drawn], np.array([o for _, o in drawn])
            states[current[0]] = {"fills": fills(scene), "colours": colours, "opacities": opacities, "axes": axes,
                                  "curves": [m for m in on_screen(scene, VMobject) if len(m.points)],
                                  "dots": [axes.p2c(d.get_center()) for d in dots],
                                  "text": [t.original_text for t in on_screen(scene, Text)]}
        current[0] = name

    run_scene(scene_class("Learning"), on_section=look)
    return states


def test_learning_draws_each_snapshot_as_it_was(export):
    snapshots = committed_snapshots() + [(export.training["epochs"], export)]
    states = learning_states()
    assert list(states) == [f"epoch_{epoch}" for epoch, _ in snapshots]
    neuron = int(np.argmax(export.example("train:7").a[1]))  # the chapter's featured neuron, found by the final network
    history = snapshots[0][1].training["history"]
    # one scale for every snapshot's map, so that the weights' growth shows
    scale = max(np.abs(snapshot.network.weights[0][neuron]).max() for _, snapshot in snapshots)
    for epoch, snapshot in snapshots:
        state, digit = states[f"epoch_{epoch}"], snapshot.example("train:7")
        # the neuron's weights as they were then
        row = snapshot.network.weights[0][neuron]
        for pixel in np.flatnonzero(row != 0):
            assert state["colours"][pixel] == (style.POSITIVE if row[pixel] > 0 else style.NEGATIVE).to_hex(), (epoch, pixel)
        steps = np.minimum((np.abs(row) / scale * style.HEATMAP_LEVELS).astype(int), style.HEATMAP_LEVELS - 1)
        # drawn as picture pixels: the opacity to the nearest of 255 alpha steps
        assert np.allclose(state["opacities"], (steps + 1) / style.HEATMAP_LEVELS, rtol=0, atol=0.5 / 255), epoch
        # the digit through the network as it was then, recomputed from its weights
        expected = [block_means(digit.pixels)] + list(recomputed(snapshot.network, digit.pixels)[1:])
        for layer, (seen, real) in enumerate(zip(state["fills"], expected)):
            assert np.allclose(seen, real, atol=1e-6), (epoch, layer)
        # the dot at this snapshot's test accuracy, and the readout
        (dot,) = state["dots"]
        assert np.allclose(dot[:2], [epoch, snapshot.training["test_accuracy"]], atol=1e-6), epoch
        answer = int(np.argmax(expected[-1]))
        assert (f"epoch {epoch}: test accuracy {spoken.percent_text(snapshot.training['test_accuracy'])}\n"
                f"the digit: it says {answer} (a = {fmt(expected[-1][answer])})") in state["text"]
    assert f"hidden neuron {neuron}'s\nweights" in state["text"]
    # the curve: the run's held-out accuracy after every epoch, drawn through each point
    assert len(history) == export.training["epochs"]
    assert history[-1]["validation_accuracy"] == pytest.approx(export.training["validation_accuracy"])
    axes = state["axes"]
    wanted = np.array([axes.c2p(h["epoch"], h["validation_accuracy"]) for h in history])
    assert any(len(curve.points) == 4 * (len(wanted) - 1) and np.allclose(curve.points[0::4], wanted[:-1])
               and np.allclose(curve.points[-1], wanted[-1]) for curve in state["curves"])


def test_a_changed_snapshot_re_renders_the_learning_beat_only(tmp_path):
    """The snapshots are a part of what Learning reads: remove one and its key changes;
    a beat that does not read them keeps its key."""
    import shutil

    from nn_explainer.publish.keys import inputs_key
    from nn_explainer.publish.requests import RenderRequest

    export = tmp_path / "network.json"
    shutil.copy(paths.DEFAULT_EXPORT, export)
    for epoch in paths.snapshot_epochs(paths.DEFAULT_EXPORT):
        shutil.copy(paths.snapshot_path(paths.DEFAULT_EXPORT, epoch), paths.snapshot_path(export, epoch))
    before = {name: inputs_key(RenderRequest(name, export=export)) for name in ("Learning", "WeightedSum")}
    paths.snapshot_path(export, 5).unlink()
    after = {name: inputs_key(RenderRequest(name, export=export)) for name in ("Learning", "WeightedSum")}
    assert after["Learning"] != before["Learning"]
    assert after["WeightedSum"] == before["WeightedSum"]


def test_learning_without_snapshots_of_the_run_says_so():
    """The ReLU export was trained before snapshots were kept: no trajectory is made up."""
    from manim import Axes

    assert not paths.snapshot_epochs(paths.RELU_EXPORT)
    played = run_scene(scene_class("Learning"), export=paths.RELU_EXPORT)
    assert any(text.startswith("this network was trained\nwithout snapshots:") for text in written(played))
    assert not on_screen(played, Axes)


def test_learning_for_a_digit_its_snapshots_lack_says_what_they_hold_and_what_would_help():
    """The snapshots exist but keep only the sloppy three: the screen says that (it said
    none existed), and how to get test:0's, in words for the screen, no backticks."""
    from manim import Axes

    played = run_scene(scene_class("Learning"), digit="test:0")
    [said] = [text for text in written(played) if "snapshots" in text]
    assert said.startswith("its training snapshots keep\ntrain:7 only, not test:0:")
    assert "export --digit test:0, then train" in said and "`" not in said
    assert not on_screen(played, Axes)
