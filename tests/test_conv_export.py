"""A CNN's export (model/conv_export.py, model/conv_schema.py): every layer's maps are in
the file and are what the kernels, biases and pixels give; an edited kernel weight, bias
or map value is refused in one line naming the example, layer, channel and position;
sizes over the caps are refused before anything is decoded; MLP readers refuse a CNN's
export in one line; and an MLP's export is what it was, byte for byte."""
import base64
import json

import numpy as np
import pytest
import torch

from conftest import assert_clean_failure, run_cli
from nn_explainer.model import conv_formula, conv_schema, export, limits, paths, pipeline
from nn_explainer.model.convnet import ConvNet
from nn_explainer.model.errors import UserError
from nn_explainer.model.schema import parse, read_export

TRAINING = {"seed": 0, "epochs": 0, "device": "cpu", "seconds": 0.0, "torch_version": torch.__version__}


@pytest.fixture(scope="module")
def cnn_doc(mnist):
    torch.manual_seed(0)
    model = ConvNet((3, 4), batch_norm=True).eval()
    for norm in model.norms:  # statistics of a trained net, so that the fold is not the identity
        norm.running_mean.uniform_(-0.2, 0.2)
        norm.running_var.uniform_(0.5, 2.0)
        norm.weight.data.uniform_(0.5, 1.5)
    return model, pipeline.export_document(model, TRAINING, mnist)


def _write(doc, path):
    path.write_text(json.dumps(doc))
    return path


def test_every_map_is_the_models_own(cnn_doc, tmp_path):
    """The maps in the file equal torch's forward pass of the model, batch norm folded."""
    model, doc = cnn_doc
    exported = export.write_export(doc, tmp_path / "cnn.json")
    assert exported.convolutional and len(exported.examples) >= 25
    net = exported.network
    assert [layer.kind for layer in net.layers] == ["conv2d", "relu", "maxpool", "conv2d", "relu", "maxpool",
                                                     "flatten", "dense", "softmax"]
    assert net.shapes[1] == (3, 28, 28) and net.shapes[6] == (4, 7, 7) and net.shapes[-1] == (10,)
    example = exported.example("train:7")
    with torch.no_grad():
        x = torch.from_numpy(example.pixels).float().reshape(1, 1, 28, 28)
        conv1 = model.norms[0](model.convs[0](x))
        logits = model.output_logits(x)
    assert np.abs(example.maps[0] - conv1[0].numpy()).max() < 1e-4
    assert np.abs(example.maps[-1] - torch.softmax(logits, -1)[0].numpy()).max() < 1e-5
    assert example.prediction == int(logits.argmax())


def _edited(doc, where, index, delta):
    """The document with one float32 of an encoded array moved by delta."""
    doc = json.loads(json.dumps(doc))
    holder, key = where(doc)
    values = np.frombuffer(base64.b64decode(holder[key]), dtype="<f4").copy()
    values[index] += delta
    holder[key] = base64.b64encode(values.tobytes()).decode()
    return doc


@pytest.mark.parametrize("what,where,index,named", [
    ("kernel", lambda d: (d["convnet"]["layers"][0], "weight"), 9 + 4, "layer 1 (conv2d 'conv1') channel 1"),
    ("bias", lambda d: (d["convnet"]["layers"][0], "bias"), 2, "layer 1 (conv2d 'conv1') channel 2"),
    ("map", lambda d: (d["examples"][1]["maps"], 2), 2 * 14 * 14 + 14 * 5 + 6,
     "example train:10: layer 3 (maxpool) channel 2, row 5, column 6"),
    ("dense", lambda d: (d["convnet"]["layers"][7], "bias"), 9, "layer 8 (dense 'dense') output 9"),
])
def test_an_edited_number_is_refused_naming_its_place(cnn_doc, tmp_path, what, where, index, named):
    doc = _edited(cnn_doc[1], where, index, 0.5)
    with pytest.raises(UserError, match="not produced by its network") as err:
        read_export(_write(doc, tmp_path / "edited.json"), convolutional=True)
    message = str(err.value)
    assert named in message and "\n" not in message
    if what != "map":
        assert "example train:7:" in message  # the first example: every example's maps move


def test_sizes_over_the_caps_are_refused_before_decoding(cnn_doc):
    doc = json.loads(json.dumps(cnn_doc[1]))
    doc["convnet"]["layers"][0]["out_channels"] = limits.MAX_CHANNELS + 1
    with pytest.raises(UserError, match="out_channels must be 1-"):
        parse(doc)
    doc = json.loads(json.dumps(cnn_doc[1]))
    doc["convnet"]["layers"][3]["out_channels"] = 1000
    doc["convnet"]["layers"][3]["padding"] = [30, 30]
    with pytest.raises(UserError, match="values in one example's maps, over the limit"):
        parse(doc)
    doc = json.loads(json.dumps(cnn_doc[1]))
    doc["convnet"]["layers"][3]["kernel"] = [40, 40]
    with pytest.raises(UserError, match="kernel is over the limit"):
        parse(doc)


def test_malformed_arrays_and_layers_are_refused(cnn_doc):
    for change, message in ((lambda d: d["examples"][0]["maps"].pop(), "one map per layer"),
                            (lambda d: d["examples"][0].update(pixels="AAAA"), "base64 characters"),
                            (lambda d: d["convnet"]["layers"].pop(-1), "must end in a dense layer"),
                            (lambda d: d.update(network={}), "not both"),
                            (lambda d: d.update(gradients={}), "does not re-prove it"),
                            (lambda d: d["not_computed"].update(widget="x"), "not_computed must name sections")):
        doc = json.loads(json.dumps(cnn_doc[1]))
        change(doc)
        with pytest.raises(UserError, match=message):
            parse(doc)


def test_mlp_readers_refuse_a_cnn_export_in_one_line(cnn_doc, tmp_path):
    path = _write(cnn_doc[1], tmp_path / "cnn.json")
    with pytest.raises(UserError, match="convolutional network"):
        read_export(path)
    line = assert_clean_failure(run_cli("render", "MatrixForm", "--export", path, timeout=300))  # ForwardPass draws a CNN
    assert "MatrixForm draws a multilayer perceptron's" in line and "is convolutional" in line


def test_an_mlp_export_is_unchanged_byte_for_byte(tmp_path):
    """The committed network, exported again by this code, is the committed file."""
    out = tmp_path / "network.json"
    pipeline.run_export(paths.DEFAULT_CHECKPOINT, out)
    assert out.read_bytes() == paths.DEFAULT_EXPORT.read_bytes()
