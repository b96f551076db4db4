"""The chapter's spoken words: every beat's script says the export's own numbers, as a
listener hears them, and its play says each sentence once, in order, over its pictures.

Fast: the scripts are read from the committed exports without rendering or synthesis.
What each beat says as it plays (its script, once, in order) is heard in test_layout.py,
and the scripts of other shapes and activations in test_any_network.py, on the runs those
modules make anyway.
"""
import importlib
import re

import numpy as np
import pytest

from nn_explainer.model import paths
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes.outline import BEATS
from nn_explainer.scenes.settings import Settings
from nn_explainer.scenes.story import Story

MIN_WORDS = 800
# What a speech engine would misread or spell out: symbols, digits, code marks.
UNSPEAKABLE = re.compile(r"[0-9σ·≈×÷=+<>`_*/\\#%&@|~^{}\[\]$]")


def scripts(story) -> dict[str, dict[str, str]]:
    return {beat.name: importlib.import_module(beat.module).script(story) for beat in BEATS}


@pytest.fixture(scope="module")
def story():
    return Story.read(Settings())


@pytest.fixture(scope="module")
def chapter(story):
    return scripts(story)


@pytest.fixture(scope="module")
def relu_chapter():
    return scripts(Story.read(Settings(export=paths.RELU_EXPORT)))


def said(chapter, beat: str) -> str:
    return " ".join(chapter[beat].values())


# scenes/speech/spoken.py

def test_integers_are_said_as_a_lecturer_says_them():
    assert spoken.integer(13002) == "thirteen thousand and two"
    assert spoken.integer(0) == "zero"
    assert spoken.integer(-4) == "minus four"
    assert spoken.integer(784) == "seven hundred and eighty-four"
    assert spoken.integer(1_000_000) == "one million"
    assert spoken.integer(12960) == "twelve thousand nine hundred and sixty"
    assert spoken.integer(40) == "forty"


def test_decimals_are_rounded_as_the_screen_writes_them():
    assert spoken.decimal(0.88) == "zero point eight eight"
    assert spoken.decimal(0.8819) == "zero point eight eight"
    assert spoken.decimal(0.848077, 3) == "zero point eight four eight"
    assert spoken.decimal(-0.8377) == "minus zero point eight four"
    assert spoken.decimal(-0.001) == "zero point zero zero"   # never "minus zero"
    assert spoken.decimal(0.5) == "zero point five zero"      # the screen writes 0.50
    assert spoken.decimal(1.7196) == "one point seven two"


def test_ordinals_percent_counts_and_sequences():
    assert spoken.ordinal(1) == "first"
    assert spoken.ordinal(3) == "third"
    assert spoken.ordinal(12) == "twelfth"
    assert spoken.ordinal(20) == "twentieth"
    assert spoken.ordinal(21) == "twenty-first"
    assert spoken.percent(0.9651, 2) == "ninety-six point five percent"   # three significant figures
    assert spoken.percent(0.1148) == "eleven point five percent"
    assert spoken.count(1, "layer") == "one layer"
    assert spoken.count(42, "bias", "biases") == "forty-two biases"
    assert spoken.sequence(["a"]) == "a"
    assert spoken.sequence(["a", "b", "c"]) == "a, b, and c"
    assert spoken.sequence(["a", "b"]) == "a and b"
    # heard, a list of numbers must not run two into one ("one hundred and ten")
    sizes = spoken.sequence([spoken.integer(n) for n in (784, 100, 10)])
    assert sizes == "seven hundred and eighty-four, one hundred, and ten"
    assert spoken.sequence([spoken.integer(n) for n in (100, 10)]) == "one hundred, and ten"


def test_hidden_layers_are_named_by_count_and_width():
    assert spoken.hidden_layers([64]) == "one hidden layer of sixty-four"
    assert spoken.hidden_layers([16, 16]) == "two hidden layers of sixteen"
    assert spoken.hidden_layers([24, 12]) == "two hidden layers, of twenty-four and twelve"
    assert spoken.activation_name("relu") == "ReLU"


# The committed export's chapter

def test_every_sentence_is_written_for_the_ear(chapter, relu_chapter):
    for lines in (*chapter.values(), *relu_chapter.values()):
        assert 2 <= len(lines) <= 9
        for sentence in lines.values():
            assert sentence[-1] in ".?", sentence
            assert not UNSPEAKABLE.search(sentence), sentence
            assert "  " not in sentence and sentence == sentence.strip(), sentence


def test_the_chapter_is_a_lecture_not_a_caption(chapter):
    words = sum(len(sentence.split()) for lines in chapter.values() for sentence in lines.values())
    assert words >= MIN_WORDS
    sentences = [sentence for lines in chapter.values() for sentence in lines.values()]
    assert len(sentences) == len(set(sentences)), "a sentence said twice"


def test_the_featured_neurons_numbers_are_the_exports(story, chapter):
    example, network = story.example, story.network
    # Recomputed here from the exported weights, not read from story.featured.
    neuron = int(np.argmax(example.a[1]))
    weighted_sum = float(network.weights[0][neuron] @ example.pixels)
    bias = float(network.biases[0][neuron])
    z = weighted_sum + bias
    activation = 1 / (1 + np.exp(-z))
    name = spoken.integer(neuron)
    assert f"number {name} of the first hidden layer" in said(chapter, "OneNeuronsWeights")
    assert spoken.decimal(activation) in said(chapter, "OneNeuronsWeights")
    assert spoken.decimal(weighted_sum) in said(chapter, "OneNeuronsWeights")
    assert spoken.decimal(weighted_sum) in said(chapter, "WeightedSum")
    assert spoken.decimal(z) in said(chapter, "Sigmoid")
    assert spoken.decimal(activation) in said(chapter, "Sigmoid")   # rounded as every other beat says it
    assert f"a bias of {spoken.decimal(bias)}" in said(chapter, "Bias")
    assert f"minus the bias, here {spoken.decimal(-bias)}" in said(chapter, "Bias")
    assert spoken.decimal(activation) in said(chapter, "MatrixForm")


def test_the_answer_count_and_accuracy_are_the_exports(story, chapter):
    outputs = story.example.a[-1]
    answer = int(np.argmax(outputs))
    assert f"the answer: {spoken.integer(answer)}, with an activation of {spoken.decimal(outputs[answer])}" \
        in said(chapter, "ForwardPass")
    assert spoken.decimal(outputs[answer]) in said(chapter, "Layers")
    sizes = story.network.sizes
    count = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    assert count == 13002
    for beat in ("ParameterCount", "WhyTwoLayers", "NetworkIsAFunction"):
        assert "thirteen thousand and two" in said(chapter, beat)
    accuracy = spoken.percent(story.export.training["test_accuracy"], 2)
    assert accuracy == "ninety-six point five percent"
    assert accuracy in said(chapter, "WhyTwoLayers") and accuracy in said(chapter, "WrongAnswer")
    assert "sigmoid" in said(chapter, "Sigmoid") and "ReLU" not in said(chapter, "Sigmoid")


def test_the_misread_digit_is_the_exports_first_miss(story, chapter):
    misses = [e for e in story.export.examples if e.source == "mnist-test" and int(np.argmax(e.a[-1])) != e.label]
    miss = min(misses, key=lambda e: e.index)
    answer = int(np.argmax(miss.a[-1]))
    words = said(chapter, "WrongAnswer")
    assert f"image number {spoken.integer(miss.index)} of the MNIST test set" in words
    assert f"The brightest output is {spoken.integer(answer)}, with an activation of " \
           f"{spoken.decimal(miss.a[-1][answer])}" in words
    assert f"the label says {spoken.integer(miss.label)}" in words
    assert spoken.decimal(miss.a[-1][miss.label]) in words


def test_pixels_and_snapshots_are_said_as_drawn(story, chapter):
    from nn_explainer.scenes.chapter_one.neuron_holds_a_number import window_indices

    _, middle = window_indices(story.example.pixels)
    held = sorted(float(story.example.pixels[i]) for i in middle)
    assert f"from {spoken.decimal(held[0])} up to {spoken.decimal(held[-1])}" in said(chapter, "NeuronHoldsANumber")
    learning = said(chapter, "Learning")
    for epoch, snapshot in story.snapshots:
        assert spoken.percent(snapshot.training["test_accuracy"], 1) in learning
        assert f"epoch {spoken.integer(epoch)}" in learning or epoch == 0


def test_a_relu_network_says_relu_and_never_sigmoid(relu_chapter):
    everything = " ".join(said(relu_chapter, beat.name) for beat in BEATS)
    assert "sigmoid" not in everything.lower()
    for beat in ("Sigmoid", "Bias", "MatrixForm", "ReLU"):
        assert "ReLU" in said(relu_chapter, beat), beat
    assert "already uses ReLU" in said(relu_chapter, "ReLU")
    assert "zero or more" in said(relu_chapter, "Sigmoid")
