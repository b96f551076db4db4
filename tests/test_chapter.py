"""Every beat of the chapter builds, reaches its final state, and shows real numbers:
each test reads what is on screen (the strings of the Text and MathTex mobjects, the
fills and colours drawn) and compares it with the export."""
import numpy as np
import pytest

from nn_explainer.model import paths
from nn_explainer.model.schema import read_export
from scene_state import diagram, drawn_pixels, fills, numbers, on_screen, run_scene, written, written_ever
from nn_explainer.scenes import style
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.outline import BEATS, scene_class


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


def formula_with(played, needle: str) -> str:
    matches = [text for text in written(played) if needle in text]
    assert len(matches) == 1, (needle, written(played))
    return matches[0]


@pytest.mark.parametrize("name", [beat.name for beat in BEATS])  # chapter two's: tests/test_chapter_two.py
def test_every_scene_reaches_its_final_state(name):
    played = scene(name)
    assert played.mobjects, f"{name} ends on an empty screen"
    assert played.renderer.time > 3  # it took some time to tell


def test_sloppy_three_shows_the_digit_and_real_threes(export, three):
    from nn_explainer.scenes.mobjects.pixel_grid import PixelGrid

    grids = on_screen(scene("SloppyThree"), PixelGrid)
    assert len(grids) == 9
    drawn = [drawn_pixels(grid) for grid in grids]
    assert np.allclose(drawn[0], three.pixels)
    threes = [e for e in export.examples if e.label == 3 and e.id != three.id]
    for image in drawn[1:]:  # each small grid is a real three of the export, none twice
        assert sum(np.allclose(image, other.pixels) for other in threes) == 1
    assert written(scene("SloppyThree")).count("28") == 2


def test_neuron_holds_a_number_writes_real_pixels(three):
    from nn_explainer.scenes.mobjects.network_diagram import NeuronLayer
    from nn_explainer.scenes.chapter_one.neuron_holds_a_number import WINDOW, inked_window

    played = scene("NeuronHoldsANumber")
    row, col = inked_window(three.pixels)
    window = [three.pixels[(row + r) * 28 + col + c] for r in range(WINDOW) for c in range(WINDOW)]
    values = [text for text in written(played) if numbers(text) and text == text.strip() and len(text) == 4]
    assert values[:WINDOW * WINDOW] == [fmt(v) for v in window]
    middle = window[WINDOW * (WINDOW // 2):WINDOW * (WINDOW // 2 + 1)]
    (layer,) = on_screen(played, NeuronLayer)
    assert np.allclose(layer.activations(), middle)
    assert values[WINDOW * WINDOW:] == [fmt(v) for v in middle]


def test_layers_writes_the_real_sizes_and_answer(export, three):
    from manim import Text

    played = scene("Layers")
    numerals = [t for t in on_screen(played, Text) if t.original_text.isdigit()]
    for layer, size in zip(diagram(played).layers, export.network.sizes):
        below = [t for t in numerals if abs(t.get_x() - layer.get_x()) < 0.3 and t.get_top()[1] < layer.get_bottom()[1]]
        assert below and int(max(below, key=lambda t: t.get_y()).original_text) == size  # the size written under it
    assert np.allclose(fills(played)[-1], three.a[-1], atol=1e-6)


def test_hoped_for_features_draws_the_real_first_layer(export):
    from nn_explainer.scenes.mobjects.heatmap import WeightHeatmap

    played = scene("HopedForFeatures")
    maps = on_screen(played, WeightHeatmap)
    weights = export.network.weights[0]
    assert len(maps) == len(weights) == 16
    for heatmap, row in zip(maps, weights):
        for pixel in np.flatnonzero(row != 0)[::37]:
            colour, _ = heatmap.drawn_colour(pixel)
            assert colour.to_hex() == (style.POSITIVE if row[pixel] > 0 else style.NEGATIVE).to_hex()
        assert np.array_equal(heatmap.weights, row)
    assert any("of the 16 first-layer neurons" in text for text in written(played))


def test_one_neurons_weights_draws_the_neuron_it_names(export, three, neuron):
    from nn_explainer.scenes.mobjects.heatmap import WeightHeatmap

    played = scene("OneNeuronsWeights")
    title = formula_with(played, "hidden neuron")
    assert f"hidden neuron {neuron} of layer 1" in title and f"a = {fmt(three.a[1][neuron])}" in title
    weights = export.network.weights[0][neuron]
    heatmap, product = on_screen(played, WeightHeatmap)
    for pixel in range(784):
        colour, _ = heatmap.drawn_colour(pixel)
        expected = style.POSITIVE if weights[pixel] >= 0 else style.NEGATIVE
        assert colour.to_hex() == expected.to_hex(), pixel
    assert np.allclose(product.weights, weights * three.pixels)
    assert numbers(formula_with(played, "summed"))[-1] == float(fmt(weights @ three.pixels))


def test_weighted_sum_is_real(export, three, neuron):
    played = scene("WeightedSum")
    weights, pixels = export.network.weights[0][neuron], three.pixels
    real = formula_with(played, r"+ \cdots =")
    *terms, total = numbers(real)
    assert total == float(fmt(weights @ pixels))
    # the weighted sum plus the bias is the exported pre-activation z
    assert weights @ pixels + export.network.biases[0][neuron] == pytest.approx(three.z[0][neuron], abs=1e-6)
    shown = list(zip(terms[::2], terms[1::2]))
    contributions = np.abs(weights * pixels)
    largest = sorted(np.argsort(-contributions)[:3])
    assert shown == [(float(fmt(weights[p])), float(fmt(pixels[p]))) for p in largest]
    assert numbers(formula_with(played, "largest of"))[:5] == [3, 784, *largest]


def test_sigmoid_reads_the_real_activation_off_the_curve_then_squishes_the_layer(three, neuron):
    from manim import Dot

    played, seen = written_ever(scene_class("Sigmoid"))
    one = lambda needle: next(text for text in seen if needle in text)  # noqa: E731
    assert one("frac") == r"\sigma(x) = \frac{1}{1 + e^{-x}}"
    assert numbers(one("z = w·a + b"))[-1] == float(fmt(three.z[0][neuron]))
    assert numbers(one(r"\left(z\right) ="))[-1] == float(fmt(three.a[1][neuron]))  # as every beat writes it
    assert not any("ReLU" in text for text in seen)
    # the squish: every first-layer neuron's dot ends at its real activation on the (0, 1) line
    from manim import NumberLine

    real_line, values_line = sorted(on_screen(played, NumberLine), key=lambda line: -line.get_y())
    dots = sorted(on_screen(played, Dot), key=lambda dot: dot.get_x())
    assert np.allclose([values_line.p2n(dot.get_center()) for dot in dots], sorted(three.a[1]), atol=1e-6)
    assert numbers(one(r"\vec z"))[:4] == [float(fmt(a)) for a in three.a[1][:4]]


def test_bias_is_real(export, three, neuron):
    played = scene("Bias")
    bias = export.network.biases[0][neuron]
    total = float(export.network.weights[0][neuron] @ three.pixels)
    assert numbers(formula_with(played, "the bias of hidden neuron")) == [neuron, float(fmt(bias))]
    assert numbers(formula_with(played, "-b ="))[-1] == float(fmt(-bias))
    assert numbers(formula_with(played, "w·a ="))[-1] == float(fmt(total))
    active = three.a[1][neuron] > 0.5
    assert any(("neuron is active" if active else "stays dark") in text for text in written(played))


def test_parameter_count_from_the_shapes(export, tmp_path):
    played = scene("ParameterCount")
    assert numbers(formula_with(played, r"\text{total}"))[-1] == export.network.parameter_count == 13002
    from nn_explainer.model.pipeline import run_training
    from nn_explainer.model.train import TrainConfig

    other = tmp_path / "wide.json"
    run_training(TrainConfig(hidden=(32,), epochs=1), tmp_path / "wide.safetensors", other, progress=False)
    wide = run_scene(scene_class("ParameterCount"), export=other)
    assert numbers(formula_with(wide, r"\text{total}"))[-1] == 784 * 32 + 32 * 10 + 32 + 10 == 25450
    assert numbers(formula_with(wide, r"\text{ weights}")) == [784, 32, 32, 10, 784 * 32 + 32 * 10]


def test_matrix_form_shows_real_entries_and_result(export, three, neuron):
    from manim import DecimalNumber, Matrix

    played = scene("MatrixForm")
    weights, bias = export.network.weights[0], export.network.biases[0]
    rows = [neuron - 1, neuron, neuron + 1]  # the featured neuron and its neighbours
    inked = np.flatnonzero(three.pixels > 0)
    cols = sorted(inked[np.argsort(-np.abs(weights[neuron][inked] * three.pixels[inked]))[:4]])
    assert formula_with(played, "a^{(1)} =") == r"a^{(1)} = \sigma\left(W a^{(0)} + b\right)"
    matrix, vector = on_screen(played, Matrix)
    entries = [[e.tex_string for e in row] for row in matrix.get_rows()]
    assert entries == [[f"{weights[r, c]:.3f}".replace("-0.000", "0.000") for c in cols] + [r"\cdots"] for r in rows]
    for row, r in zip(matrix.get_rows(), rows):  # coloured by sign
        for entry, c in zip(row, cols):
            blue, red = (entry.get_color().to_rgb()[i] for i in (2, 0))
            assert (blue > red) == (weights[r, c] > 0), (r, c)
    assert [e.tex_string for e in vector.get_entries()][:4] == [fmt(three.pixels[c]) for c in cols]
    # each row's running sum ends at its real weighted sum over every pixel, then + b, z, f(z)
    sums = sorted(d.get_value() for d in on_screen(played, DecimalNumber))
    assert np.allclose(sums, sorted(weights[r] @ three.pixels for r in rows), atol=1e-9)
    for r in rows:
        for value in (bias[r], three.z[0][r], three.a[1][r]):
            assert fmt(value) in written(played), (r, value)
    result = formula_with(played, "a^{(1)}_")
    assert numbers(result)[-3:] == [float(fmt(three.a[1][r])) for r in rows]


def test_network_is_a_function_shows_the_real_outputs(three):
    from manim import Rectangle

    from nn_explainer.scenes.chapter_one.network_is_a_function import BAR_HEIGHT

    played = scene("NetworkIsAFunction")
    real = formula_with(played, r"\text{this digit}")
    assert numbers(real) == [float(fmt(y)) for y in three.a[-1]]
    bars = sorted((r for r in on_screen(played, Rectangle) if r.width < 0.5), key=lambda r: r.get_x())
    assert np.allclose([bar.height / BAR_HEIGHT for bar in bars], np.maximum(three.a[-1], 0.002), atol=1e-6)
    tallest = bars[three.prediction]
    assert tallest.get_fill_color().to_hex() == style.HIGHLIGHT.to_hex()
    assert "13,002 knobs" in written(played)


def test_relu_draws_the_relu_export():
    played = scene("ReLU")
    relu = read_export(paths.RELU_EXPORT)
    example = relu.example("train:7")
    drawn = fills(played)
    for layer in (1, 2):  # ReLU layers are drawn relative to their brightest neuron
        assert np.allclose(drawn[layer], example.a[layer] / example.a[layer].max(), atol=1e-6)
        assert max(drawn[layer]) == pytest.approx(1.0)
    assert np.allclose(drawn[3], example.a[3], atol=1e-6)  # the sigmoid output as it is
    assert np.allclose(diagram(played).bundles[1].strengths, relu.network.weights[1])


_chapters = {}


def chapter_played(export):
    """The Chapter played once per export for the module: (scene, its sections in order,
    {section: every string written on screen after any animation of it})."""
    if export not in _chapters:
        sections, seen = [], {}

        def look(scene):
            seen.setdefault(sections[-1] if sections else None, set()).update(written(scene))

        played = run_scene(scene_class("Chapter"), on_section=lambda scene, name: sections.append(name),
                           after_play=look, export=export)
        _chapters[export] = played, sections, seen
    return _chapters[export]


def test_chapter_plays_every_beat_with_its_line_as_subtitles():
    """Silent, each beat's one line is its subtitles, cut into cues of two lines of 42."""
    from nn_explainer.scenes.speech.subtitles import written
    from test_subtitles import assert_cues_as_platforms_expect, joined

    played, sections, _ = chapter_played(paths.DEFAULT_EXPORT)
    assert sections == [beat.name for beat in BEATS] + [None]
    cues = [(cue.start.total_seconds(), cue.end.total_seconds(), cue.content)
            for cue in played.renderer.file_writer.subcaptions]
    assert joined(cues) == " ".join(written(beat.narration) for beat in BEATS)
    assert_cues_as_platforms_expect(cues)  # in order, never overlapping, 1-7 s each


@pytest.mark.parametrize("network, never", [("sigmoid", "ReLU"), ("relu", r"\sigma")])
def test_the_chapter_writes_only_the_trained_activation(network, never):
    """Outside the one beat that compares the two, the chapter writes the activation
    the network was trained with, and never the other."""
    export = paths.DEFAULT_EXPORT if network == "sigmoid" else paths.RELU_EXPORT
    _, _, seen = chapter_played(export)
    assert set(seen) >= {beat.name for beat in BEATS}
    for beat, strings in seen.items():
        if beat != "ReLU":
            assert not [s for s in strings if never in s or (never == r"\sigma" and "σ" in s)], beat
    own = r"\sigma" if network == "sigmoid" else r"\mathrm{ReLU}"
    assert any(own in s for s in seen["Sigmoid"]) and any(own in s for s in seen["MatrixForm"])


def test_the_hopes_are_parked_beside_real_second_layer_neurons(export, three):
    """Beside each hoped-for shape, a real layer-2 neuron (the most active for the digit)
    and what it weighs the pixels by, its weights carried back through layer 1."""
    from nn_explainer.scenes.mobjects.heatmap import WeightHeatmap

    drawn, seen = [], set()

    def look(played):
        drawn.extend(m.weights for m in on_screen(played, WeightHeatmap))
        seen.update(written(played))

    run_scene(scene_class("HopedForFeatures"), after_play=look)
    w1, w2 = export.network.weights[0], export.network.weights[1]
    for neuron in np.argsort(-three.a[2])[:3]:
        assert any(np.allclose(pattern, w2[neuron] @ w1) for pattern in drawn), neuron
        assert f"layer 2, neuron {neuron}\na = {fmt(three.a[2][neuron])}" in seen
    assert "hoped for" in seen and "what it really weighs" in seen
