"""Every scene draws whatever network `render.py train` can make: other widths, depths
and activations, checked on what is on screen against each network's own export."""
import numpy as np
import pytest

from nn_explainer.model.activations import activation
from nn_explainer.model.schema import read_export
from scene_state import diagram, fills, numbers, on_screen, run_scene, written
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.outline import BEATS, scene_class
from test_layout import problems_now

SHAPES = {  # name: (hidden widths, activation)
    "wide 32-32": ((32, 32), "sigmoid"),
    "deep 16-16-16": ((16, 16, 16), "sigmoid"),
    "one layer of 64": ((64,), "sigmoid"),
    "relu 24-12": ((24, 12), "relu"),
    "tanh, six layers": ((16, 12, 16, 12, 16, 12), "tanh"),
}


@pytest.fixture(scope="module", params=list(SHAPES))
def trained(request, tmp_path_factory):
    """(export path, export, model): one epoch of training, enough to draw."""
    from nn_explainer.model.checkpoint import load_checkpoint
    from nn_explainer.model.pipeline import run_training
    from nn_explainer.model.train import TrainConfig

    hidden, function = SHAPES[request.param]
    folder = tmp_path_factory.mktemp("net")
    checkpoint, export = folder / "net.safetensors", folder / "net.json"
    run_training(TrainConfig(hidden=hidden, activation=function, epochs=1, seed=5), checkpoint, export, progress=False)
    return export, read_export(export), load_checkpoint(checkpoint)[0]


_played, _layout_problems = {}, {}


def played_scene(name, path):
    """Each scene run once per network for the module, to its final state, without frames;
    the video layout's rules (test_layout.py) checked after every animation on the way."""
    if (name, path) not in _played:
        found = _layout_problems[name, path] = set()
        _played[name, path] = run_scene(scene_class(name), export=path,
                                        after_play=lambda scene: found.update(problems_now(scene)))
    return _played[name, path]


def index_labels(scene, layer):
    """The indices written beside a drawn column's neurons (wide layers only), top to bottom."""
    from manim import Text

    labels = [t for t in on_screen(scene, Text) if t.original_text.isdigit()
              and 0 < layer.get_left()[0] - t.get_right()[0] < 0.3]
    labels.sort(key=lambda t: -t.get_y())
    return [int(t.original_text) for t in labels]


def test_every_beat_renders(trained):
    path, export, _ = trained
    for beat in BEATS:
        played = played_scene(beat.name, path)
        assert played.mobjects and played.renderer.time > 3, beat.name


def test_every_beat_is_legible_for_every_network(trained):
    """Wider layers bring index labels and notes, deeper ones narrower columns: at 480p
    every text still has 10 px capitals, none overlaps another, none leaves the frame."""
    path, _, _ = trained
    problems = {beat.name: sorted(_layout_problems[beat.name, path])
                for beat in BEATS if played_scene(beat.name, path) and _layout_problems[beat.name, path]}
    assert not problems, problems


def test_forward_pass_draws_the_network_as_it_is(trained):
    path, export, _ = trained
    example = export.example("train:7")
    played = played_scene("ForwardPass", path)
    drawn = diagram(played)
    sizes = export.network.sizes
    assert len(drawn.layers) == len(sizes)  # one column per layer, whatever the depth
    for number, (layer, values, size) in enumerate(zip(drawn.layers[1:], example.a[1:], sizes[1:]), start=1):
        assert len(layer) == min(size, style.MAX_DRAWN_NEURONS)
        if size > style.MAX_DRAWN_NEURONS:
            shown = index_labels(played, layer)
            assert shown == sorted(shown) and len(shown) == len(layer)
            # the most active for this digit: no neuron left out is brighter than one drawn
            left_out = np.setdiff1d(np.arange(size), shown)
            assert np.abs(values[left_out]).max() <= np.abs(values[shown]).min()
            brace = [t for t in written(played) if t.replace(",", "").isdigit() and int(t.replace(",", "")) == size]
            assert brace, f"no brace saying {size}"
            not_drawn = [numbers(t) for t in written(played) if "not drawn" in t]
            assert [size - len(shown), (size - len(shown)) * (sizes[number - 1] + sizes[number + 1])] in not_drawn
        else:
            shown = list(range(size))
        function = activation(export.network.output_activation if number == len(sizes) - 1
                              else export.network.hidden_activation)
        expected = values[shown] / (1 if function.bounded else values.max())
        assert np.allclose(fills(played)[number], expected, atol=1e-6), number


def test_parameter_count_is_the_models(trained):
    path, export, model = trained
    played = played_scene("ParameterCount", path)
    total = numbers(next(t for t in written(played) if r"\text{total}" in t))[-1]
    # BatchNorm's scale and shift are folded into W and b at export: the network's
    # parameters are its linear layers'.
    assert total == sum(p.numel() for p in model.layers.parameters()) == export.network.parameter_count
    title = next(t for t in written(played) if "how many knobs" in t)
    assert title.startswith("-".join(map(str, export.network.sizes)))


def test_the_formulas_name_the_trained_activation(trained):
    path, export, _ = trained
    function = activation(export.network.hidden_activation)
    played = played_scene("Sigmoid", path)
    assert function.definition in written(played)
    assert f"this network's activation function: {spoken.activation_name(function.name)}" in written(played)
    matrix = played_scene("MatrixForm", path)
    assert any(t.startswith("a^{(1)} = " + function.symbol) for t in written(matrix))


def test_the_narration_says_what_the_network_is(trained):
    """Each beat says its own script as it plays (one sentence per layer transition, as
    many as the network has), and the words are true of this network: its hidden layers
    by count and width, its activation function by name (never sigmoid for another), its
    parameter count, and that wide layers are drawn in part."""
    import importlib

    from nn_explainer.scenes.speech import spoken
    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.story import Story

    path, export, _ = trained
    story = Story.read(Settings(export=path))
    scripts = {beat.name: importlib.import_module(beat.module).script(story) for beat in BEATS}
    for beat in BEATS:
        heard = [line.text for line in played_scene(beat.name, path).narrator.spoken]
        assert heard == list(scripts[beat.name].values()), beat.name
    said = {name: " ".join(lines.values()) for name, lines in scripts.items()}
    sizes = export.network.sizes
    hidden = spoken.hidden_layers(sizes[1:-1])
    assert f"This network has {hidden}." in said["Layers"] and said["WhyTwoLayers"].startswith(f"Why {hidden}?")
    if sizes[1:-1] == [64]:
        assert "one hidden layer of sixty-four" in said["Layers"]
    assert len([name for name in scripts["ForwardPass"] if name.startswith("layer_")]) == len(sizes) - 1
    name = spoken.activation_name(export.network.hidden_activation)
    assert f"This network uses the {name} function." in said["Sigmoid"]
    assert f"apply {name}," in said["MatrixForm"]
    chapter = " ".join(said.values())
    if name != "sigmoid":
        assert "sigmoid" not in chapter.lower()
    assert ("drawn in part" in said["Layers"]) == any(size > style.MAX_DRAWN_NEURONS for size in sizes[1:-1])
    assert spoken.integer(export.network.parameter_count) in said["ParameterCount"]


EVIDENCE_BEATS = ("WhatExcitesANeuron", "WhatANeuronWants", "KnockOneOut", "DoesLayerTwoCombine")


def test_neuron_evidence_for_every_network(trained):
    """The evidence covers the first two hidden layers (one, for a one-layer network), at
    most 16 neurons each, and its beats draw it legibly whatever the width, depth and
    activation; the knock-out drawn is the evidence's."""
    path, export, _ = trained
    evidence, hidden = export.neuron_evidence, export.network.sizes[1:-1]
    assert [layer.layer for layer in evidence.layers] == list(range(1, min(2, len(hidden)) + 1))
    for layer, width in zip(evidence.layers, hidden):
        assert len(layer.neurons) == min(width, style.MAX_DRAWN_NEURONS)
    assert (evidence.combination is None) == (len(hidden) == 1)
    for name in EVIDENCE_BEATS:
        played_scene(name, path)
        assert not _layout_problems[name, path], (name, sorted(_layout_problems[name, path]))
    notes = [t for t in written(played_scene("KnockOneOut", path)) if t.startswith("without ") and t.endswith("%")]
    expected = {f"without {layer.neurons[int(np.argmin(layer.knockout_correct))]}: "
                f"{spoken.percent_text(layer.knockout_correct.min() / evidence.digits, 2)}" for layer in evidence.layers}
    assert set(notes) == expected
