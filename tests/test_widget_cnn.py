"""The live widget on a convolutional network, in a real browser: its forward pass
(convolution, pooling with its padding, flatten, dense, activations) is numpy's
(model/conv_formula.py) on every example to 1e-9, for our CNN and for a small one with
average pooling, strides, padding and a non-square kernel; its maps panel draws the
maps numpy computes; a drawn stroke gets numpy's answer; a malformed network fails
loudly. The MLP widget's own tests are tests/test_widget.py (the same browser)."""
import json

import numpy as np
import pytest

from conftest import run_cli
from nn_explainer.model import conv_export, conv_formula, paths
from nn_explainer.model.conv_schema import INPUT_SHAPE
from nn_explainer.model.schema import read_export
from nn_explainer.publish.widget import clip_style, write_widget
from test_widget import FORWARD_TOLERANCE, draw, open_widget

CNN_EXPORT = paths.EXPORT_DIR / "network-cnn.json"
SMALL_EXAMPLES = 6   # enough digits to cover every class of value; each is a whole forward pass in numpy


@pytest.fixture(scope="module")
def cnn():
    return read_export(CNN_EXPORT, convolutional=True)


@pytest.fixture(scope="module")
def cnn_widget(tmp_path_factory):
    """Our CNN's widget, written by the command line as a user would."""
    folder = tmp_path_factory.mktemp("site") / "widget"
    result = run_cli("widget", "--export", CNN_EXPORT, "--out", folder)
    assert result.returncode == 0, result.stderr
    return folder


def numpy_forward(network, pixels):
    """conv_formula's float64 forward pass, every layer's output flat (channel, row, column)."""
    outputs = conv_formula.forward(network.layers, np.asarray(pixels, dtype=np.float64).reshape(1, *INPUT_SHAPE))
    return [output[0].ravel() for output in outputs]


def check_same_network(page, export):
    results = page.evaluate("""() => nnExplainer.network.examples.map(e =>
        ({id: e.id, pixels: e.pixels, outputs: nnExplainer.forward(e.pixels).map(layer => Array.from(layer))}))""")
    assert [r["id"] for r in results] == [e.id for e in export.examples]
    worst = 0.0
    for result, example in zip(results, export.examples):
        assert np.array_equal(result["pixels"], example.pixels), example.id
        ours = numpy_forward(export.network, example.pixels)
        assert len(result["outputs"]) == len(export.network.layers) + 1
        for layer, (theirs, expected) in enumerate(zip(result["outputs"], ours)):
            assert len(theirs) == expected.size, (example.id, layer)
            difference = np.abs(np.array(theirs) - expected).max()
            assert difference <= FORWARD_TOLERANCE, (example.id, layer)
            worst = max(worst, difference)
        assert int(np.argmax(result["outputs"][-1])) == example.prediction, example.id
    print(f"forward: largest difference from numpy {worst:.1e}")   # docs/widget.md quotes it


def rgb(hex_colour):
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def check_maps_panel(page, export, pixels):
    """What the panel draws for this example: each convolution's maps after its activation,
    the most active 16 of a deeper stack, one colour scale per layer, each pixel's grey
    the value's share of that scale."""
    layout = page.evaluate("() => nnExplainerWidget.layout()")
    outputs = numpy_forward(export.network, pixels)
    style = clip_style()
    layers = export.network.layers
    convolutions = [i for i, layer in enumerate(layers) if isinstance(layer, conv_formula.Conv2d)]
    assert [panel["output"] for panel in layout] == [i + 2 for i in convolutions]   # after the activation
    for row, (panel, i) in enumerate(zip(layout, convolutions)):
        shape = export.network.shapes[i + 1]
        maps = outputs[panel["output"]].reshape(shape)
        assert (panel["count"], panel["height"], panel["width"]) == shape
        assert panel["scale"] == pytest.approx(np.abs(maps).max(), abs=FORWARD_TOLERANCE)
        totals = np.abs(maps).sum(axis=(1, 2))
        expected = sorted(np.argsort(-totals, kind="stable")[:16].tolist())
        assert panel["maps"] == expected
        drawn = page.locator(".nnx-map-row").nth(row)
        assert f"{shape[0]} maps of {shape[1]}×{shape[2]}" in drawn.text_content()
        assert (f"{shape[0] - 16} not drawn" in drawn.text_content()) == (shape[0] > 16)
        shown = expected[-1]
        rgba = drawn.locator(f'canvas[data-map="{shown}"]').evaluate(
            "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)")
        fill = (np.abs(maps[shown]) / panel["scale"]).reshape(-1, 1)
        colour = np.where(maps[shown].reshape(-1, 1) < 0, rgb(style["negative"]), rgb(style["neuron"]))
        expected_rgb = rgb(style["background"]) + (colour - rgb(style["background"])) * fill
        assert np.abs(np.array(rgba).reshape(-1, 4)[:, :3] - expected_rgb).max() <= 0.5 + 1e-6


def test_our_cnn_runs_in_the_browser_as_numpy(chromium, cnn_widget, cnn):
    page = open_widget(chromium, cnn_widget)
    assert page.get_attribute("#widget", "data-ready") == "true", page.text_content("#answer-text")
    check_same_network(page, cnn)
    three = cnn.example("train:7")
    assert page.text_content("#answer") == str(three.prediction)       # the sloppy three, shown first
    bars = [float(v) for v in page.locator(".nnx-value").all_text_contents()]
    assert np.abs(np.array(bars) - numpy_forward(cnn.network, three.pixels)[-1]).max() <= 0.005
    check_maps_panel(page, cnn, three.pixels)
    assert not page.is_visible(".nnx-diagram") and not page.is_visible(".nnx-mode")   # no edges to switch
    assert "conv2d 3×3 pad 1×1" in page.text_content(".nnx-chain")
    page.click('[data-example="test:1"]')
    assert page.text_content("#answer") == str(cnn.example("test:1").prediction)
    check_maps_panel(page, cnn, cnn.example("test:1").pixels)
    page.close()


def test_a_drawn_stroke_gets_numpys_answer(chromium, cnn_widget, cnn):
    page = open_widget(chromium, cnn_widget)
    page.click(".nnx-clear")
    assert page.text_content("#answer") == "?"
    draw(page, [(60, 60), (200, 60), (120, 250)])                     # a seven
    pixels = page.evaluate("() => Array.from(nnExplainerWidget.state.pixels)")
    answer = int(np.argmax(numpy_forward(cnn.network, pixels)[-1]))
    assert page.text_content("#answer") == str(answer)
    assert f"as {answer} " in page.text_content("#answer-text")
    check_maps_panel(page, cnn, pixels)
    page.close()


def small_cnn_export(cnn, path):
    """A CNN no training makes: a 3x2 kernel with stride 2 and padding (1, 0), tanh,
    average pooling 3x3 with stride 2 and padding 1, a second convolution of 20 maps
    (more than the panel draws), max pooling 2x2 with stride 1 and padding 1, two
    dense layers, sigmoid outputs; random weights, its examples computed by the
    exporter from our CNN's digits (the reader re-proves them)."""
    rng = np.random.default_rng(3)
    layers = [conv_formula.Conv2d(rng.normal(0, 0.5, (3, 1, 3, 2)), rng.normal(0, 0.1, 3), (2, 2), (1, 0)),
              conv_formula.Act("tanh"), conv_formula.Pool("avgpool", (3, 3), (2, 2), (1, 1)),
              conv_formula.Conv2d(rng.normal(0, 0.3, (20, 3, 3, 3)), rng.normal(0, 0.1, 20), (1, 1), (1, 1)),
              conv_formula.Act("tanh"), conv_formula.Pool("maxpool", (2, 2), (1, 1), (1, 1)),
              conv_formula.Flatten(), conv_formula.Dense(rng.normal(0, 0.05, (12, 20 * 8 * 8)), rng.normal(0, 0.1, 12)),
              conv_formula.Act("tanh"), conv_formula.Dense(rng.normal(0, 0.5, (10, 12)), rng.normal(0, 0.1, 10)),
              conv_formula.Act("sigmoid")]
    layers = conv_export.rounded_layers(layers)
    examples = [conv_export.example_entry(layers, e.id, e.source, e.pixels, e.label, index=e.index)
                for e in cnn.examples[:SMALL_EXAMPLES]]
    # The reader asks for a training section: ours is borrowed (the page never shows it).
    doc = {"format": "nn-explainer.export", "version": 1, "training": cnn.training,
           conv_export.KEY: conv_export.network_section(layers, [None] * len(layers)), "examples": examples}
    path.write_text(json.dumps(doc))
    return path


def test_avg_pooling_stride_and_padding_as_numpy(chromium, cnn, tmp_path):
    export_path = small_cnn_export(cnn, tmp_path / "small.json")
    small = read_export(export_path, convolutional=True)
    assert small.network.shapes[1:4] == [(3, 14, 14), (3, 14, 14), (3, 7, 7)]
    page = open_widget(chromium, write_widget(export_path, tmp_path / "widget"))   # the API, as a notebook calls it
    assert page.get_attribute("#widget", "data-ready") == "true", page.text_content("#answer-text")
    check_same_network(page, small)
    check_maps_panel(page, small, small.examples[0].pixels)   # tanh: negative values in the negative colour
    assert "avgpool 3×3 stride 2×2 pad 1×1" in page.text_content(".nnx-chain")
    page.close()


def test_an_export_loads_as_it_is_and_a_malformed_network_fails_loudly(chromium, cnn_widget, cnn):
    """use() takes a CNN's export file itself (pixels as base64); a kernel of the wrong
    length or an unknown activation is refused in words, before anything is drawn."""
    page = open_widget(chromium, cnn_widget)
    doc = json.loads(CNN_EXPORT.read_text())
    for example in doc["examples"]:
        del example["maps"]          # the page computes them; the test need not ship 3 MB
    answers = page.evaluate("""doc => { nnExplainer.use(doc);
        return nnExplainer.network.examples.map(e => nnExplainer.predict(e.pixels)); }""", doc)
    assert answers == [e.prediction for e in cnn.examples]
    errors = page.evaluate("""() => {
        const data = window.nnExplainerWeights, layers = data.convnet.layers;
        const attempt = changed => { try { nnExplainer.use({...data, convnet: {...data.convnet, layers: changed}});
                                           return null; } catch (e) { return e.message; } };
        return [attempt(layers.map((l, i) => i === 0 ? {...l, weight: l.weight.slice(8)} : l)),
                attempt(layers.map(l => l.kind === "relu" ? {...l, kind: "swish"} : l)),
                attempt(layers.map(l => l.kind === "conv2d" ? {...l, in_channels: 3} : l))];
    }""")
    assert "convnet.layers[0].weight holds" in errors[0]
    assert "unknown activation" in errors[1] and "swish" in errors[1]
    assert "in_channels is 3" in errors[2]
    page.close()
