"""ForwardPass of a CNN draws the real network: each stack's pictures are the export's
feature maps under the colour scale its caption states, the captions' numbers are the
export's, the answer boxed is the export's prediction; it renders for every CNN of the
zoo (tests/cnn_zoo.py), in both layouts, by test_layout's rules, and its script is true of each
network (channels, kernel sizes, strides, pooling, the answer and its probability)."""
import numpy as np
import pytest
from manim import ImageMobject, Text, config

from nn_explainer.model import conv_formula
from nn_explainer.model.schema import read_export
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.chapter_one.forward_pass import ForwardPass, script
from nn_explainer.scenes.mobjects.map_stack import FeatureMapStack
from nn_explainer.scenes.settings import Settings
from nn_explainer.scenes.story import Story
from scene_state import numbers, on_screen, run_scene, watch_sentences, written
from test_layout import LAYOUT_PIXELS_PER_UNIT, problems_now

NEGATIVE_RGB = tuple(int(c) for c in style.NEGATIVE.to_int_rgb())


def conv_part(network):
    """The stacks as a reader of the network groups them: each convolution with the
    activations and poolings after it, up to the flatten (written out here, not asked of the beat)."""
    groups = []
    for index, layer in enumerate(network.layers):
        if isinstance(layer, conv_formula.Flatten):
            return groups
        if isinstance(layer, conv_formula.Conv2d) or not groups:
            groups.append([])
        groups[-1].append(index)


def expected_channels(maps, cap=16):
    """The most active maps (largest mean |value|), in channel order; all if they fit."""
    activity = np.abs(maps).reshape(len(maps), -1).mean(axis=1)
    return np.arange(len(maps)) if len(maps) <= cap else np.sort(np.argsort(-activity, kind="stable")[:cap])


def seen_by_section(export):
    """(scene, {section: (stacks on screen, left to right, as (pixel arrays); captions)})."""
    states, current = {}, [None]

    def look(scene, name):
        if current[0] is not None:
            stacks = sorted(on_screen(scene, FeatureMapStack), key=lambda s: s.get_center()[0])
            states[current[0]] = ([[np.array(p.get_pixel_array()) for p in s.pictures] for s in stacks],
                                  written(scene))
        current[0] = name

    return run_scene(ForwardPass, on_section=look, export=export), states


@pytest.fixture(scope="module")
def ours(cnn_zoo):
    return read_export(cnn_zoo["ours"], convolutional=True)


@pytest.fixture(scope="module")
def played(cnn_zoo):
    return seen_by_section(cnn_zoo["ours"])


def layer_caption(captions, number):
    found = [c for c in captions if c.startswith(f"layer {number}:")]
    assert len(found) == 1, captions
    return found[0]


def test_sections_are_the_layers_then_the_dense_part(played, ours):
    assert list(played[1]) == ["digit"] + [f"layer_{i + 1}" for i in range(6)] + ["flatten", "dense_1", "answer"]


def test_each_stack_draws_the_exported_maps_under_its_captions_scale(played, ours):
    example = ours.example("train:7")
    groups = conv_part(ours.network)
    for number in range(1, 7):
        stacks, captions = played[1][f"layer_{number}"]
        caption = layer_caption(captions, number)
        scale = numbers(caption.split("white at")[1])[0]
        group = next(g for g in groups if number - 1 in g)
        pictures = stacks[groups.index(group)]
        maps = example.maps[number - 1]
        channels = expected_channels(example.maps[group[-1]])
        assert len(pictures) == len(channels)
        for picture, channel in zip(pictures, channels):
            values = maps[channel]
            assert picture.shape[:2] == values.shape   # one pixel per value
            alpha = np.rint(255 * np.clip(np.abs(values) / scale, 0, 1))
            assert np.abs(picture[..., 3].astype(int) - alpha).max() <= 2, (number, channel)
            red = np.all(picture[..., :3] == NEGATIVE_RGB, axis=-1)
            shown = picture[..., 3] > 2
            assert np.array_equal(red[shown], values[shown] < 0), (number, channel)


def test_captions_numbers_are_the_exports(played, ours):
    example, network = ours.example("train:7"), ours.network
    for number in range(1, 7):
        caption = layer_caption(played[1][f"layer_{number}"][1], number)
        index, layer, maps = number - 1, network.layers[number - 1], example.maps[number - 1]
        said = numbers(caption)
        low, high = numbers(caption.split("values")[1])[:2]
        assert (low, high) == (round(float(maps.min()), 2), round(float(maps.max()), 2)), caption
        if isinstance(layer, conv_formula.Conv2d):
            assert said[:6] == [number, 3, 3, *network.shapes[number]], caption
        elif isinstance(layer, conv_formula.Pool):
            assert "max pool" in caption and said[:6] == [number, 2, 2, *network.shapes[number]], caption
        else:
            assert said[:2] == [number, int((example.maps[index - 1] < 0).sum())], caption
        group = next(g for g in conv_part(network) if index in g)
        scale = max(np.abs(example.maps[i]).max() for i in group)
        assert numbers(caption.split("white at")[1])[0] == round(float(scale), 2)


def test_the_answer_is_the_exported_prediction(played, ours):
    example = ours.example("train:7")
    highlighted = [t.original_text for t in on_screen(played[0], Text)
                   if t.get_color().to_hex() == style.HIGHLIGHT.to_hex()]
    digit, value = highlighted
    assert int(digit) == example.prediction
    assert value == f"{example.maps[-1][example.prediction]:.2f}"


def inside_frame(scene):
    half_w, half_h = config.frame_width / 2 + 1e-6, config.frame_height / 2 + 1e-6
    for mobject in on_screen(scene):
        if isinstance(mobject, (Text, ImageMobject)) or (hasattr(mobject, "points") and len(mobject.points)):
            assert -half_w <= mobject.get_left()[0] and mobject.get_right()[0] <= half_w, mobject
            assert -half_h <= mobject.get_bottom()[1] and mobject.get_top()[1] <= half_h, mobject


@pytest.mark.parametrize("layout", ["video", "post"])
@pytest.mark.parametrize("name", ["ours", "examples", "avgpool", "strided", "batchnorm"])
def test_it_renders_every_cnn_of_the_zoo(name, layout, cnn_zoo):
    """Played to its end, saying its script, each sentence over a picture: the last stack,
    the answer, all inside; and after every animation test_layout's rules hold (every
    text legible, no two overlapping, nothing outside the frame: a deep stack's note over
    the captions, the digit's caption over a header and the dense part's wipe-in curtain
    were caught here)."""
    export = read_export(cnn_zoo[name], convolutional=True)
    example = export.example("train:7")
    problems = set()

    def look(scene):
        problems.update(problems_now(scene, LAYOUT_PIXELS_PER_UNIT[layout]))

    record = []
    scene = run_scene(ForwardPass, export=cnn_zoo[name], layout=layout, after_play=look,
                      before_render=lambda s: record.append(watch_sentences(s)))
    assert not problems, sorted(problems)
    # it says its own script, each sentence over a picture
    assert [line.text for line in scene.narrator.spoken] == list(script(Story.read(Settings(export=cnn_zoo[name], layout=layout))).values())
    assert record[0] and all(shown for _, shown in record[0])
    inside_frame(scene)
    stacks = sorted(on_screen(scene, FeatureMapStack), key=lambda s: s.get_center()[0])
    groups = conv_part(export.network)
    assert len(stacks) == len(groups)
    last = example.maps[groups[-1][-1]]
    assert [p.get_pixel_array().shape[:2] for p in stacks[-1].pictures] == [last.shape[1:]] * min(len(last), 16)
    texts = written(scene)
    if len(last) > 16:   # how many are drawn and how many not, said under the stack in both layouts
        said = (f"of {len(last)} maps;\n{len(last) - 16} not drawn" if layout == "video" else
                f"16 of {len(last)}\ndrawn,\n{len(last) - 16} not")
        assert any(said in t for t in texts), texts
    assert f"{example.maps[-1][example.prediction]:.2f}" in texts


def test_the_video_layout_of_ours_stays_inside_the_frame(played):
    inside_frame(played[0])


def kernel_words(layer):
    return f"{spoken.integer(layer.weight.shape[2])} by {spoken.integer(layer.weight.shape[3])}"


@pytest.mark.parametrize("name", ["ours", "examples", "avgpool", "strided", "batchnorm"])
def test_the_script_is_true_of_each_network(name, cnn_zoo):
    story = Story.read(Settings(export=cnn_zoo[name]))
    network, example = story.network, story.example
    lines = script(story)
    words = " ".join(lines.values())
    for index, layer in enumerate(network.layers):
        line = lines.get(f"layer_{index + 1}", "")
        if isinstance(layer, conv_formula.Conv2d):
            assert spoken.count(layer.weight.shape[0], "feature map") in line and kernel_words(layer) in line
            assert ("stride two" in line) == (tuple(layer.stride) == (2, 2))
            assert ("padding" in line) == (tuple(layer.padding) != (0, 0))
        elif isinstance(layer, conv_formula.Pool):
            assert line.startswith("Max pooling" if layer.kind == "maxpool" else "Average pooling"), line
    pools = {layer.kind for layer in network.layers if isinstance(layer, conv_formula.Pool)}
    assert ("Max pooling" in words) == ("maxpool" in pools) and ("Average pooling" in words) == ("avgpool" in pools)
    answer = example.prediction
    assert (f"the answer: {spoken.integer(answer)}, with a softmax probability of "
            f"{spoken.decimal(float(example.maps[-1][answer]))}.") in lines["answer"]
    assert lines["answer"].endswith("That is right." if answer == example.label else "this time it is wrong.")
