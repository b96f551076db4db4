"""A CNN's kernel evidence and kernel gradients (model/kernel_evidence.py, model/conv_backprop.py,
model/conv_gradients.py): the numpy gradient equals torch autograd's; the committed CNN's
listed digits really are each kernel's strongest and its knock-out count is what an
independent pass gives; an edited value is refused in one line naming the section, the
kernel and the value; a beat that needs a section the export lacks is refused in one line."""
import base64
import copy
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nn_explainer.model import conv_backprop, conv_export, conv_formula, conv_gradients, conv_schema, kernel_evidence, paths
from nn_explainer.model.errors import UserError
from nn_explainer.model.neuron_evidence import probe_digits
from nn_explainer.model.schema import parse, read_export

COMMITTED = paths.EXPORT_DIR / "network-cnn.json"


@pytest.fixture(scope="module")
def committed():
    """(the committed CNN export as read, its JSON document): every test below edits a copy."""
    return read_export(COMMITTED, convolutional=True), json.loads(COMMITTED.read_text())


def _small_cnn(hidden: str, seed: int = 0) -> list:
    """A CNN with every kind of layer the gradient passes through: strided, padded
    convolutions; overlapping, padded max pooling; average pooling; a hidden dense layer."""
    rng = np.random.default_rng(seed)
    return [conv_formula.Conv2d(rng.normal(0, 0.5, (3, 1, 3, 3)), rng.normal(0, 0.1, 3), (1, 1), (1, 1)),
            conv_formula.Act(hidden),
            conv_formula.Pool("maxpool", (3, 3), (2, 2), (1, 1)),
            conv_formula.Conv2d(rng.normal(0, 0.3, (4, 3, 3, 3)), rng.normal(0, 0.1, 4), (2, 2), (1, 1)),
            conv_formula.Act(hidden),
            conv_formula.Pool("avgpool", (2, 2), (2, 2), (1, 1)),
            conv_formula.Flatten(),
            conv_formula.Dense(rng.normal(0, 0.3, (12, 4 * 4 * 4)), rng.normal(0, 0.1, 12)),
            conv_formula.Act(hidden),
            conv_formula.Dense(rng.normal(0, 0.3, (10, 12)), rng.normal(0, 0.1, 10)),
            conv_formula.Act("softmax")]


@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh"])
def test_the_numpy_gradient_is_torch_autograds(hidden):
    pixels, labels = probe_digits()
    layers = conv_export.rounded_layers(_small_cnn(hidden))  # as a file holds them: autograd runs torch's copy
    for digit in (0, 1):
        ours = conv_backprop.backward(layers, pixels[digit], int(labels[digit]))
        cost, output_dz, theirs = conv_gradients.autograd(layers, pixels[digit], int(labels[digit]))
        assert abs(ours.cost - cost) < 1e-12 and np.abs(ours.output_dz - output_dz).max() < 1e-12
        assert ours.layers == [0, 3]
        for (dw, db), w, b in zip(theirs, ours.weights, ours.biases):
            assert np.abs(dw).max() > 1e-6  # a gradient that is there, not two zeros agreeing
            assert np.abs(w - dw).max() < 1e-10 * np.abs(dw).max() and np.abs(b - db).max() < 1e-10 * np.abs(db).max()


def test_the_committed_cnn_carries_both_sections(committed):
    export, doc = committed
    evidence, gradients = export.kernel_evidence, export.kernel_gradients
    assert not export.not_computed and "not_computed" not in doc
    assert evidence.kernels == list(range(8)) and evidence.top_digits.shape == (8, 9)
    assert evidence.intact_correct == round(export.training["test_accuracy"] * evidence.digits)
    assert gradients.digit_id == "train:7" and gradients.label == 3
    assert [w.shape for w in gradients.digit.weights] == [(8, 1, 3, 3), (16, 8, 3, 3)]
    assert evidence.map_layer == 1 and export.network.layers[evidence.map_layer].kind == "relu"


def test_the_top_digits_really_are_the_top_ones(committed):
    """Every test digit's response computed again, in torch (not the reader's numpy)."""
    export, _ = committed
    evidence = export.kernel_evidence
    conv = export.network.layers[evidence.layer]
    pixels, labels = probe_digits()
    with torch.no_grad():
        maps = F.conv2d(torch.from_numpy(pixels).reshape(-1, 1, 28, 28), torch.from_numpy(conv.weight),
                        torch.from_numpy(conv.bias), conv.stride, conv.padding).relu()
        responses = maps.amax(dim=(2, 3)).numpy()                       # [10000, 8]
    for kernel in evidence.kernels:
        ranked = np.sort(responses[:, kernel])[::-1]
        listed = responses[evidence.top_digits[kernel], kernel]
        assert np.allclose(listed, ranked[:9], atol=1e-9)               # the nine largest, largest first
        assert np.allclose(listed, evidence.top_activations[kernel], atol=1e-6)
        assert (evidence.top_labels[kernel] == labels[evidence.top_digits[kernel]]).all()
        for rank, (row, column) in enumerate(evidence.top_positions[kernel]):
            assert maps[evidence.top_digits[kernel][rank], kernel, row, column] == pytest.approx(listed[rank], abs=1e-9)


def test_a_knockout_count_is_what_an_independent_pass_gives(committed):
    """The kernel whose silencing costs most, silenced in numpy float64 (conv_formula, not
    the exporter's torch shortcut), over all 10,000 test digits. Digits whose top two
    outputs lie within 1e-4 could go either way in float32: the counts may differ by them."""
    export, _ = committed
    evidence, layers = export.kernel_evidence, export.network.layers
    kernel = int(np.argmin(evidence.knockout_correct))
    pixels, labels = probe_digits()
    right, close = 0, 0
    for start in range(0, len(pixels), 1000):
        x = pixels[start:start + 1000].reshape(-1, 1, 28, 28)
        for layer in layers[:evidence.map_layer + 1]:
            x = conv_formula.apply(layer, x)
        x[:, kernel] = 0.0
        for layer in layers[evidence.map_layer + 1:-1]:
            x = conv_formula.apply(layer, x)
        top_two = np.sort(x, axis=1)[:, -2:]
        close += int((top_two[:, 1] - top_two[:, 0] < 1e-4).sum())
        right += int((x.argmax(axis=1) == labels[start:start + 1000]).sum())
    assert abs(right - int(evidence.knockout_correct[kernel])) <= close
    assert right < evidence.intact_correct  # silencing it costs digits: the count measures something


def _edited_floats(doc, holder, key, index, delta):
    values = np.frombuffer(base64.b64decode(holder[key]), dtype="<f4").copy()
    values[index] += delta
    holder[key] = base64.b64encode(values.tobytes()).decode()
    return doc


@pytest.mark.parametrize("edit,named", [
    (lambda d: d["kernel_evidence"]["top_activations"][3].__setitem__(2, 0.5),
     "kernel_evidence: top_activations[3][2] (kernel 3, test digit"),
    (lambda d: d["kernel_evidence"]["top_labels"][5].__setitem__(0, (d["kernel_evidence"]["top_labels"][5][0] + 1) % 10),
     "kernel_evidence: top_labels[5][0] (kernel 5, test digit"),
    (lambda d: [d["kernel_evidence"][key][2].reverse() for key in ("top_digits", "top_labels", "top_activations",
                                                                   "top_positions")],
     "top_digits[2] (kernel 2) are not in order"),
    (lambda d: d["kernel_evidence"]["top_positions"][6][0].__setitem__(0, 0),
     "kernel_evidence: top_positions[6][0] (kernel 6, test digit"),
    (lambda d: d["kernel_evidence"]["knockout_example"]["outputs"][4].__setitem__(3, 0.25),
     "kernel_evidence: knockout_example.outputs[4][3] (kernel 4 silenced, example train:7, output 3)"),
    (lambda d: _edited_floats(d, d["kernel_gradients"]["digit"]["kernels"][1], "weight", 5 * 72 + 2 * 9 + 4, 0.01),
     "kernel_gradients.digit.kernels[1] (layer 4 (conv2d 'conv2')) kernel 5, weight [2, 1, 1]"),
    (lambda d: _edited_floats(d, d["kernel_gradients"]["digit"]["kernels"][0], "bias", 7, 0.01),
     "kernel_gradients.digit.kernels[0] (layer 1 (conv2d 'conv1')) kernel 7, bias"),
    (lambda d: d["kernel_gradients"]["digit"].__setitem__("cost", 1.5), "kernel_gradients.digit.cost is 1.5"),
])
def test_an_edited_value_is_refused_naming_section_kernel_and_value(committed, edit, named):
    doc = copy.deepcopy(committed[1])
    edit(doc)
    with pytest.raises(UserError) as err:
        parse(doc)
    message = str(err.value)
    assert named in message and "\n" not in message, message


def test_malformed_sections_are_refused_in_one_line(committed):
    for change, said in ((lambda d: d["kernel_evidence"]["top_digits"].pop(), "top_digits is not 8x9 values"),
                         (lambda d: d["kernel_evidence"]["top_digits"][0].__setitem__(0, 10000), "must lie in 0-9999"),
                         (lambda d: d["kernel_evidence"]["top_digits"][0].__setitem__(1, d["kernel_evidence"]["top_digits"][0][0]),
                          "lists a digit twice"),
                         (lambda d: d["kernel_evidence"].update(knockout_correct=[1.5] * 8), "must hold integers"),
                         (lambda d: d["kernel_evidence"].update(map_layer=2), "layer and map_layer must be 0 and 1"),
                         (lambda d: d["kernel_gradients"]["digit"]["kernels"][0].update(weight="AAAA"), "base64 characters"),
                         (lambda d: d["kernel_gradients"]["digit"]["kernels"].pop(), "one entry per convolution"),
                         (lambda d: d.update(not_computed={"kernel_gradients": "why"}), "names a section the file holds")):
        doc = copy.deepcopy(committed[1])
        change(doc)
        with pytest.raises(UserError, match=said.replace("(", r"\(")):
            parse(doc)


def test_a_beat_needing_a_missing_section_is_refused_in_one_line(committed):
    export, doc = committed
    assert conv_schema.require(export, "kernel_evidence", "KernelGrid") is export.kernel_evidence
    snapshot = read_export(paths.snapshot_path(COMMITTED, 1), convolutional=True)
    with pytest.raises(UserError, match="KernelGrid draws the export's kernel_evidence section, and this export has "
                                        r"none \(a training snapshot goes without it"):
        conv_schema.require(snapshot, "kernel_evidence", "KernelGrid")
    without = copy.deepcopy(doc)
    del without["kernel_gradients"]
    without["not_computed"] = {"kernel_gradients": "not wanted here"}
    with pytest.raises(UserError, match=r"KernelNudges draws the export's kernel_gradients section, and this export "
                                        r"has none \(not wanted here\)$"):
        conv_schema.require(parse(without), "kernel_gradients", "KernelNudges")


def test_a_network_without_a_convolution_says_so():
    assert kernel_evidence.kernel_layers([conv_formula.Flatten(), conv_formula.Dense(np.zeros((10, 784)), np.zeros(10)),
                                          conv_formula.Act("softmax")]) is None
    layers = _small_cnn("relu")
    assert kernel_evidence.kernel_layers(layers) == (0, 1)
    assert kernel_evidence.kernel_layers([layers[2], *layers]) == (1, 2)      # a pooling first
    assert kernel_evidence.kernel_layers([layers[0], *layers[2:]]) == (0, 0)  # no activation right after


def test_the_probe_is_the_test_digits_the_export_was_measured_on(cnn_zoo):
    """An export measured on the first N shipped test digits probes those N (the zoo's
    exports: tests/cnn_zoo.py), and says so; any other test set, all 10,000."""
    from cnn_zoo import TEST_SLICE
    from nn_explainer.model import mnist
    from nn_explainer.model.kernel_evidence import probe_count

    images, labels = mnist.idx_arrays("test")
    assert probe_count(images[:300], labels[:300]) == 300
    assert probe_count(images[1:301], labels[1:301]) == len(labels)       # not the first 300
    assert probe_count(images[:300], (labels[:300] + 1) % 10) == len(labels)
    evidence = read_export(cnn_zoo["examples"], convolutional=True).kernel_evidence
    assert evidence.digits == TEST_SLICE and evidence.top_digits.max() < TEST_SLICE
    doc = json.loads(cnn_zoo["examples"].read_text())
    doc["kernel_evidence"]["digits"] = len(labels) + 1
    with pytest.raises(UserError, match="probe is not the first"):
        parse(doc)
