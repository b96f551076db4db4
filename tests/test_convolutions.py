"""The convolution chapter's first beats (OneKernel, SlidingWindow, FeatureMaps, Pooling),
read from the scene as a viewer sees it, for our CNN and for one of pytorch/examples'
shape (32 and 64 maps): the kernel's written numbers and heatmap are its weights; the
window's written products and sum plus bias are the map's value as exported; ReLU's
count is numpy's count of the negatives it zeroes; the kept pooled value is the pooled
map's. Each beat is played once per network (module-scoped) and asserted on many times."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, run_cli
from scene_state import numbers, on_screen, run_scene, watch_sentences, written

OURS = REPO / "assets" / "export" / "network-cnn.json"
BEATS = ("OneKernel", "SlidingWindow", "FeatureMaps", "Pooling")


@pytest.fixture(scope="module", params=["ours", "examples"])
def played(request):
    """(export, story, {beat: (scene, every string written after any animation, [(sentence,
    whether the frame showed something as it began)])})."""
    from nn_explainer.scenes.outline import scene_class
    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.story import Story

    path = request.getfixturevalue("cnn_zoo")[request.param]  # pytorch/examples' Net: tests/cnn_zoo.py
    story = Story.read(Settings(export=path))
    scenes = {}
    for beat in BEATS:
        seen: set[str] = set()
        record = []
        scene = run_scene(scene_class(beat), after_play=lambda s: seen.update(written(s)),
                          before_render=lambda s: record.append(watch_sentences(s)), export=path)
        scenes[beat] = (scene, seen, record[0])
    return path, story, scenes


def first_conv(story) -> int:
    return next(i for i, layer in enumerate(story.network.layers) if layer.kind == "conv2d")


def peak_channel(story):
    """The first convolution's map with the highest value, and where (numpy on the export)."""
    maps = story.example.maps[first_conv(story)]
    channel = int(np.argmax(maps.reshape(len(maps), -1).max(axis=1)))
    row, col = np.unravel_index(int(np.argmax(maps[channel])), maps[channel].shape)
    return channel, int(row), int(col)


def test_one_kernel_writes_and_draws_the_chosen_kernels_weights_and_bias(played):
    from manim import ImageMobject
    from manim.utils.color import ManimColor

    from nn_explainer.scenes import style
    from nn_explainer.scenes.speech.spoken import figures

    _, story, scenes = played
    scene, seen, _ = scenes["OneKernel"]
    channel, _, _ = peak_channel(story)
    conv = story.network.layers[first_conv(story)]
    weights, bias = conv.weight[channel, 0], float(conv.bias[channel])
    shown = Counter(written(scene))
    assert not Counter(figures(w, 3) for w in weights.reshape(-1)) - shown   # every weight written, as often as it is
    assert any(text.startswith(f"kernel {channel}:") for text in shown)
    assert any(numbers(text) == [figures(bias, 3)] or figures(bias, 3) in text for text in shown if "bias" in text)
    # the heatmap: one picture of kh x kw pixels, each the weight's sign colour, brighter for a larger |w|
    pictures = [m for m in on_screen(scene, ImageMobject) if m.pixel_array.shape[:2] == weights.shape]
    assert len(pictures) == 1
    drawn = pictures[0].pixel_array
    blue, red = (np.array(ManimColor(c).to_int_rgb()) for c in (style.POSITIVE, style.NEGATIVE))
    for (row, col), weight in np.ndenumerate(weights):
        assert (drawn[row, col, :3] == (blue if weight >= 0 else red)).all()
    magnitude = np.abs(weights).reshape(-1)
    alpha = drawn[..., 3].reshape(-1).astype(int)
    order = np.argsort(magnitude)
    assert (np.diff(alpha[order]) >= 0).all() and alpha[np.argmax(magnitude)] == 255   # the largest |w| at full strength


def written_products(story, seen) -> float:
    """Assert that the products written (one formula, or for a large kernel several pages
    of whole kernel rows, each with its sum, then those sums added up) are every weight
    times the pixel under it, in the window's order, and add up as written; the sum of
    the products, as exported."""
    from itertools import permutations

    from nn_explainer.scenes.speech.spoken import figures

    layer = first_conv(story)
    conv = story.network.layers[layer]
    channel, row, col = peak_channel(story)
    kh, kw = conv.weight.shape[2:]
    (ph, pw), (sh, sw) = conv.padding, conv.stride
    padded = np.pad(story.example.pixels.reshape(28, 28), ((ph, ph), (pw, pw)))
    under = padded[row * sh:row * sh + kh, col * sw:col * sw + kw]
    weights = conv.weight[channel, 0]
    expected = [float(figures(x, d)) for w, p in zip(weights.reshape(-1), under.reshape(-1))
                for x, d in ((w, 3), (p, 2))]
    pages = [numbers(text.replace(r"\cdot", " ")) for text in seen if r"\cdot" in text]
    order = next((pages for pages in permutations(pages) if sum(pages, []) == expected), None)
    assert order is not None and all(len(page) % (2 * kw) == 0 for page in order)   # whole kernel rows
    total = float((weights * under).sum())
    sums = sorted(numbers(text) for text in seen if text.startswith("= "))
    if len(order) == 1:
        assert sums == [[float(figures(total))]]
        return total
    first, partials = 0, []
    for page in order:   # each page's own sum, written under it
        rows = len(page) // (2 * kw)
        partials.append(float(figures(float((weights[first:first + rows] * under[first:first + rows]).sum()))))
        first += rows
    assert sums == sorted([value] for value in partials)
    added = next(text for text in seen if numbers(text)[:len(partials)] == partials and " = " in text)
    assert numbers(added) == partials + [float(figures(total))]
    assert abs(sum(partials) - total) <= 0.005 * len(partials) + 0.005   # they add up, to their rounding
    return total


def test_sliding_window_writes_products_whose_sum_plus_bias_is_the_exported_map_value(played):
    from nn_explainer.scenes.mobjects.feature_maps import MapPicture
    from nn_explainer.scenes.speech.spoken import figures

    _, story, scenes = played
    scene, seen, _ = scenes["SlidingWindow"]
    layer = first_conv(story)
    conv = story.network.layers[layer]
    channel, row, col = peak_channel(story)
    value = float(story.example.maps[layer][channel, row, col])
    total = written_products(story, seen)
    with_bias = next(text for text in seen if "plus the bias" in text)
    written_sum, written_bias, written_value = numbers(with_bias)
    assert written_value == float(figures(value))        # the export's own number
    assert abs(written_sum + written_bias - value) <= 0.011  # the written parts add up to it, to their rounding
    assert abs(total + float(conv.bias[channel]) - value) < 1e-5
    # the map, filled in: one picture, every value drawn (the layer's scale)
    maps = [m for m in on_screen(scene, MapPicture)]
    assert len(maps) == 1 and maps[0].values.shape == story.example.maps[layer].shape[1:]
    assert np.array_equal(maps[0].values, story.example.maps[layer][channel])
    assert np.array_equal(maps[0].image.pixel_array, maps[0].full)


def test_feature_maps_counts_the_values_relu_zeroes_as_numpy_does(played):
    from nn_explainer.scenes.mobjects.feature_maps import MapMosaic

    _, story, scenes = played
    scene, seen, _ = scenes["FeatureMaps"]
    layer = first_conv(story)
    before, after = story.example.maps[layer], story.example.maps[layer + 1]
    assert story.network.layers[layer + 1].kind == "relu"
    zeroed, total = int(np.count_nonzero(before < 0)), before.size
    assert np.count_nonzero(after == 0) >= zeroed
    count = next(text for text in seen if "zeroed" in text)
    assert numbers(count.split("zeroed")[1])[:2] == [zeroed, total]
    assert any("one scale for the layer" in text for text in seen)
    mosaic, = on_screen(scene, MapMosaic)
    shown = min(len(before), 32)
    assert len(mosaic.maps) == shown
    for index in range(shown):   # after ReLU, a zero is drawn as nothing, every other value is drawn
        drawn_alpha = mosaic.tile(index)[..., 3]
        channel = next(c for c in range(len(after)) if np.array_equal(after[c], mosaic.maps[index]))
        assert ((drawn_alpha == 0) == (after[channel] == 0)).all()


def test_pooling_keeps_the_pooled_maps_value(played):
    from nn_explainer.model.conv_formula import Pool
    from nn_explainer.scenes.speech.spoken import figures

    _, story, scenes = played
    scene, seen, _ = scenes["Pooling"]
    index = next(i for i, layer in enumerate(story.network.layers) if isinstance(layer, Pool))
    pool = story.network.layers[index]
    before, after = story.example.maps[index - 1], story.example.maps[index]
    label = next(text for text in seen if text.startswith("map ") and "x" in text)
    channel = int(numbers(label)[0])
    kept = next(text for text in seen if text.startswith(r"\max"))
    value = numbers(kept)[0]
    assert value == float(figures(after[channel].max()))
    # the window it comes from: the four values written, and their largest is that pooled value
    row, col = np.unravel_index(int(np.argmax(after[channel])), after[channel].shape)
    (kh, kw), (sh, sw) = pool.kernel, pool.stride
    window = before[channel, row * sh:row * sh + kh, col * sw:col * sw + kw]
    assert float(window.max()) == pytest.approx(float(after[channel, row, col]), abs=1e-6)
    assert not Counter(figures(v) for v in window.reshape(-1)) - Counter(seen_text for seen_text in seen)
    assert any(f"{after.size:,} values, from {before.size:,}" in text for text in seen)


def test_every_sentence_is_said_over_a_picture(played):
    _, story, scenes = played
    for beat, (_, _, record) in scenes.items():
        assert len(record) >= 3 and all(shown for _, shown in record), (beat, [s for s, shown in record if not shown])


def test_the_chapter_script_says_every_beats_sentences():
    from nn_explainer.scenes.speech import spoken
    from nn_explainer.scenes.beat import beat_module
    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.story import Story

    result = run_cli("script", "ChapterConv", "--export", OURS)
    assert result.returncode == 0, result.stderr
    heads = [line[3:] for line in result.stdout.splitlines() if line.startswith("## ")]
    assert heads[:5] == ["ForwardPass", *BEATS]
    story = Story.read(Settings(export=OURS))
    for beat in BEATS:
        for sentence in beat_module(beat).script(story).values():
            assert sentence in result.stdout.splitlines()
    negatives = int(np.count_nonzero(story.example.maps[first_conv(story)] < 0))
    assert f"it zeroes {spoken.integer(negatives)}:" in result.stdout


def test_the_chapter_lists_its_beats_and_refuses_an_mlp():
    from nn_explainer.scenes.outline import CHAPTERS, OURS as MLP_DRAWN, Drawn, beats_of

    assert tuple(beat.name for beat in CHAPTERS["ChapterConv"])[:5] == ("ForwardPass", *BEATS)  # the whole pass first
    assert beats_of("ChapterConv", Drawn(convolutional=True))[:5] == ("ForwardPass", *BEATS)
    assert beats_of("Chapter", Drawn(convolutional=True)) == ()  # chapter one's beats draw an MLP's neurons
    assert beats_of("ChapterConv", MLP_DRAWN) == ()


def test_a_chapter_of_the_other_kind_is_refused_in_one_line(tmp_path):
    """Chapter one tells an MLP's story, the convolution chapter a CNN's: each refuses the
    other's export in one line, to render and to script, and writes nothing."""
    from conftest import assert_clean_failure

    for scene, export, said in (("Chapter", OURS, "Chapter draws a multilayer perceptron's"),
                                ("ChapterConv", REPO / "assets" / "export" / "network.json",
                                 "ChapterConv draws a convolutional network's")):
        for command in (["render", scene, "--media-dir", tmp_path / "media"], ["script", scene]):
            line = assert_clean_failure(run_cli(*command, "--export", export))
            assert said in line and f"({export.name})" in line, line
    assert not (tmp_path / "media").exists()
