"""ReLU: the network's activation beside ReLU(a) = max(0, a), then a ReLU network
classifying the same digit.

The second network is trained by the same code with `--activation relu` (hidden
layers only; the output stays sigmoid) and read from its own export
(`Settings.relu_export`). Unbounded ReLU activations are drawn relative to the
brightest neuron of their layer. If the chapter's own network already uses ReLU, the
beat says so and shows ReLU alone: there is nothing else to compare.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, MathTex, Text, VGroup

from nn_explainer.model.activations import activation
from nn_explainer.scenes import forward_pass, spoken, style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.activation_plot import axes_for, plot_activation
from nn_explainer.scenes.narration import say

EXTENT = 5  # the x range of both plots: -5..5


def check(story):
    story.relu().check_drawable("ReLU")


def trained_by(story) -> str:
    """Who trained the ReLU network beside this one: ours always; the same code as this
    network's only if this one is ours too (not imported)."""
    return "trained by the same code" if story.export.trained_here else "trained by nn-explainer"


def script(story) -> dict[str, str]:
    relu_story = story.relu()
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
    sizes, hidden = relu_story.network.sizes, relu_story.network.sizes[1:-1]
    if relu_story.export is story.export:  # the same file: no second network to introduce
        lines["network"] = "Here it is once more, ReLU in its hidden layers."
    else:
        shape = "of the same shape" if sizes == story.network.sizes else f"with {spoken.hidden_layers(hidden)}"
        lines["network"] = f"Here is a network {shape}, {trained_by(story)}, with ReLU in its hidden layers."
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
    scene.play(*[FadeOut(m) for m in (plots, *([note] if note else []))], run_time=0.5)

    relu_story = story.relu()
    by = trained_by(story)
    label = Text(fonts.pick(f"a ReLU network,\n{by}", "a ReLU network,\n" + by.replace(" by ", " by\n")),
                 font_size=fonts.small, line_spacing=0.8)
    label.to_corner(DOWN + LEFT, buff=0.5)
    with say(scene, lines["network"]):
        scene.play(FadeIn(label), run_time=0.5)
    pass_lines = {name: lines[name] for name in ("digit", "layer_1", "answer")}
    forward_pass.play(scene, story, export_story=relu_story, lines=pass_lines)


class ReLU(BeatScene):
    beats = ("ReLU",)
