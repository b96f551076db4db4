"""What the hidden neurons really do (model/neuron_evidence.py and its four beats): the
beats draw the real top digits, the real knock-out accuracies and inputs that beat every
real digit, each checked here against a plain recomputation from the weights and the
MNIST files; and a file whose evidence was edited is refused."""
import copy
import json

import numpy as np
import pytest

from nn_explainer.model import neuron_evidence, paths, schema
from nn_explainer.model.activations import activation
from nn_explainer.model.errors import UserError
from nn_explainer.model.mnist import idx_arrays
from scene_state import on_screen, run_scene, written
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes.mobjects.digit_picture import DigitPicture
from nn_explainer.scenes.outline import scene_class


@pytest.fixture(scope="module")
def document():
    return json.loads(paths.DEFAULT_EXPORT.read_text())


@pytest.fixture(scope="module")
def export():
    return schema.read_export(paths.DEFAULT_EXPORT)


@pytest.fixture(scope="module")
def test_set():
    images, labels = idx_arrays("test")
    return images.reshape(len(images), -1) / 255.0, labels


def plain_forward(network, pixels, held=None):
    """Every layer's (z, a), written out the obvious way; `held` = (layer, neuron, value)
    holds one hidden neuron's activation at a value."""
    hidden, output = activation(network.hidden_activation), activation(network.output_activation)
    a, layers = pixels, []
    for index, (w, b) in enumerate(zip(network.weights, network.biases)):
        z = a @ w.T + b
        a = (output if index == len(network.weights) - 1 else hidden)(z).copy()
        if held is not None and held[0] == index + 1:
            a[:, held[1]] = held[2]
        layers.append((z, a))
    return layers


def drawn_pictures(scene) -> list[DigitPicture]:
    return [m for m in on_screen(scene, DigitPicture)]


def drawn_pixels_of(picture: DigitPicture) -> np.ndarray:
    """What the viewer sees of a picture: its alpha channel, as pixel values."""
    return picture.image.get_pixel_array()[..., 3].reshape(-1) / 255.0


def text_x(scene, string: str) -> float:
    return next(t for t in on_screen(scene) if getattr(t, "original_text", None) == string).get_x()


def test_drawn_top_digits_are_the_real_top_digits(export, test_set):
    pixels, labels = test_set
    played = run_scene(scene_class("WhatExcitesANeuron"))
    names = sorted((t for t in written(played) if t.startswith("layer 1, neuron ")), key=lambda n: text_x(played, n))
    pictures = sorted(drawn_pictures(played), key=lambda p: p.get_x())
    assert len(names) == 3 and len(pictures) == 27
    first = plain_forward(export.network, pixels)[0][0]  # layer 1's z over the test set
    for column, name in enumerate(names):
        neuron = int(name.rsplit(" ", 1)[1])
        real = np.argsort(-first[:, neuron], kind="stable")[:9]  # ties to the lower index, as documented
        grid = sorted(pictures[column * 9:(column + 1) * 9], key=lambda p: (round(-p.get_y(), 1), round(p.get_x(), 1)))
        for picture, index in zip(grid, real):
            assert np.abs(drawn_pixels_of(picture) - pixels[index]).max() <= 0.5 / 255 + 1e-9, (neuron, index)
        counts = np.bincount(labels[real], minlength=10)
        caption = [t for t in written(played) if t.startswith("labels: ")
                   and t.split("\n")[0][8:].replace(" ", "") == "".join(map(str, labels[real]))]
        assert caption and f"{counts.max()} of 9 are {np.argmax(counts)}s" in caption[0]


def test_drawn_knockout_accuracy_equals_recomputation(export, test_set):
    pixels, labels = test_set
    played = run_scene(scene_class("KnockOneOut"))
    notes = [t for t in written(played) if t.startswith("without ") and t.endswith("%")]
    assert len(notes) == 2  # the costliest neuron of each of the two hidden layers
    intact = plain_forward(export.network, pixels)
    for layer, note in enumerate(sorted(notes, key=lambda n: text_x(played, n)), start=1):
        neuron, accuracy = note.replace("without ", "").replace("%", "").split(": ")
        neuron = int(neuron)
        mean = intact[layer - 1][1][:, neuron].mean()
        answers = plain_forward(export.network, pixels, held=(layer, neuron, mean))[-1][1].argmax(1)
        knocked = (answers == labels).mean()
        assert accuracy == spoken.figures(100 * knocked, 2)  # as every beat rounds it: three figures
        # and it is the costliest: no other neuron of the layer loses more when silenced
        for other in range(export.network.sizes[layer]):
            mean = intact[layer - 1][1][:, other].mean()
            right = (plain_forward(export.network, pixels, held=(layer, other, mean))[-1][1].argmax(1) == labels).mean()
            assert right >= knocked


def test_the_maximising_input_beats_every_training_and_test_digit(export, test_set, mnist):
    train = mnist.train_images.numpy().reshape(len(mnist.train_images), -1) / 255.0
    digits = np.concatenate([train, test_set[0]])
    evidence = export.neuron_evidence
    real = plain_forward(export.network, digits)
    played = run_scene(scene_class("WhatANeuronWants"))
    drawn = [drawn_pixels_of(p) for p in drawn_pictures(played)]
    for layer in evidence.layers:
        best = plain_forward(export.network, layer.maximising_inputs)[layer.layer - 1][0]
        assert 0 <= layer.maximising_inputs.min() and layer.maximising_inputs.max() <= 1
        for row, neuron in enumerate(layer.neurons):
            # z, not a: a sigmoid rounds both to 1.0 where z is large
            assert best[row, neuron] > real[layer.layer - 1][0][:, neuron].max(), (layer.layer, neuron)
    first = evidence.layers[0]
    for picture in drawn:  # every drawn wanted input is one of the evidence's
        assert min(np.abs(picture - x).max() for x in first.maximising_inputs) <= 0.5 / 255 + 1e-9


def test_the_verdict_follows_the_measure(export):
    from nn_explainer.scenes.hidden_neurons.does_layer_two_combine import verdict

    combination = export.neuron_evidence.combination
    played = run_scene(scene_class("DoesLayerTwoCombine"))
    strong, weak = combination.strongest_overlap.mean(), combination.weakest_overlap.mean()
    assert f"verdict: {verdict(strong, weak)}" in written(played)
    assert any(f"average: {strong:.1f} of 100" in t and f"vs {weak:.1f}" in t for t in written(played))
    assert verdict(60, 10) == "yes" and verdict(30, 10) == "partly" and verdict(11, 7) == "no clear sign"


TAMPERING = {
    "a top digit swapped": lambda e: e["layers"][0]["top_digits"][0].__setitem__(0, e["layers"][0]["top_digits"][0][1]),
    "a knock-out count": lambda e: e["layers"][1]["knockout_correct"].__setitem__(2, e["layers"][1]["knockout_correct"][2] + 1),
    "a mean activation": lambda e: e["layers"][0]["mean_activation"].__setitem__(0, e["layers"][0]["mean_activation"][0] + 0.01),
    "a maximising input moved": lambda e: e["layers"][0]["maximising_inputs"][3].__setitem__(
        int(np.argmax(e["layers"][0]["maximising_inputs"][3])), 0.0),
    "an overlap count": lambda e: e["combination"]["strongest_overlap"].__setitem__(0, 99),
    "the three's outputs": lambda e: e["knockout_example"]["outputs"].__setitem__(3, 0.5),
    "the regulariser": lambda e: e["layers"][0]["regulariser_weights"].__setitem__(0, 1.0),
}


@pytest.mark.parametrize("edit", list(TAMPERING))
def test_edited_evidence_is_refused(document, edit):
    doc = copy.deepcopy(document)
    TAMPERING[edit](doc[neuron_evidence.KEY])
    with pytest.raises(UserError, match=neuron_evidence.KEY):
        schema.parse(doc)


def test_an_export_without_evidence_reads_but_its_beats_refuse(document, tmp_path):
    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.story import Story
    from nn_explainer.scenes.hidden_neurons.what_excites_a_neuron import check

    doc = copy.deepcopy(document)
    del doc[neuron_evidence.KEY]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    story = Story.read(Settings(export=path))
    assert story.export.neuron_evidence is None
    with pytest.raises(UserError, match="render.py export"):
        check(story)


EVIDENCE_BEATS = ("WhatExcitesANeuron", "WhatANeuronWants", "KnockOneOut", "DoesLayerTwoCombine")


def test_an_unchanged_network_keeps_the_keys_and_new_evidence_changes_them(document, tmp_path):
    """The beats read the "evidence" part: the wall-clock seconds of a retrain with the
    same seed leave their keys alone; other evidence (here: another regulariser's
    maximising inputs would be; a changed knock-out digit is refused, so the test edits
    what is drawn through the example it is shown on) changes them."""
    from nn_explainer.publish.keys import inputs_key
    from nn_explainer.publish.requests import RenderRequest

    same, other = copy.deepcopy(document), copy.deepcopy(document)
    same["training"]["seconds"] += 1.0
    # another example for the knock-out: a real one, re-proved, drawn differently
    other[neuron_evidence.KEY]["knockout_example"]["id"] = "train:10"
    example = next(e for e in document["examples"] if e["id"] == "train:10")
    network = schema.parse(document).network
    layer, neuron = document[neuron_evidence.KEY]["knockout_example"]["layer"], document[neuron_evidence.KEY]["knockout_example"]["neuron"]
    mean = document[neuron_evidence.KEY]["layers"][layer - 1]["mean_activation"][
        document[neuron_evidence.KEY]["layers"][layer - 1]["neurons"].index(neuron)]
    _, acts = neuron_evidence._forward(network, np.array(example["pixels"])[None, :])
    other[neuron_evidence.KEY]["knockout_example"]["outputs"] = [
        schema.round_float(v) for v in neuron_evidence.silenced_outputs(network, acts, layer, neuron, mean)[0]]
    paths_ = {}
    for name, doc in (("original", document), ("same", same), ("other", other)):
        paths_[name] = tmp_path / f"{name}.json"
        paths_[name].write_text(json.dumps(doc))
    keys = {name: [inputs_key(RenderRequest(beat, export=path)) for beat in EVIDENCE_BEATS] for name, path in paths_.items()}
    assert keys["same"] == keys["original"]
    assert keys["other"][2] != keys["original"][2]  # KnockOneOut draws the example


def test_every_sentence_is_said_once_in_order():
    """Each beat's script() is spoken whole, each sentence once, in its order: what the
    scene's (silent) narrator heard."""
    from nn_explainer.scenes.beat import beat_module

    for beat in EVIDENCE_BEATS:
        played = run_scene(scene_class(beat))
        heard = [line.text for line in played.narrator.spoken]
        assert heard == list(beat_module(beat).script(played.story).values()), beat
