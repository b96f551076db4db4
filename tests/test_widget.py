"""The live widget, in a real browser: its network is the export's to 1e-9, its
preprocessing is Python's, a drawn stroke gets Python's answer, and the page asks for
nothing outside its own folder."""
import base64
import http.server
import json
import threading

import numpy as np
import pytest
from PIL import Image

from conftest import assert_clean_failure, run_cli
from nn_explainer.model import formula, paths
from nn_explainer.model.activations import ACTIVATIONS
from nn_explainer.model.digit_image import ink_map, load_digit, mnist_style
from nn_explainer.model.schema import read_export
from nn_explainer.publish.widget import DATA, WIDGET_FILES, write_widget
from nn_explainer.scenes.mobjects.input_blocks import pooled_contributions, pooled_weights
from test_digit_image import draw_three

FORWARD_TOLERANCE = 1e-9
STORED_ROUNDING = 5e-8   # the file's a values have 8 significant digits: relative error below this
PIXEL_TOLERANCE = 1 / 255

READ_PAD = """() => {
  const pad = document.querySelector(".nnx-pad");
  const image = pad.getContext("2d").getImageData(0, 0, pad.width, pad.height);
  let text = "";
  for (const byte of image.data) text += String.fromCharCode(byte);
  return {width: image.width, height: image.height, rgba: btoa(text),
          pixels: Array.from(nnExplainerWidget.state.pixels)};
}"""

PREPROCESS = """([width, height, rgba]) => {
  const bytes = Uint8ClampedArray.from(atob(rgba), c => c.charCodeAt(0));
  const pixels = nnExplainer.preprocess(new ImageData(bytes, width, height));
  return pixels && Array.from(pixels);
}"""


@pytest.fixture(scope="module")
def widget(tmp_path_factory):
    """The default export's widget, written by the command line as a user would."""
    folder = tmp_path_factory.mktemp("site") / "widget"
    result = run_cli("widget", "--out", folder)
    assert result.returncode == 0, result.stderr
    assert '<iframe src="widget/index.html"' in result.stdout
    return folder


@pytest.fixture(scope="module")
def export():
    return read_export(paths.DEFAULT_EXPORT)


def open_widget(chromium, folder, url=None, **options):
    """A fresh page on the widget, once its network has loaded; `requests` lists every URL asked for."""
    page = chromium.new_page(viewport={"width": 960, "height": 640}, **options)
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(url or (folder / "index.html").as_uri())
    page.wait_for_selector("[data-ready]")
    return page


@pytest.fixture
def page(chromium, widget):
    page = open_widget(chromium, widget)
    assert page.get_attribute("#widget", "data-ready") == "true", page.text_content("#answer-text")
    yield page
    page.close()


def python_forward(network, pixels):
    return formula.forward(network.weights, network.biases, network.hidden_activation,
                           network.output_activation, np.asarray(pixels))[1]


def browser_forward(page):
    """The page's forward pass on each of its own examples (pixels as the page holds them)."""
    return page.evaluate("""() => nnExplainer.network.examples.map(e =>
        ({id: e.id, pixels: e.pixels, a: nnExplainer.forward(e.pixels).map(layer => Array.from(layer))}))""")


def check_same_network(results, export):
    assert [r["id"] for r in results] == [e.id for e in export.examples]
    for result, example in zip(results, export.examples):
        assert np.array_equal(result["pixels"], example.pixels), example.id   # no pixel lost on the way
        ours = python_forward(export.network, example.pixels)
        assert len(result["a"]) == len(export.network.sizes)
        for layer, (theirs, recomputed, stored) in enumerate(zip(result["a"], ours, example.a)):
            assert np.abs(np.array(theirs) - recomputed).max() <= FORWARD_TOLERANCE, (example.id, layer)
            np.testing.assert_allclose(theirs, stored, rtol=STORED_ROUNDING, atol=0, err_msg=example.id)
        assert int(np.argmax(result["a"][-1])) == example.prediction, example.id


def test_the_folder_holds_three_files_and_replaces_only_a_widget(widget, tmp_path):
    assert sorted(p.name for p in widget.iterdir()) == sorted(WIDGET_FILES)
    assert run_cli("widget", "--out", widget).returncode == 0          # an old widget is replaced
    assert not [p for p in widget.parent.iterdir() if p.name.startswith(".")]   # no temporary folder left
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    line = assert_clean_failure(run_cli("widget", "--out", mine))
    assert "notes.txt" in line and (mine / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_forward_of_every_example_is_the_exports(page, export):
    check_same_network(browser_forward(page), export)


def test_the_relu_network_and_a_wide_deep_one(chromium, export, tmp_path):
    """Any widths, depths and activations render.py train can make: ReLU, and tanh on a
    wide, deep network whose wide layers are drawn trimmed."""
    relu = tmp_path / "relu"
    write_widget(paths.RELU_EXPORT, relu)
    page = open_widget(chromium, relu)
    check_same_network(browser_forward(page), read_export(paths.RELU_EXPORT))
    page.close()

    wide_export = tmp_path / "wide.json"
    wide_export.write_text(json.dumps(wide_network(export, sizes=[784, 40, 24, 12, 10])))
    wide = write_widget(wide_export, tmp_path / "wide")
    page = open_widget(chromium, wide)
    exported = read_export(wide_export)
    check_same_network(browser_forward(page), exported)
    layout = page.evaluate("() => nnExplainerWidget.layout()")
    drawn = [len(layer["neurons"]) for layer in layout["layers"]]
    assert drawn == [16, 16, 16, 12, 10]
    assert [layer["count"] for layer in layout["layers"]] == [784, 40, 24, 12, 10]
    assert [layer["ellipsis"] is not None for layer in layout["layers"]] == [True, True, True, False, False]
    shown = exported.examples[0]
    for layer in (1, 2):   # a wide layer shows its 16 most active neurons (largest |a|), in order
        activations = shown.a[layer]
        expected = sorted(np.argsort(-np.abs(activations), kind="stable")[:16].tolist())
        assert layout["layers"][layer]["neurons"] == expected
        drawn = layout["layers"][layer]["values"]   # fill = a, negative tanh values kept negative
        assert np.abs(np.array(drawn) - activations[expected]).max() <= 1e-7
    page.close()


def wide_network(export, sizes, output="sigmoid"):
    """An export of a random tanh network of these sizes, its examples computed by the formula."""
    rng = np.random.default_rng(5)
    weights = [rng.normal(0, 1 / np.sqrt(n), (m, n)) for n, m in zip(sizes, sizes[1:])]
    biases = [rng.normal(0, 0.1, m) for m in sizes[1:]]
    examples = []
    for example in export.examples[:3]:
        zs, activations = formula.forward(weights, biases, "tanh", output, example.pixels)
        examples.append({"id": example.id, "source": example.source, "index": example.index, "label": example.label,
                         "pixels": example.pixels.tolist(), "z": [z.tolist() for z in zs],
                         "a": [a.tolist() for a in activations], "prediction": int(np.argmax(activations[-1]))})
    return {"format": "nn-explainer.export", "version": 1, "training": export.training, "examples": examples,
            "network": {"sizes": sizes, "hidden_activation": "tanh", "output_activation": output,
                        "weights": [w.tolist() for w in weights], "biases": [b.tolist() for b in biases]}}


def test_softmax_outputs_as_an_imported_network_has_them(chromium, export, tmp_path):
    """A network trained elsewhere with CrossEntropyLoss (render.py import): its outputs are
    the softmax of the last layer's z, computed over the whole layer, drawn as they are."""
    softmax_export = tmp_path / "softmax.json"
    softmax_export.write_text(json.dumps(wide_network(export, sizes=[784, 20, 10], output="softmax")))
    page = open_widget(chromium, write_widget(softmax_export, tmp_path / "softmax"))
    results = browser_forward(page)
    check_same_network(results, read_export(softmax_export))
    assert all(abs(sum(r["a"][-1]) - 1) < 1e-12 for r in results)
    outputs = page.evaluate("() => nnExplainerWidget.layout()")["layers"][-1]["values"]
    assert np.abs(np.array(outputs) - read_export(softmax_export).examples[0].a[-1]).max() <= 1e-7
    page.close()


def test_every_activation_python_knows_the_browser_computes_alike(page):
    z = np.linspace(-30, 30, 601)
    names = page.evaluate("() => Object.keys(nnExplainer.activations)")
    for name, activation in ACTIVATIONS.items():
        assert name in names, f"nn-explainer.js does not implement the activation {name!r}"
        # each takes a whole layer's z (softmax reads them all): here 601 of them
        theirs = page.evaluate("([name, z]) => Array.from(nnExplainer.activations[name](z))", [name, z.tolist()])
        assert np.abs(np.array(theirs) - activation(z)).max() <= 1e-15, name


def test_an_unknown_activation_fails_loudly(page, chromium, widget, tmp_path):
    error = page.evaluate("""() => { try {
        nnExplainer.use({...window.nnExplainerWeights, network: {...nnExplainerWeights.network, hidden_activation: "swish"}});
        return null; } catch (e) { return e.message; } }""")
    assert error and "unknown activation" in error and "swish" in error
    broken = tmp_path / "widget"
    broken.mkdir()
    for name in WIDGET_FILES:
        text = (widget / name).read_text()
        (broken / name).write_text(text.replace('"hidden_activation":"sigmoid"', '"hidden_activation":"swish"')
                                   if name == DATA else text)
    other = open_widget(chromium, broken)
    assert other.get_attribute("#widget", "data-ready") == "error"
    assert "unknown activation" in other.text_content("#answer-text")
    other.close()


def sample_images(tmp_path):
    """Test digits on disk: the kinds model/digit_image.py handles, with their Python pixels."""
    images = {
        "dark-on-light": draw_three(),
        "light-on-dark": draw_three(ink=(250, 250, 250), paper=(10, 10, 10)),
        "canvas-export": draw_three(ink=(0, 0, 0, 255), paper=(0, 0, 0, 0), mode="RGBA"),
        "greyscale": draw_three(size=(180, 140), ink=0, paper=255, offset=(20, 10), mode="L"),
        "thin-tall-one": Image.new("L", (60, 200), 255),
    }
    images["thin-tall-one"].paste(0, (26, 20, 33, 180))
    for name, image in images.items():
        path = tmp_path / f"{name}.png"
        image.save(path)
        yield name, path


def test_preprocess_is_pythons(page, export, tmp_path):
    worst = 0.0
    for name, path in sample_images(tmp_path):
        with Image.open(path) as image:
            rgba = image.convert("RGBA")
        theirs = page.evaluate(PREPROCESS, [rgba.width, rgba.height, base64.b64encode(rgba.tobytes()).decode()])
        ours = load_digit(path)
        difference = np.abs(np.array(theirs) - ours).max()
        worst = max(worst, difference)
        assert difference <= PIXEL_TOLERANCE, name
        answer = page.evaluate("pixels => nnExplainer.predict(pixels)", theirs)
        assert answer == int(np.argmax(python_forward(export.network, ours)[-1])), name
    print(f"preprocess: largest difference from Python {worst:.2e}")   # docs/widget.md quotes it
    blank = Image.new("RGB", (50, 50), (255, 255, 255))
    assert page.evaluate(PREPROCESS, [50, 50, base64.b64encode(blank.convert("RGBA").tobytes()).decode()]) is None


def draw(page, points):
    """A stroke of synthetic pointer events, through the mouse."""
    box = page.locator(".nnx-pad").bounding_box()
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=3)
    page.mouse.up()


def check_answer_is_pythons(page, export):
    """The displayed answer is Python's for the page's own pixels, and those pixels are
    Python's preprocessing of the pad as drawn."""
    pad = page.evaluate(READ_PAD)
    drawn = Image.frombytes("RGBA", (pad["width"], pad["height"]), base64.b64decode(pad["rgba"]))
    assert np.abs(np.array(pad["pixels"]) - mnist_style(ink_map(drawn))).max() <= PIXEL_TOLERANCE
    python_answer = int(np.argmax(python_forward(export.network, pad["pixels"])[-1]))
    assert page.text_content("#answer") == str(python_answer)
    assert f"as {python_answer} " in page.text_content("#answer-text")   # the screen reader hears it too
    return python_answer


def test_a_drawn_stroke_gets_pythons_answer(page, export):
    assert page.text_content("#answer") == "3"          # the sloppy three, shown first
    page.click(".nnx-clear")
    assert page.text_content("#answer") == "?"
    draw(page, [(140, 40), (140, 250)])                 # a one
    assert page.text_content("#answer") not in ("3", "?")
    check_answer_is_pythons(page, export)
    before = page.text_content("#answer")
    draw(page, [(60, 60), (200, 60), (120, 250)])       # a seven drawn over it
    assert page.text_content("#answer") != before
    check_answer_is_pythons(page, export)


def test_touch_and_pen_draw_too(chromium, widget, export):
    page = open_widget(chromium, widget, has_touch=True)
    page.click(".nnx-clear")
    box = page.locator(".nnx-pad").bounding_box()
    left, top = box["x"], box["y"]
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": left + 140, "y": top + 40}]})
    for y in range(60, 260, 20):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": left + 140, "y": top + y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    touched = check_answer_is_pythons(page, export)
    page.click(".nnx-clear")
    pen = [(60, 60), (200, 60), (200, 60), (120, 250)]
    for kind, (x, y) in zip(["mousePressed", "mouseMoved", "mouseMoved", "mouseMoved"], pen):
        cdp.send("Input.dispatchMouseEvent", {"type": kind, "x": left + x, "y": top + y, "button": "left",
                                              "buttons": 1, "clickCount": 1, "pointerType": "pen"})
    cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": left + 120, "y": top + 250,
                                          "button": "left", "clickCount": 1, "pointerType": "pen"})
    assert check_answer_is_pythons(page, export) != touched
    page.close()


def test_keyboard_reaches_every_control_and_the_answer_is_announced(page, export):
    reached = []
    for _ in range(8):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("() => document.activeElement.textContent || document.activeElement.value"))
    assert reached[:3] == ["Clear", "weight", "the sloppy three"], reached
    page.focus('[data-example="test:1"]')
    page.keyboard.press("Enter")
    example = export.example("test:1")
    assert page.text_content("#answer") == str(example.prediction)
    assert page.get_attribute("#answer-text", "aria-live") == "polite"
    assert f"reads test:1 (a {example.label}) as {example.prediction}" in page.text_content("#answer-text")


def test_edges_by_weight_or_by_contribution_as_the_clips(page, export):
    example = export.example("train:7")
    network = export.network
    for mode, pooled in (("weight", pooled_weights(network.weights[0])),
                         ("contribution", pooled_contributions(network.weights[0], example.pixels))):
        page.check(f'input[value="{mode}"]')
        layout = page.evaluate("() => nnExplainerWidget.layout()")
        first = np.zeros((16, 16))
        for edge in layout["bundles"][0]["edges"]:
            first[edge["to"], edge["from"]] = edge["strength"]
        assert np.abs(first - pooled).max() <= FORWARD_TOLERANCE, mode
        second = np.zeros((16, 16))
        for edge in layout["bundles"][1]["edges"]:
            second[edge["to"], edge["from"]] = edge["strength"]
        hidden = python_forward(network, example.pixels)[1]
        expected = network.weights[1] * (hidden[None, :] if mode == "contribution" else 1)
        assert np.abs(second - expected).max() <= FORWARD_TOLERANCE, mode


def test_no_request_leaves_the_folder(chromium, widget):
    page = open_widget(chromium, widget)
    page.click('[data-example="test:0"]')
    draw(page, [(100, 100), (180, 200)])
    folder = widget.as_uri() + "/"
    assert page.requests and all(url.startswith(folder) for url in page.requests), page.requests
    page.close()
    # And from a static web server, which also sees what the browser asks for by itself
    # (a favicon, say), beyond what the page's scripts request.
    asked = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(widget.parent), **kwargs)

        def log_message(self, *args):
            asked.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        root = f"http://127.0.0.1:{server.server_port}/{widget.name}/"
        page = open_widget(chromium, widget, url=root + "index.html")
        assert page.get_attribute("#widget", "data-ready") == "true"
        page.click('[data-example="test:0"]')
        page.close()
    finally:
        server.shutdown()
    assert sorted(asked) == sorted(f"/{widget.name}/{name}" for name in WIDGET_FILES)
