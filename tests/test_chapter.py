"""Every beat of the chapter builds, reaches its final state, and shows real numbers."""
import numpy as np
import pytest

from model import paths
from model.schema import read_export
from scene_state import run_scene
from scenes import style
from scenes.beat import fmt
from scenes.catalog import SCENES, scene_class


@pytest.fixture(scope="module")
def export():
    return read_export(paths.DEFAULT_EXPORT)


@pytest.fixture(scope="module")
def three(export):
    return export.example("train:7")


@pytest.fixture(scope="module")
def neuron(three):
    return int(np.argmax(three.a[1]))  # the chapter's featured neuron: most active in layer 1


_scenes = {}


def scene(name):
    """Each scene run once for the module, to its final state, without frames."""
    if name not in _scenes:
        _scenes[name] = run_scene(scene_class(name))
    return _scenes[name]


@pytest.mark.parametrize("name", [name for name in SCENES if name != "Chapter"])
def test_every_scene_reaches_its_final_state(name):
    played = scene(name)
    assert played.mobjects, f"{name} ends on an empty screen"
    assert played.renderer.time > 3  # it took some time to tell


def test_sloppy_three_shows_real_threes(export):
    played = scene("SloppyThree")
    assert len(played.sloppy_three_others) == 8
    for example_id in played.sloppy_three_others:
        assert export.example(example_id).label == 3


def test_neuron_holds_a_number_writes_real_pixels(three):
    played = scene("NeuronHoldsANumber")
    assert played.holds_labels == [fmt(three.pixels[i]) for i in played.holds_window]
    assert np.allclose(played.holds_neurons.activations(), played.holds_values)
    middle = played.holds_window[10:15]
    assert played.holds_values == [float(three.pixels[i]) for i in middle]


def test_layers_counts_come_from_the_export(export):
    assert scene("Layers").layer_counts == [str(size) for size in export.network.sizes]


def test_hoped_for_features_draws_the_real_first_layer(export):
    maps = scene("HopedForFeatures").feature_maps
    assert len(maps) == 16
    for heatmap, weights in zip(maps, export.network.weights[0]):
        assert np.array_equal(heatmap.weights, weights)


def test_one_neurons_weights_draws_the_neuron_it_names(export, three, neuron):
    played = scene("OneNeuronsWeights")
    assert played.featured_index == neuron
    assert f"hidden neuron {neuron} of layer 1" in played.featured_title
    weights = export.network.weights[0][neuron]
    heatmap = played.weights_map
    assert np.array_equal(heatmap.weights, weights)
    for pixel in range(784):
        colour, opacity = heatmap.drawn_colour(pixel)
        expected = style.POSITIVE if weights[pixel] >= 0 else style.NEGATIVE
        assert colour.to_hex() == expected.to_hex(), pixel
    assert np.allclose(played.product_map.weights, weights * three.pixels)


def test_weighted_sum_is_real(export, three, neuron):
    played = scene("WeightedSum")
    weights, pixels = export.network.weights[0][neuron], three.pixels
    assert played.sum_total == pytest.approx(float(weights @ pixels), abs=1e-9)
    # the weighted sum plus the bias is the exported pre-activation z
    assert played.sum_total + export.network.biases[0][neuron] == pytest.approx(three.z[0][neuron], abs=1e-6)
    assert played.sum_shown["total"] == fmt(weights @ pixels)
    contributions = np.abs(weights * pixels)
    assert sorted(contributions[played.sum_terms]) == sorted(np.sort(contributions)[-3:])
    assert played.sum_shown["terms"] == [(fmt(weights[p]), fmt(pixels[p])) for p in played.sum_terms]


def test_sigmoid_reads_the_real_activation_off_the_curve(three, neuron):
    played = scene("Sigmoid")
    assert played.sigmoid_z == pytest.approx(three.z[0][neuron], abs=1e-9)
    assert played.sigmoid_activation == pytest.approx(three.a[1][neuron], abs=1e-9)
    x, y = played.sigmoid_point[:2]
    assert x == pytest.approx(three.z[0][neuron], abs=1e-4) and y == pytest.approx(three.a[1][neuron], abs=1e-4)
    assert played.sigmoid_shown["a"] == fmt(three.a[1][neuron], 3)


def test_bias_is_real(export, three, neuron):
    played = scene("Bias")
    bias = export.network.biases[0][neuron]
    assert played.bias_value == bias
    assert played.bias_shown["b"] == fmt(bias) and played.bias_shown["threshold"] == fmt(-bias)
    assert played.bias_sum == pytest.approx(float(export.network.weights[0][neuron] @ three.pixels), abs=1e-9)
    assert played.bias_active == (three.a[1][neuron] > 0.5)


def test_parameter_count_from_the_shapes(export, tmp_path):
    played = scene("ParameterCount")
    assert played.parameter_total == export.network.parameter_count == 13002
    assert played.parameter_shown == "13,002"
    from model.pipeline import run_training
    from model.train import TrainConfig

    other = tmp_path / "wide.json"
    run_training(TrainConfig(hidden=(32,), epochs=1), tmp_path / "wide.safetensors", other, progress=False)
    wide = run_scene(scene_class("ParameterCount"), export=other)
    assert wide.parameter_total == 784 * 32 + 32 * 10 + 32 + 10 == 25450


def test_matrix_form_shows_real_entries_and_result(export, three):
    played = scene("MatrixForm")
    weights, bias = export.network.weights[0], export.network.biases[0]
    rows = cols = None
    from scenes.matrix_form import shown_indices

    rows, cols = shown_indices(weights.shape[0]), shown_indices(weights.shape[1])
    assert played.matrix_shown["W"] == [[fmt(weights[r, c]) for c in cols] for r in rows]
    assert played.matrix_shown["b"] == [fmt(bias[i]) for i in rows]
    # the result vector is the first hidden layer of the forward pass
    assert np.allclose(played.matrix_result, three.a[1], atol=1e-6)
    assert played.matrix_shown["a1"] == [fmt(three.a[1][i]) for i in rows]


def test_network_is_a_function_shows_the_real_outputs(three):
    assert scene("NetworkIsAFunction").function_outputs == [fmt(y) for y in three.a[-1]]


def test_relu_reads_the_relu_export():
    played = scene("ReLU")
    relu = read_export(paths.RELU_EXPORT)
    assert played.relu_inputs.network.hidden_activation == "relu"
    assert np.array_equal(played.relu_inputs.network.weights[0], relu.network.weights[0])
    example = relu.example("train:7")
    drawn = [layer.activations() for layer in played.relu_diagram.layers]
    for layer in (1, 2):  # ReLU layers are drawn relative to their brightest neuron
        assert np.allclose(drawn[layer], example.a[layer] / example.a[layer].max(), atol=1e-6)
        assert max(drawn[layer]) == pytest.approx(1.0)
    assert np.allclose(drawn[3], example.a[3], atol=1e-6)  # the sigmoid output as it is
    assert played.answer["digit"] == example.prediction


def test_chapter_plays_every_beat_with_one_subtitle_each():
    from scenes.chapter import BEATS

    played = run_scene(scene_class("Chapter"))
    assert played.beats_played == [beat.__name__ for beat in BEATS]
    cues = played.renderer.file_writer.subcaptions
    assert [cue.content for cue in cues] == [beat.narration for beat in BEATS]
    for earlier, later in zip(cues, cues[1:]):
        assert earlier.end <= later.start  # in order, never overlapping
    assert all(cue.end > cue.start for cue in cues)
