"""Chapter two, read as a viewer sees it: the drawn costs are the export's, the drawn
gradients autograd's (the file's, which the reader re-proved), the backward pass's fills
and edge colours every layer's numpy recomputation; every beat legible and inside the
frame in both layouts; Chapter2 joins them in the outline's order.
"""
from __future__ import annotations

import numpy as np
import pytest

from nn_explainer.model import backprop, paths
from nn_explainer.model.schema import read_export
from scene_state import Drawn, numbers, run_scene, written
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.outline import CHAPTER_TWO, beats_of, scene_class
from test_layout import LAYOUTS

EXPORT = paths.DEFAULT_EXPORT


@pytest.fixture(scope="module")
def export():
    return read_export(EXPORT)


@pytest.fixture(scope="module")
def runs():
    """{(beat, layout): (final scene, layout problems, its length, sentences said)}: each
    chapter-two beat run once per layout, every check below reading the same runs."""
    from test_layout import LAYOUT_PIXELS_PER_UNIT, problems_now

    found = {}
    for beat in CHAPTER_TWO:
        for layout in LAYOUTS:
            problems = set()
            scene = run_scene(scene_class(beat.name), export=EXPORT, layout=layout,
                              after_play=lambda scene, problems=problems, layout=layout:
                              problems.update(problems_now(scene, LAYOUT_PIXELS_PER_UNIT[layout])))
            found[beat.name, layout] = (scene, problems, scene.renderer.time,
                                        [line.text for line in scene.narrator.spoken])  # the (silent) narrator's
    return found


@pytest.fixture(scope="module")
def final(runs):
    """{beat: its scene after the last animation}, video layout, the sloppy three."""
    return {beat: run[0] for (beat, layout), run in runs.items() if layout == "video"}


def scene_of(final, name):
    return final[name]


def all_numbers(scene) -> list[float]:
    return [n for text in written(scene) for n in numbers(text)]


def test_chapter_two_is_its_beats_in_order():
    assert beats_of("Chapter2") == tuple(beat.name for beat in CHAPTER_TWO)
    assert beats_of("Chapter")[-1] == "ReLU" and "CostOfOneDigit" not in beats_of("Chapter")


def test_the_drawn_cost_is_the_exports(final, export):
    from nn_explainer.scenes.chapter_two.gradient_story import digits_for

    cost = float(export.gradients.digit.costs[0])   # autograd's, as the file holds it, re-proved on read
    texts = written(scene_of(final, "CostOfOneDigit"))
    assert any(text.endswith(f"C = {fmt(cost, digits_for(cost))}") for text in texts), texts
    epoch0 = read_export(paths.snapshot_path(EXPORT, 0)).example("train:7")
    untrained = float(backprop.costs(epoch0.z[-1], [3]))
    assert f"epoch 0: C = {fmt(untrained, digits_for(untrained))}" in texts


def test_the_drawn_set_costs_and_descent_are_the_exports(final, export):
    grads = export.gradients
    drawn = all_numbers(scene_of(final, "CostOfTheSet"))
    for entry in grads.test_costs:
        assert round(entry["cost"], 2) in drawn
    texts = written(scene_of(final, "Downhill"))
    assert f"step {len(grads.path) - 1}: cost {fmt(grads.path[-1, 2])}" in texts
    assert any(text.endswith(f"cost {fmt(float(grads.batch.costs.mean()))}") for text in texts)


def test_the_drawn_gradient_of_a_weight_is_autograds(final, export):
    """Backpropagation writes ∂C/∂b and ∂C/∂w of the right output: the file's autograd numbers."""
    grads = export.gradients.digit          # recomputed by the reader; the file holds autograd's
    example = export.example("train:7")
    texts = "\n".join(written(scene_of(final, "Backpropagation")))
    bias = grads.dz[-1][0][3]
    previous = grads.activations[-2][0]
    source = int(np.argmax(np.abs(bias * previous)))
    assert f"∂C/∂b = {fmt(bias, 5)}" in texts
    assert f"= {fmt(bias * example.a[-2][source], 5)}" in texts and f"neuron {source}" in texts
    file_dz = [np.asarray(v) for v in _file_section()["digit"]["dz"]]
    assert bias == pytest.approx(file_dz[-1][3], rel=1e-6)


def _file_section():
    import json

    return json.loads(EXPORT.read_text())["gradients"]


@pytest.mark.parametrize("which", ["sigmoid", "relu"])
def test_the_backward_pass_draws_every_layers_recomputation(which, final):
    """Fills = -dC/da (outputs: -dC/dz) as a share of the layer's largest, edge colours =
    the sign of -dC/dw, for every layer, against a chain rule written out here."""
    path = EXPORT if which == "sigmoid" else paths.RELU_EXPORT
    scene = scene_of(final, "Backpropagation") if which == "sigmoid" else run_scene(
        scene_class("Backpropagation"), export=path)
    export = read_export(path)
    network, example = export.network, export.example("train:7")
    from nn_explainer.model.activations import activation

    f = activation(network.hidden_activation)
    zs, acts = example.z, example.a
    softmax = np.exp(zs[-1] - zs[-1].max())
    softmax /= softmax.sum()
    dz = [softmax - np.eye(10)[example.label]]
    da = []
    for layer in range(len(network.weights) - 1, 0, -1):
        da.insert(0, network.weights[layer].T @ dz[0])
        dz.insert(0, da[0] * f.derivative(zs[layer - 1]))
    drawn = Drawn(scene)  # the gradient's bundles replaced the weights' (faded out, gone)
    layers, bundles = drawn.layers, drawn.bundles
    assert len(bundles) == len(network.weights)
    for layer in range(1, len(layers)):
        wanted = -(dz[-1] if layer == len(layers) - 1 else da[layer - 1])
        expected = (wanted / np.abs(wanted).max())[layers[layer].indices]
        assert np.allclose(layers[layer].activations(), expected, atol=1e-6), layer
    from manim import ManimColor

    from nn_explainer.scenes import style
    from nn_explainer.scenes.mobjects.input_blocks import pooled_weights

    for index, bundle in enumerate(bundles):
        targets = layers[index + 1].indices
        nudge = -np.outer(dz[index][targets], acts[index])
        nudge = pooled_weights(nudge) if index == 0 else nudge[:, layers[index].indices]
        for path_ in bundle.submobjects:
            blue = ManimColor(path_.get_stroke_color()).to_hex() == ManimColor(style.POSITIVE).to_hex()
            for target, source in path_.edges:
                assert (nudge[target, source] >= 0) == blue, (index, target, source)


@pytest.mark.parametrize("beat", [beat.name for beat in CHAPTER_TWO])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_chapter_two_is_legible_apart_and_inside_the_frame(beat, layout, runs):
    _, problems, seconds, _ = runs[beat, layout]
    assert not problems, sorted(problems)
    assert seconds <= 30


@pytest.mark.parametrize("beat", [beat.name for beat in CHAPTER_TWO])
def test_every_sentence_is_said_once_in_order(beat, runs):
    """script() names the sentences; play() says each exactly once, in that order."""
    import importlib

    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.story import Story

    module = importlib.import_module([b for b in CHAPTER_TWO if b.name == beat][0].module)
    expected = list(module.script(Story.read(Settings(export=EXPORT))).values())
    assert len(expected) >= 3
    for layout in LAYOUTS:
        assert runs[beat, layout][3] == expected


@pytest.mark.parametrize("part, changed", [
    ("test_costs", {"CostOfTheSet", "BackToTheRun", "Chapter2"}),
    ("history", {"BackToTheRun", "Chapter2"}),
])
def test_a_changed_part_re_renders_exactly_the_beats_that_draw_it(tmp_path, part, changed):
    """The measured parts (not recomputable, so a copy may differ in them alone): a change
    of one re-keys exactly the beats that read it, and the chapter that holds them."""
    import json

    from nn_explainer.publish.keys import inputs_key
    from nn_explainer.publish.requests import RenderRequest
    from nn_explainer.scenes.outline import SCENES

    doc = json.loads(EXPORT.read_text())
    entry = doc["gradients"][part][0]
    entry["cost" if part == "test_costs" else "loss"] *= 1.5
    other = tmp_path / "network.json"
    other.write_text(json.dumps(doc))
    for epoch in paths.snapshot_epochs(EXPORT):  # the same snapshots beside it: only `part` differs
        paths.snapshot_path(other, epoch).write_bytes(paths.snapshot_path(EXPORT, epoch).read_bytes())
    keys = {path: {name: inputs_key(RenderRequest(name, export=path)) for name in SCENES} for path in (EXPORT, other)}
    assert {name for name in SCENES if keys[EXPORT][name] != keys[other][name]} == changed
