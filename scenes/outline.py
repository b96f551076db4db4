"""The chapters' outline: every beat in order, what it says and what it reads.

This is the one list of beats. `Chapter` (how the network computes), `Chapter2`
(how it learns: its real gradients) and `ChapterConv` (a CNN's kernels, maps, ReLU and
pooling) play theirs in this order, `render.py list`
prints them, the chapter's subtitles are their narration, and the clip keys hash the
parts of the export each one reads. It imports no manim, so listing the scenes or
checking which clips are stale stays fast; a beat's drawing code lives in its own
module (`module`), which defines `play(scene, story)` and the beat's standalone scene.

What a beat reads (`reads`), the parts of the export a change of which must re-render it:
- "shapes": the layer sizes and activation names;
- "weights": the weights and biases of the network;
- "digit": the chosen example: its pixels and every layer's z and a;
- "examples": every example in the export (e.g. other threes shown beside the digit);
- "relu": the whole ReLU export the ReLU beat compares against;
- "snapshots": the training snapshots beside the export (`network.epochN.json`): their
  epochs, weights, the digit through them, their accuracies and the run's history;
- "evidence": the export's neuron evidence (model/neuron_evidence.py): top digits,
  maximising inputs, knock-out accuracies, the layer-2 overlap measure.
- chapter two's parts of the export's `gradients` section (docs/export-format.md; the
  digit's own cost and gradient follow from "weights" and "digit"): "test_costs" (the
  test set's cost per snapshot), "batch" (the mini-batch, its gradient and one step),
  "surface" (the slice of the cost surface and the ball's path), "history" (training's
  loss per epoch).
"""
from __future__ import annotations

from dataclasses import dataclass

from nn_explainer.model import invocation
from nn_explainer.model.errors import UserError

GRADIENT_PARTS = ("test_costs", "batch", "surface", "history")  # of the export's `gradients` section
READS = ("shapes", "weights", "digit", "examples", "relu", "snapshots", "evidence", *GRADIENT_PARTS)


# The kinds of network a beat can draw: a multilayer perceptron (`network` section) or a
# convolutional network (`convnet`). Most of chapter one's beats draw an MLP's neurons and
# weight matrices; the convolution chapter's draw kernels and feature maps.
MLP, CNN = "mlp", "cnn"
KINDS = (MLP, CNN)


@dataclass(frozen=True)
class BeatInfo:
    name: str          # the standalone scene's class name: `render.py render NAME`
    module: str        # where its `play(scene, story)` and its scene are
    narration: str     # one subtitle line for the chapter
    shows: str         # one line for `render.py list`
    reads: frozenset   # of READS
    kinds: frozenset = frozenset({MLP})   # of KINDS: the networks it draws

    def __post_init__(self):
        unknown = set(self.reads) - set(READS)
        assert not unknown, f"{self.name} reads unknown parts {unknown}"
        assert self.kinds and set(self.kinds) <= set(KINDS), f"{self.name} draws unknown kinds {self.kinds}"


@dataclass(frozen=True)
class Drawn:
    """What about a network decides which beats can draw it."""

    trained_here: bool = True     # by `render.py train`: its training run is ours to draw
    convolutional: bool = False   # a CNN: kernels and feature maps, not an MLP's neurons

    @classmethod
    def of(cls, export) -> "Drawn":
        return cls(export.trained_here, export.convolutional)

    @property
    def kind(self) -> str:
        return CNN if self.convolutional else MLP


OURS = Drawn()   # the committed MLP: every beat of chapters one and two draws it


def _beat(name, module, reads, narration, shows, kinds=(MLP,)) -> BeatInfo:
    return BeatInfo(name, f"nn_explainer.scenes.{module}", narration, shows, frozenset(reads), frozenset(kinds))


def _conv_beat(name, module, reads, narration, shows) -> BeatInfo:
    """A beat of the convolution chapter (scenes/convolutions/`module`): it draws a CNN only."""
    return _beat(name, f"convolutions.{module}", reads, narration, shows, kinds=(CNN,))


BEATS = (
    _beat("SloppyThree", "chapter_one.sloppy_three", {"digit", "examples"},
          "A sloppy three: a small grid of pixels, and your brain reads it at once.",
          "the digit as a grid of pixels, and other threes of the training set"),
    _beat("NeuronHoldsANumber", "chapter_one.neuron_holds_a_number", {"digit"},
          "Each pixel is a number between 0 and 1; a neuron is a thing that holds such a number.",
          "a neuron holds a number between 0 and 1: real pixel values"),
    _beat("WriteAProgram", "chapter_one.write_a_program", {"shapes", "digit"},
          "The digit is just numbers, one per pixel. Could you write a program that reads them and says which digit?",
          "the digit's real pixel values written out (a window of them, the rest elided), and the challenge"),
    _beat("Layers", "chapter_one.layers", {"shapes", "weights", "digit"},
          "One input neuron per pixel; hidden layers in the middle; ten outputs, one per digit.",
          "the grid unrolls into the input layer; the hidden layers and the outputs; the brightest output"),
    _beat("ForwardPass", "chapter_one.forward_pass", {"shapes", "weights", "digit"},
          "Each layer's activations determine the next: the pattern flows through, "
          "and the brightest output is the answer.",
          "the trained network classifying the digit, one layer transition at a time",
          (MLP, CNN)),
    _beat("WrongAnswer", "chapter_one.wrong_answer", {"shapes", "weights", "examples"},
          "It is not always right: here is a real test digit it gets wrong, and what it should have said.",
          "the first test digit the trained network misclassifies: its pass, the wrong answer and the true label"),
    _beat("WhyTwoLayers", "chapter_one.why_two_layers", {"shapes", "weights"},  # the accuracy is the weights'
          "Why two layers of 16? A choice: this is what that choice gives, and the hope behind it.",
          "the hidden widths as a choice: the real sizes, parameter count and test accuracy; the hope for edges and loops"),
    _beat("HopedForFeatures", "chapter_one.hoped_for_features", {"weights"},
          "We might hope hidden neurons find loops and edges. The real weights look nothing like that.",
          "the hoped-for loops and edges (marked as a hope), then the real first-layer weight patterns"),
    _beat("OneNeuronsWeights", "chapter_one.one_neurons_weights", {"weights", "digit"},
          "One hidden neuron's weights, drawn as a picture: blue positive, red negative.",
          "the most active hidden neuron's weights as a heatmap"),
    _beat("WeightedSum", "chapter_one.weighted_sum", {"weights", "digit"},
          "The neuron adds up every pixel times its weight: one weighted sum.",
          "w1·a1 + ... + wn·an with that neuron's real terms and total"),
    _beat("Sigmoid", "chapter_one.activation_function", {"shapes", "weights", "digit"},
          "The activation function turns the sum into the neuron's activation.",
          "the network's activation function, with the neuron's real z and activation on the curve"),
    _beat("Bias", "chapter_one.bias", {"shapes", "weights", "digit"},
          "The bias says how high the weighted sum must be before the neuron lights up.",
          "the neuron's real bias: active only when the weighted sum is high enough"),
    _beat("ParameterCount", "chapter_one.parameter_count", {"shapes"},
          "All in all, every weight and bias is a knob to turn.",
          "the weights and biases counted from the layer sizes"),
    _beat("MatrixForm", "chapter_one.matrix_form", {"shapes", "weights", "digit"},
          "A whole layer at once: the weights form a matrix, and a(1) = f(W a(0) + b).",
          "a(1) = f(W a(0) + b) with the real matrix, bias and result"),
    _beat("NetworkIsAFunction", "chapter_one.network_is_a_function", {"shapes", "digit"},
          "The whole network is just a function: pixels in, ten numbers out.",
          "f(pixels) = ten outputs: the real outputs, and the number of knobs"),
    _beat("Learning", "chapter_one.learning", {"shapes", "weights", "digit", "snapshots"},
          "Learning is finding these weights: here is our network's training run, snapshot by snapshot.",
          "the real training run: one neuron's weights, the digit's pass and the accuracy curve at each kept epoch"),
    _beat("ReLU", "chapter_one.relu", {"shapes", "relu"},
          "Modern networks often use ReLU, max(0, a), instead: here is ours, trained with ReLU, on the same digit.",
          "sigmoid beside ReLU, then the ReLU network classifying the same digit"),
)

# What the hidden layers really do, measured on this network: the answer to the hope of
# HopedForFeatures, as a short chapter of its own to watch after chapter one (its beats
# speak of weighted sums and activations, which chapter one explains after that hope).
HIDDEN_LAYERS = (
    _beat("WhatExcitesANeuron", "hidden_neurons.what_excites_a_neuron", {"evidence"},
          "What does a hidden neuron respond to? The test digits that excite it most, and their labels.",
          "a hidden neuron's most exciting test digits, their activations, and how many share a label"),
    _beat("WhatANeuronWants", "hidden_neurons.what_a_neuron_wants", {"weights", "evidence"},
          "What does a neuron want to see? The input that excites it most, found by gradient ascent, beside its weights.",
          "the input that maximises a neuron (gradient ascent on the pixels, regularised) beside its weight heatmap"),
    _beat("KnockOneOut", "hidden_neurons.knock_one_out", {"evidence"},
          "Silence one neuron at a time: which ones does the answer lean on?",
          "test accuracy with each hidden neuron silenced, sorted, and the digit's answer without the most important one"),
    _beat("DoesLayerTwoCombine", "hidden_neurons.does_layer_two_combine", {"evidence"},
          "Does the second layer build on the first layer's parts? A measurement, and its verdict.",
          "how a layer-2 neuron's top digits overlap its strongest layer-1 inputs', against its weakest: the verdict"),
)

# Chapter two: how this network learns, every number from its real gradients.
CHAPTER_TWO = (
    _beat("CostOfOneDigit", "chapter_two.cost_of_one_digit", {"shapes", "weights", "digit", "snapshots"},
          "The cost of one digit: how far its ten outputs are from what they should be, in the cost training really used.",
          "the digit's outputs beside what they should be; the cross-entropy training minimised, untrained and trained"),
    _beat("CostOfTheSet", "chapter_two.cost_of_the_set", {"test_costs"},
          "The cost of the network is the average over every test digit: high untrained, low trained.",
          "the mean cost over the 10,000 test digits at each kept snapshot and trained"),
    _beat("Downhill", "chapter_two.downhill", {"surface"},
          "Learning is going downhill on the cost: here is a real slice of it, and a ball taking real gradient steps.",
          "a real slice of the cost surface through the trained weights, and real gradient steps down it"),
    _beat("GradientVector", "chapter_two.gradient_vector", {"shapes", "weights", "digit"},
          "The gradient: one number per weight and bias, saying which nudges lower the cost most.",
          "the digit's gradient: its size, its largest components and their real ratios"),
    _beat("Backpropagation", "chapter_two.backpropagation", {"shapes", "weights", "digit"},
          "Backpropagation: what the digit wants from each output, passed back one layer at a time.",
          "the forward pass in a mirror: each layer's wanted changes, edges coloured by their weights' gradient"),
    _beat("OneStep", "chapter_two.one_step", {"batch"},
          "Many digits, one step: a mini-batch's nudges averaged, and one plain gradient step.",
          "a real mini-batch's wanted nudges, their average, and one gradient-descent step's cost before and after"),
    _beat("BackToTheRun", "chapter_two.back_to_the_run", {"history", "test_costs"},
          "Training took thousands of such steps: here is the real run, its cost falling epoch by epoch.",
          "the real training curve: the loss per epoch, and the test cost at the kept snapshots"),
)

# The convolution chapter: a CNN's real kernels sliding over the digit, its feature maps,
# ReLU and pooling (then the second convolution, the dense layers, what the kernels look
# for and their learning), every number from its export.
CONVOLUTIONS = (
    _conv_beat("OneKernel", "one_kernel", {"shapes", "weights", "digit"},
               "A convolution looks through small kernels: one real first-layer kernel, as its numbers and as a picture.",
               "a real first-layer kernel (the one whose map peaks highest on the digit): its weights, heatmap and bias"),
    _conv_beat("SlidingWindow", "sliding_window", {"shapes", "weights", "digit"},
               "The kernel slides over the digit: at each position, weights times pixels, summed, plus the bias.",
               "the kernel over the digit at one position, its products and sum written out; then sliding, the map filling in"),
    _conv_beat("FeatureMaps", "feature_maps", {"shapes", "weights", "digit"},
               "Every kernel makes its own map of the digit; ReLU then zeroes their negative values.",
               "every map of the first convolution on one colour scale, then the activation (ReLU: how many values it zeroes)"),
    _conv_beat("Pooling", "pooling", {"shapes", "weights", "digit"},
               "Pooling shrinks each map: each small window keeps one value.",
               "the network's own pooling: one window's values and the one it keeps, then every pooled map"),
    _conv_beat("SecondConvolution", "second_convolution", {"shapes", "weights", "digit"},
               "The second convolution: each output map is the sum, over every input map, of its own kernel's "
               "response, plus a bias.",
               "one output map of the second convolution as the sum of its input maps' responses plus the bias, at one place"),
    _conv_beat("IntoTheDenseLayers", "into_the_dense_layers", {"shapes", "weights", "digit"},
               "Flatten lays the last maps end to end into one long list; from there the dense layers give the answer.",
               "the last maps flattened (C×H×W order) into one list, the dense layers as chapter one draws them, the answer "
               "and its probability"),
    _conv_beat("WhatKernelsLookFor", "what_kernels_look_for", {"weights"},
               "Do the kernels find little edges, as chapter one hoped? Each first-layer kernel beside its best edge, measured.",
               "the first layer's kernels beside the hope of little edges: the share of each one's energy its best oriented "
               "edge explains, against chance, and the verdict"),
    _conv_beat("KernelsLearning", "kernels_learning", {"weights", "snapshots"},
               "Learning found these kernels: one of them and the test accuracy at each snapshot of our CNN's training run.",
               "the real training run of our CNN: one first-layer kernel, its edge share and the test accuracy at each kept "
               "epoch"),
)


def _chapter(name: str, beats: tuple, shows: str, kinds: tuple | None = None) -> BeatInfo:
    """A chapter draws the kinds of network its beats draw, or only `kinds`: chapter one
    tells an MLP's story, though its ForwardPass can also draw a CNN (which ChapterConv
    opens with)."""
    return BeatInfo(name, "nn_explainer.scenes.chapter", "", shows, frozenset().union(*(beat.reads for beat in beats)),
                    frozenset(kinds) if kinds else frozenset().union(*(beat.kinds for beat in beats)))


CHAPTER = _chapter("Chapter", BEATS, "all of the above in order as one video, with subtitles", kinds=(MLP,))
HIDDEN = _chapter("WhatHiddenNeuronsDo", HIDDEN_LAYERS,
                  "what the hidden neurons really do: the four beats above it as one video, after chapter one")
CHAPTER2 = _chapter("Chapter2", CHAPTER_TWO, "chapter two: the beats above it in order, as one video with subtitles")
# The convolution chapter opens with the whole pass (ForwardPass draws a CNN too), then
# zooms into its kernels, maps and pooling.
CONVOLUTION_CHAPTER = (next(beat for beat in BEATS if beat.name == "ForwardPass"), *CONVOLUTIONS)
CHAPTER_CONV = _chapter("ChapterConv", CONVOLUTION_CHAPTER,
                        "the convolution chapter (a CNN's export): ForwardPass, then the beats above it in order, "
                        "as one video", kinds=(CNN,))
CHAPTERS = {CHAPTER.name: BEATS, HIDDEN.name: HIDDEN_LAYERS, CHAPTER2.name: CHAPTER_TWO,
            CHAPTER_CONV.name: CONVOLUTION_CHAPTER}  # each chapter's beats, in order
ALL_BEATS = BEATS + HIDDEN_LAYERS + CHAPTER_TWO + CONVOLUTIONS
SCENES = {info.name: info for info in (*BEATS, CHAPTER, *HIDDEN_LAYERS, HIDDEN, *CHAPTER_TWO, CHAPTER2,
                                       *CONVOLUTIONS, CHAPTER_CONV)}


# The beats that draw the training run itself (its snapshots, its loss epoch by epoch,
# its test cost over the epochs): a network trained elsewhere (`render.py import`) has
# no run of ours to draw, so its chapters go without them, and each alone refuses.
RUN_BEATS = frozenset({"Learning", "CostOfTheSet", "BackToTheRun", "KernelsLearning"})


def scene_info(name: str) -> BeatInfo:
    if name not in SCENES:
        raise UserError(f"unknown scene '{name}' (known: {', '.join(SCENES)}; see `{invocation.program()} list`)")
    return SCENES[name]


def beats_of(name: str, drawn: Drawn = OURS) -> tuple[str, ...]:
    """The beats a scene plays: a chapter its own, in order, less those that cannot draw
    this network (outline.drawable); a beat's own scene itself."""
    if name not in CHAPTERS:
        scene_info(name)  # an unknown name is refused
        return (name,)
    if drawn.kind not in SCENES[name].kinds:   # chapter one for a CNN: none of its story
        return ()
    return drawable(tuple(beat.name for beat in CHAPTERS[name]), drawn)


def left_out(name: str, drawn: Drawn) -> tuple[str, ...]:
    """The beats of scene `name` that `beats_of` leaves out for this network (in order)."""
    kept = beats_of(name, drawn)
    return tuple(beat for beat in beats_of(name) if beat not in kept)


def why_not(name: str, drawn: Drawn, draws: str = "draws") -> str | None:
    """Why beat `name` cannot draw this network, as a sentence's predicate ("draws ...";
    `draws="draw"` for several beats); None if it can."""
    if drawn.kind not in SCENES[name].kinds:
        return (f"{draws} a convolutional network's kernels and feature maps, and this network is a "
                "multilayer perceptron" if drawn.kind == MLP else
                f"{draws} a multilayer perceptron's neurons and weights, and this network is convolutional")
    if name in RUN_BEATS and not drawn.trained_here:
        return f"{draws} our training run, and this network was trained elsewhere"
    return None


def refuse_unless_drawable(name: str, drawn: Drawn, export_name: str) -> None:
    """One line, before anything is drawn, when scene `name` (a beat or a chapter) cannot
    draw this network."""
    why = why_not(name, drawn)
    if why is not None:
        raise UserError(f"{name} {why} ({export_name})")


def drawable(beats: tuple[str, ...], drawn: Drawn) -> tuple[str, ...]:
    """Of these beats, those that can draw this network: of its kind (an MLP's or a CNN's),
    and, if it was trained elsewhere, not drawing our training run."""
    return tuple(beat for beat in beats if why_not(beat, drawn) is None)


def is_chapter(name: str) -> bool:
    """Whether `name` plays several beats: its clip is joined from theirs, not rendered."""
    return name in CHAPTERS


def chapter_beats(name: str) -> tuple[str, ...]:
    """Every beat of a chapter, in order, whatever the network (a chapter's scene class)."""
    return tuple(beat.name for beat in CHAPTERS[name])


def scene_class(name: str) -> type:
    """The manim Scene class of a beat or of the Chapter (imports manim)."""
    import importlib
    info = scene_info(name)
    return getattr(importlib.import_module(info.module), info.name)
