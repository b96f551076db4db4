"""The convolution chapter's last four beats, read back from the screen (scene state, no
frames): SecondConvolution's written sum is the export's map value; IntoTheDenseLayers'
dense drawing fills to the export's activations; WhatKernelsLookFor's shares and verdict
equal an independent recomputation; KernelsLearning's dots sit at the snapshots' test
accuracies. Each for our CNN and for pytorch/examples' CNN shape (32 and 64 maps,
random weights, exported here on a small MNIST: 5,001 training and 200 test digits, so the
export's accuracies take seconds, not minutes), where KernelsLearning is refused.
And every beat of the chapter for every CNN of the zoo, in both layouts: played to its
end, saying its script, legible, nothing overlapping or outside the frame."""
import re

import numpy as np
import pytest

from nn_explainer.model import paths
from nn_explainer.model.errors import UserError
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes.beat import check_beats
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.outline import MLP, OURS, SCENES, scene_class, why_not
from nn_explainer.scenes.settings import Settings
from nn_explainer.scenes.story import Story
from scene_state import fills, on_screen, run_scene, watch_sentences, written
from test_script import UNSPEAKABLE
from test_edge_fit import edge_by_cells, explained_by_least_squares

OUR_CNN = paths.EXPORT_DIR / "network-cnn.json"
BEATS = ("SecondConvolution", "IntoTheDenseLayers", "WhatKernelsLookFor", "KernelsLearning")


@pytest.fixture(scope="module", params=["ours", "examples"])
def network(request):
    """(export path, story) for each CNN."""
    path = request.getfixturevalue("cnn_zoo")[request.param]  # pytorch/examples' Net: tests/cnn_zoo.py
    return path, Story.read(Settings(export=path))


_plays = {}


def play(path, beat: str, layout: str = "video", keep: bool = True):
    """The beat played once to its end for this export and layout: its scene, with `seen`
    (every string written after any animation), `sentences` (whether the frame showed
    something as each sentence began, scene_state) and `problems` (test_layout's rules,
    after every animation). Kept for the module unless `keep` is false, so that the
    value tests and the zoo test share a play."""
    from test_layout import LAYOUT_PIXELS_PER_UNIT, problems_now

    key = (str(path), beat, layout)
    if key in _plays:
        return _plays[key] if keep else _plays.pop(key)
    seen, record, found = set(), [], set()

    def look(scene):
        seen.update(written(scene))
        found.update(problems_now(scene, LAYOUT_PIXELS_PER_UNIT[layout]))

    scene = run_scene(scene_class(beat), export=path, layout=layout, after_play=look,
                      before_render=lambda scene: record.append(watch_sentences(scene)))
    scene.seen, scene.sentences, scene.problems = seen, record[0], found
    if keep:
        _plays[key] = scene
    return scene


@pytest.fixture(scope="module")
def played(network):
    """Each drawable beat played once to its end for this network: {beat: scene} (`play`)."""
    path, story = network
    return {beat: play(path, beat) for beat in BEATS if why_not(beat, _drawn(story)) is None}


def _drawn(story):
    from nn_explainer.scenes.outline import Drawn

    return Drawn.of(story.export)


def window_sum(inputs, kernels, bias, row, col, padding):
    """One output value of a stride-1 convolution by hand: every input map's window
    times its kernel, summed, plus the bias (zero outside the map)."""
    padded = np.pad(inputs, ((0, 0), (padding, padding), (padding, padding)))
    kh, kw = kernels.shape[1:]
    return sum(float((padded[c, row:row + kh, col:col + kw] * kernels[c]).sum()) for c in range(len(inputs))) + bias


def test_second_convolution_writes_the_sum_that_is_the_exports_value(network, played):
    path, story = network
    net, example = story.network, story.example
    convs = [i for i, layer in enumerate(net.layers) if layer.kind == "conv2d"]
    layer = convs[1]
    channel = int(np.argmax(example.maps[layer + 1].sum(axis=(1, 2))))   # relu follows: the most active map
    exported = example.maps[layer][channel]
    row, col = np.unravel_index(int(np.argmax(exported)), exported.shape)
    conv = net.layers[layer]
    by_hand = window_sum(example.maps[layer - 1], conv.weight[channel], conv.bias[channel], row, col, conv.padding[0])
    assert by_hand == pytest.approx(exported[row, col], abs=1e-5)

    scene = played["SecondConvolution"]
    shown = written(scene)
    assert f"map {channel} at row {row}, column {col}" in shown
    total_line, = [text for text in shown if "=" in text and text.count(".") > 3]
    written_numbers = re.findall(r"-?\d+\.\d+", total_line)
    *terms, total = (float(n) for n in written_numbers)
    assert total == float(fmt(exported[row, col], 3))            # the written value is the export's
    rounding = sum(0.5 * 10.0 ** -len(n.split(".")[1]) for n in written_numbers)   # each written to its last digit
    assert sum(terms) == pytest.approx(total, abs=rounding)       # and the written terms add up to it
    in_channels = conv.weight.shape[1]
    assert (f"{in_channels - 8} more" in shown) == (in_channels > 8)


def test_the_dense_drawing_fills_to_the_exports_activations(network, played):
    path, story = network
    net, example = story.network, story.example
    flatten = next(i for i, layer in enumerate(net.layers) if layer.kind == "flatten")
    dense = [i for i, layer in enumerate(net.layers) if layer.kind == "dense"]
    scene = played["IntoTheDenseLayers"]
    drawn = fills(scene)
    columns = [example.maps[flatten]] + [example.maps[i + 1] for i in dense]   # each dense layer after its activation
    assert len(drawn) == len(columns)
    from scene_state import diagram

    for values, fill, layer in zip(columns, drawn, diagram(scene).layers):
        expected = values[layer.indices]
        if values is not columns[-1]:   # ReLU's values have no top: drawn relative to the largest
            expected = expected / values.max()
            assert len(layer.indices) == min(16, len(values))
            assert set(layer.indices) == set(np.argsort(-values, kind="stable")[:len(layer.indices)])
        assert np.allclose(fill, expected, atol=1e-6)
    answer = int(example.prediction)
    probability = float(example.maps[-1][answer])
    shown = written(scene)
    words = "over 99.9%" if spoken.percent_text(probability).startswith("100") else spoken.percent_text(probability)
    assert f"answer: {answer}, probability {words}" in shown
    assert f"{example.maps[flatten].size:,} numbers" in shown
    assert fmt(probability) in shown   # the answer's box writes its output


def test_the_kernels_verdict_is_an_independent_recomputation(network, played):
    path, story = network
    conv = next(layer for layer in story.network.layers if layer.kind == "conv2d")
    kernels = conv.weight[:, 0]
    angles = np.arange(36) * np.pi / 36
    shares = [max(explained_by_least_squares(k, edge_by_cells(*k.shape, a)) for a in angles) for k in kernels]
    scene = played["WhatKernelsLookFor"]
    shown = written(scene)
    percents = [text for text in shown if re.fullmatch(r"\d+%", text)]
    assert percents == [f"{s * 100:.0f}%" for s in shares]
    mostly = sum(s > 0.5 for s in shares)
    verdict = next(text for text in shown if "mostly an edge" in text and "random" not in text)
    assert (f"{mostly} of {len(kernels)} kernels" in verdict) if 0 < mostly < len(kernels) else True
    assert f"mean share {np.mean(shares) * 100:.0f}%" in verdict


def test_kernels_learning_draws_each_snapshots_accuracy(network, played):
    path, story = network
    if not story.export.trained_here:
        assert "KernelsLearning" not in played
        with pytest.raises(UserError, match="KernelsLearning draws our training run"):
            check_beats(["KernelsLearning"], Settings(export=path))
        return
    from manim import Axes, Dot

    accuracies = [(epoch, snapshot.training["test_accuracy"]) for epoch, snapshot in story.snapshots]
    assert [epoch for epoch, _ in accuracies] == [0, 1, 2, 3]
    scene = played["KernelsLearning"]
    axes, = on_screen(scene, Axes)
    dots = sorted((tuple(axes.p2c(dot.get_center())) for dot in on_screen(scene, Dot)
                   if dot.radius == pytest.approx(0.08)))
    assert len(dots) == len(accuracies)
    for (x, y), (epoch, accuracy) in zip(dots, accuracies):
        assert x == pytest.approx(epoch, abs=1e-6) and y == pytest.approx(accuracy, abs=1e-6)
    for epoch, accuracy in accuracies:
        assert any(text.startswith(f"epoch {epoch}: test accuracy {spoken.percent_text(accuracy)}")
                   for text in scene.seen)
    # the kernel drawn at the end is the trained one: its picture's cells, one scale for every snapshot
    from nn_explainer.scenes.mobjects.heatmap import heat_levels, level_opacity
    from nn_explainer.scenes.mobjects.signed_map import SignedMap

    kernel_index = int(np.argmax([max(explained_by_least_squares(k, edge_by_cells(*k.shape, a))
                                      for a in np.arange(36) * np.pi / 36)
                                  for k in story.network.layers[0].weight[:, 0]]))
    picture, = [m for m in on_screen(scene, SignedMap)]
    kernels = [s.network.layers[0].weight[kernel_index, 0] for _, s in story.snapshots]
    scale = max(np.abs(k).max() for k in kernels)
    assert np.allclose(picture.drawn_alpha(), np.rint(255 * level_opacity(heat_levels(kernels[-1], scale))) / 255)
    assert f"kernel {kernel_index} of the first layer, as it learned" in scene.seen


def test_each_beat_says_its_script_and_what_is_true_of_the_network(network, played):
    path, story = network
    for beat, scene in played.items():
        module = __import__(SCENES[beat].module, fromlist=["script"])
        assert [s.text for s in scene.narrator.spoken] == list(module.script(story).values()), beat
        assert scene.sentences and all(shown for _, shown in scene.sentences), beat   # each over a picture
        assert not any(UNSPEAKABLE.search(sentence) for sentence in module.script(story).values()), beat
    first = next(layer for layer in story.network.layers if layer.kind == "conv2d")
    said = " ".join(played["WhatKernelsLookFor"].narrator.said_since(0))
    assert f"all {spoken.integer(len(first.weight))} first-layer kernels" in said
    flat = next(shape for shape in story.network.shapes if len(shape) == 1)[0]
    assert f"makes {spoken.integer(flat)} numbers" in " ".join(played["IntoTheDenseLayers"].narrator.said_since(0))


def test_the_beats_are_refused_for_an_mlp():
    for beat in BEATS:
        assert why_not(beat, OURS) is not None and MLP not in SCENES[beat].kinds


@pytest.mark.parametrize("layout", ["video", "post"])
def test_a_5x5_kernel_is_written_whole_and_its_products_add_up(cnn_zoo, layout):
    """The average-pooling net's 5x5 kernels (tests/cnn_zoo.py): OneKernel writes all 25
    weights and SlidingWindow's products, on pages of whole kernel rows in the post
    layout, add up to the map's value, in both layouts. (They were shrunk to 6-9 px to
    fit, in rows of five: the zoo test below holds them to test_layout's rules.)"""
    from nn_explainer.scenes.speech.spoken import figures
    from test_convolutions import first_conv, peak_channel, written_products

    path = cnn_zoo["avgpool"]
    story = Story.read(Settings(export=path, layout=layout))
    conv = story.network.layers[first_conv(story)]
    assert conv.weight.shape[2:] == (5, 5)
    channel, _, _ = peak_channel(story)
    assert {figures(w, 3) for w in conv.weight[channel, 0].reshape(-1)} <= play(path, "OneKernel", layout).seen
    written_products(story, play(path, "SlidingWindow", layout).seen)


@pytest.mark.parametrize("layout", ["video", "post"])
@pytest.mark.parametrize("name", ["ours", "examples", "avgpool", "strided", "batchnorm"])
def test_every_beat_of_the_chapter_plays_legibly_and_says_its_script_for_every_cnn(name, layout, cnn_zoo):
    """Issue 31's zoo: ours, pytorch/examples' (both also tested value by value above),
    average pooling with 5x5 kernels, stride 2 with padding 1, a folded BatchNorm2d. Every
    beat the chapter plays for it runs to its end in both layouts and says its own script,
    each sentence over a picture; and after every animation test_layout's rules hold:
    capitals at least 10 px in that layout's smallest picture (the 480p clip, the 480x270
    GIF), no two texts overlapping, nothing outside the frame."""
    from nn_explainer.scenes.beat import beat_module
    from nn_explainer.scenes.outline import Drawn, beats_of
    path = cnn_zoo[name]
    story = Story.read(Settings(export=path, layout=layout))
    beats = beats_of("ChapterConv", Drawn.of(story.export))
    assert beats[0] == "ForwardPass" and "SlidingWindow" in beats
    assert ("KernelsLearning" in beats) == (name == "ours")   # the others are imported: no run to tell
    problems = {}
    for beat in beats[1:]:   # ForwardPass: test_forward_pass_cnn plays it for the zoo in both layouts
        scene = play(path, beat, layout, keep=False)
        assert scene.renderer.time > 0 and scene.mobjects, (name, beat)   # a net without pooling: Pooling says so
        script = list(beat_module(beat).script(story).values())
        assert [s.text for s in scene.narrator.spoken] == script, (name, beat)
        assert scene.sentences and all(shown for _, shown in scene.sentences), (name, beat)
        if scene.problems:
            problems[beat] = sorted(scene.problems)
    assert not problems, problems
