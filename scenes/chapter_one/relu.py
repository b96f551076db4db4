"""ReLU: the network's activation beside ReLU(a) = max(0, a), then a ReLU network
classifying the same digit.

The second network is trained by the same code with `--activation relu` (hidden
layers only; the output stays sigmoid) and read from its own export
(`Settings.relu_export`). Unbounded ReLU activations are drawn relative to the
brightest neuron of their layer. If the chapter's own network already uses ReLU, the
beat says so and shows ReLU alone: there is nothing else to compare.

A network trained elsewhere (`render.py import`) is never set beside ours: its chapter
tells of it alone (`compared`). The network appears as the sentence that introduces it
begins, never after it (the picture goes with its words).
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, MathTex, Text, VGroup

from nn_explainer.model.activations import activation
from nn_explainer.scenes.chapter_one import forward_pass
from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.activation_plot import axes_for, plot_activation
from nn_explainer.scenes.speech.narration import say

EXTENT = 5  # the x range of both plots: -5..5


def check(story):
    relu_story = compared(story)
    if relu_story is not None:
        relu_story.check_drawable("ReLU")


def compared(story):
    """The story whose pass the beat draws after the curves: our ReLU network beside a
    network of ours; for a network trained elsewhere never ours, only itself if it uses
    ReLU (None: the curves alone)."""
    if story.export.trained_here:
        return story.relu()
    return story if story.hidden_activation == activation("relu") else None


def trained_by(relu_story) -> str:
    """Who trained the ReLU network drawn: the same code as the chapter's own (which is
    ours: `compared` sets no other beside an imported one), or someone else."""
    return "trained by the same code" if relu_story.export.trained_here else "trained elsewhere"


def script(story) -> dict[str, str]:
    relu_story = compared(story)
    curve = "Below zero it gives zero. Above zero it passes its input through unchanged."
    if story.hidden_activation == activation("relu"):
        lines = {"plots": "This network already uses ReLU: the larger of zero and its input.", "curve": curve}
    else:
        name = spoken.activation_name(story.hidden_activation.name)
        lines = {
            "plots": (f"Modern networks rarely use the {name} function. Most use ReLU instead: "
                      "the larger of zero and its input."),
            "curve": f"{curve} Simpler, and deep networks learn more easily with it.",
        }
    if relu_story is None:
        return lines
    sizes, hidden = relu_story.network.sizes, relu_story.network.sizes[1:-1]
    if relu_story.export is story.export:  # the same file: no second network to introduce
        lines["network"] = "Here it is once more, ReLU in its hidden layers."
    else:
        shape = "of the same shape" if sizes == story.network.sizes else f"with {spoken.hidden_layers(hidden)}"
        lines["network"] = f"Here is a network {shape}, {trained_by(relu_story)}, with ReLU in its hidden layers."
    lines["digit"] = "It reads the same digit."
    lines["layer_1"] = ("ReLU activations have no upper limit, so each layer is drawn "
                        "relative to its brightest neuron.")
    lines["answer"] = forward_pass.answer_line(relu_story.example, relu_story.network)
    return lines


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    relu = activation("relu")
    functions = [story.hidden_activation] if story.hidden_activation == relu else [story.hidden_activation, relu]
    plots = VGroup()
    for function in functions:
        axes = axes_for(function, EXTENT, width=5.2, height=2.8)
        title = MathTex(function.definition, font_size=fonts.math(36)).next_to(axes, UP, 0.4)
        plots.add(VGroup(axes, plot_activation(axes, function, EXTENT, color=style.HIGHLIGHT), title))
    plots.arrange(RIGHT, buff=1.2)
    note = None
    if len(functions) == 1:
        note = Text("this network already uses ReLU", font_size=fonts.label).next_to(plots, UP, 0.5)
    with say(scene, lines["plots"]):
        scene.play(*[Create(p[0]) for p in plots], *[FadeIn(p[2]) for p in plots], *([FadeIn(note)] if note else []),
                   run_time=1.0)
    with say(scene, lines["curve"]):
        scene.play(*[Create(p[1]) for p in plots], run_time=1.2)
        scene.wait(style.READ_SECONDS)
    relu_story = compared(story)
    shown = (plots, *([note] if note else []))
    if relu_story is None:  # a network trained elsewhere, not ReLU: no network of ours beside it
        scene.wait(style.READ_SECONDS)
        scene.play(*[FadeOut(m) for m in shown], run_time=0.5)
        return

    text = ("this network,\nonce more" if relu_story.export is story.export else
            fonts.pick(f"a ReLU network,\n{trained_by(relu_story)}",
                       "a ReLU network,\n" + trained_by(relu_story).replace(" by ", " by\n")))
    label = Text(text, font_size=fonts.small, line_spacing=0.8).to_corner(DOWN + LEFT, buff=0.5)
    scene.play(*[FadeOut(m) for m in shown], FadeIn(label), run_time=0.5)
    # The network appears as the sentence introducing it begins: it is the pass's first step.
    pass_lines = {"digit": lines["network"], "unroll": lines["digit"], "layer_1": lines["layer_1"],
                  "answer": lines["answer"]}
    forward_pass.play(scene, story, export_story=relu_story, lines=pass_lines)


class ReLU(BeatScene):
    beats = ("ReLU",)
