"""ForwardPass draws the real network: the state at the end of every beat is checked
against the export, and one real render is opened as a video."""

import numpy as np
import pytest

from conftest import assert_clean_failure, run_cli
from nn_explainer.model import paths
from nn_explainer.model.schema import read_export
from scene_state import diagram, fills, fills_by_section, on_screen, run_scene, written
from nn_explainer.scenes import style
from nn_explainer.scenes.chapter_one.forward_pass import ForwardPass


def block_means(pixels):
    """The documented pooling, written out plainly: mean of each 7x7 block, row-major."""
    image = np.asarray(pixels).reshape(28, 28)
    return np.array([image[r:r + 7, c:c + 7].mean() for r in range(0, 28, 7) for c in range(0, 28, 7)])


def block_sums(weights):
    rows = np.asarray(weights).reshape(len(weights), 28, 28)
    return np.array([[w[r:r + 7, c:c + 7].sum() for r in range(0, 28, 7) for c in range(0, 28, 7)] for w in rows])


@pytest.fixture(scope="module")
def export():
    return read_export(paths.DEFAULT_EXPORT)


@pytest.fixture(scope="module")
def played():
    """ForwardPass run to its end, with the fills on screen at the end of each section."""
    return fills_by_section(ForwardPass)


@pytest.fixture(scope="module")
def sloppy_three(played):
    return played[0]


def expected_layers(example):
    return [block_means(example.pixels)] + [np.asarray(a) for a in example.a[1:]]


def test_sections_are_the_beats(played):
    assert list(played[1]) == ["digit", "unroll", "layer_1", "layer_2", "layer_3", "answer"]


def test_every_neuron_shows_its_real_activation_after_each_transition(played, export):
    example = export.example("train:7")
    expected = expected_layers(example)
    filled_through = {"digit": -1, "unroll": 0, "layer_1": 1, "layer_2": 2, "layer_3": 3, "answer": 3}
    for section, state in played[1].items():
        last = filled_through[section]
        for index, drawn in enumerate(state):
            if index <= last:
                assert np.allclose(drawn, expected[index], atol=1e-6, rtol=0), (section, index)
            else:
                assert np.allclose(drawn, 0), (state["section"], index)  # not reached yet


def test_every_edge_is_coloured_by_the_sign_of_its_real_weight(sloppy_three, export):
    drawn = diagram(sloppy_three)
    weights = export.network.weights
    expected = [block_sums(weights[0])] + list(weights[1:])
    for index, (bundle, strengths) in enumerate(zip(drawn.bundles, expected)):
        assert np.allclose(bundle.strengths, strengths, atol=1e-9)
        source, target = drawn.layers[index], drawn.layers[index + 1]
        seen = set()
        for j, k, path, start, end in bundle.drawn_edges():
            colour = style.POSITIVE if strengths[j, k] >= 0 else style.NEGATIVE
            assert path.get_stroke_color().to_hex() == colour.to_hex(), (index, j, k)
            # and it really runs from source neuron k to target neuron j
            assert np.allclose(start, source.neurons[k].get_right(), atol=1e-6)
            assert np.allclose(end, target.neurons[j].get_left(), atol=1e-6)
            seen.add((j, k))
        assert len(seen) == strengths.size  # every edge, once
    assert sum(bundle.edge_count() for bundle in drawn.bundles) == 16 * 16 + 16 * 16 + 16 * 10


def test_stronger_weights_draw_wider_and_brighter(sloppy_three):
    for bundle in diagram(sloppy_three).bundles:
        edges = sorted(bundle.drawn_edges(), key=lambda e: abs(bundle.strengths[e[0], e[1]]))
        widths = [path.get_stroke_width() for _, _, path, _, _ in edges]
        opacities = [path.get_stroke_opacity() for _, _, path, _, _ in edges]
        assert widths == sorted(widths) and opacities == sorted(opacities)
        assert widths[-1] > 3 * widths[0]


def highlighted(scene) -> list[str]:
    """The texts drawn in the highlight colour: the answer's digit and its activation."""
    from manim import Text

    return [t.original_text for t in on_screen(scene, Text) if t.get_color().to_hex() == style.HIGHLIGHT.to_hex()]


def assert_answer_shown(scene, example):
    digit, value = highlighted(scene)
    assert int(digit) == example.prediction
    assert value == f"{example.a[-1][example.prediction]:.2f}"


def test_the_answer_is_the_exported_prediction(sloppy_three, export):
    example = export.example("train:7")
    assert example.prediction == 3
    assert_answer_shown(sloppy_three, example)
    assert "MNIST training image #7,\nlabelled 3" in written(sloppy_three)


def test_contribution_mode_draws_w_times_a(export):
    scene = run_scene(ForwardPass, edges="contribution", digit="test:0")
    example = export.example("test:0")
    weights = export.network.weights
    first = block_sums(weights[0] * example.pixels[None, :])
    drawn = diagram(scene)
    assert np.allclose(drawn.bundles[0].strengths, first, atol=1e-9)
    # the 16 block shares add up to the weighted sum z - b
    assert np.allclose(first.sum(axis=1), example.z[0] - export.network.biases[0], atol=1e-5)
    for index in (1, 2):
        expected = weights[index] * example.a[index][None, :]
        assert np.allclose(drawn.bundles[index].strengths, expected, atol=1e-12)
    assert_answer_shown(scene, example)


def test_a_misclassified_digit_through_the_relu_export():
    relu = read_export(paths.RELU_EXPORT)
    example = next(e for e in relu.examples if e.source == "mnist-test" and e.prediction != e.label)
    scene = run_scene(ForwardPass, export=paths.RELU_EXPORT, digit=example.id)
    final = fills(scene)
    expected = expected_layers(example)
    for layer in (1, 2):  # unbounded ReLU activations: drawn relative to the layer's brightest
        expected[layer] = expected[layer] / expected[layer].max()
    for drawn, values in zip(final, expected):
        assert np.allclose(drawn, values, atol=1e-6)
    assert_answer_shown(scene, example)
    assert example.prediction != example.label


def test_renders_a_playable_video_of_the_right_length(tmp_path, sloppy_three):
    import av

    result = run_cli("render", "ForwardPass", "--quality", "low", "--sections", "--media-dir", tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line.strip() for line in result.stdout.strip().splitlines()]
    path = lines[0]
    sections = [line.split(": ", 1)[1] for line in lines if line.startswith("section: ")]
    # one clip per beat, each a playable video of its own
    beats = ["digit", "unroll", "layer_1", "layer_2", "layer_3", "answer"]
    assert [next(b for b in beats if s.endswith(f"_{b}.mp4")) for s in sections] == beats
    for section in sections:
        with av.open(section) as clip:
            assert clip.duration > 0
    with av.open(path) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert (stream.width, stream.height) == (854, 480)
        rate = float(stream.average_rate)
    expected_seconds = sloppy_three.renderer.time
    assert rate == 15
    assert abs(frames / rate - expected_seconds) <= 2 / rate


BAD = {
    "unknown scene": (["render", "NoSuchScene"], "unknown scene 'NoSuchScene'"),
    "unknown digit": (["render", "--digit", "train:99999"], "no example 'train:99999'"),
    "transparent mp4": (["render", "--transparent", "--format", "mp4"], "use --format webm"),
    "missing export": (["render", "--export", "/nonexistent/network.json"], "no export file"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_render_requests(case):
    args, message = BAD[case]
    assert message in assert_clean_failure(run_cli(*args))
