"""ForwardPass: the trained network classifying the sloppy three, one layer at a time.

Beats, each its own manim section (so `render.py render --sections` gives one clip per
beat): `digit` (the 28x28 pixels, then the network wipes in), `unroll` (each 7x7 block
of pixels pools to its mean and flies into its input neuron), `layer_1` ... (each layer transition: the incoming edges
light up in the direction the signal flows and the next layer fills to its real
activations), `answer` (the brightest output neuron, its digit and its activation).

Every value drawn comes from the export through `export_data`. At the end of each
section the scene records what its neurons show (`self.states`), so tests can check
the picture against the export without reading pixels.
"""
from __future__ import annotations

from manim import (LEFT, RIGHT, UP, FadeIn, Rectangle, ReplacementTransform, SurroundingRectangle,
                   Text, VGroup, config, smooth)

from scenes import style
from scenes.beat import Beat
from scenes.mobjects.network_diagram import NetworkDiagram, SignalFlow
from scenes.mobjects.pixel_grid import PixelGrid


def delayed(start: float):
    """A rate function that waits until `start` (0-1), then eases in: fills follow the signal."""
    return lambda t: smooth(max(0.0, (t - start) / (1 - start)))


def describe(example) -> str:
    if example.source == "image":
        name = example.path.rsplit("/", 1)[-1]
        return f"your digit ({name})" + (f", meant as {example.label}" if example.label is not None else "")
    split = "training" if example.source == "mnist-train" else "test"
    return f"MNIST {split} image #{example.index}, labelled {example.label}"


class ForwardPass(Beat):
    diagram_height = 7.3  # frame units; the frame is 8 high
    narration = "Each layer's activations determine the next: the pattern flows through, and the brightest output is the answer."

    def beat(self):
        grid, caption, diagram = self.layout(self.inputs("ForwardPass"))
        self.states = []

        self.section("digit")
        self.play(FadeIn(grid), FadeIn(caption), run_time=style.APPEAR_SECONDS)
        self.reveal(diagram)
        self.record("digit")

        self.section("unroll")
        self.unroll(grid, diagram)
        self.record("unroll")

        for index in range(1, len(diagram.layers)):
            self.section(f"layer_{index}")
            self.transition(diagram, index)
            self.record(f"layer_{index}")

        self.section("answer")
        self.show_answer(diagram)
        self.wait(style.HOLD_SECONDS)

    def layout(self, inputs):
        """The digit on the left, the network on the right, nothing shown yet."""
        self.play_inputs = inputs
        self.example = inputs.example
        diagram = self.diagram = NetworkDiagram(inputs.network, inputs.example, edge_mode=self.settings.edges)
        diagram.scale_to_fit_height(min(diagram.height, self.diagram_height)).to_edge(RIGHT, buff=1.1)
        grid = PixelGrid(inputs.example.pixels).to_edge(LEFT, buff=0.6)
        caption = Text(describe(inputs.example), font_size=style.CAPTION_FONT_SIZE)
        caption.scale_to_fit_width(min(caption.width, grid.width + 0.6)).next_to(grid, UP, 0.3)
        return grid, caption, diagram

    def reveal(self, diagram: NetworkDiagram) -> None:
        """Wipe the network in from the left, the way the signal will flow.

        A black curtain slides off the network: manim draws the network once into its
        static background and then only the curtain per frame, and the encoder sees a
        narrow band of change instead of hundreds of fading edges. On a transparent
        background a curtain would show as black, so there the network fades in."""
        if config.transparent:
            self.play(FadeIn(diagram), run_time=style.APPEAR_SECONDS)
            return
        curtain = Rectangle(width=diagram.width + 0.4, height=diagram.height + 0.4, stroke_width=0)
        curtain.set_fill(style.BACKGROUND, opacity=1).move_to(diagram)
        self.add(diagram, curtain)
        self.play(curtain.animate.stretch(0, 0, about_edge=RIGHT), run_time=style.APPEAR_SECONDS)
        self.remove(curtain)

    def unroll(self, grid: PixelGrid, diagram: NetworkDiagram) -> None:
        """Pool each 7x7 block to its mean, then send the 16 blocks into the input column."""
        values = diagram.drawn_values(0)
        blocks = grid.block_squares(values)
        self.play(FadeIn(blocks), run_time=style.POOL_SECONDS)
        inputs = diagram.layers[0]
        arrivals = VGroup(*[neuron.copy().set_fill(opacity=float(value)) for neuron, value in zip(inputs.neurons, values)])
        self.play(*[ReplacementTransform(block, arrival) for block, arrival in zip(blocks, arrivals)],
                  run_time=style.UNROLL_SECONDS)
        inputs.set_activations(values)  # the real neurons take over the arrived copies
        self.remove(*arrivals)

    def transition(self, diagram: NetworkDiagram, index: int) -> None:
        """Layer index-1 -> index: the edges light up, then the neurons fill."""
        target = diagram.layers[index]
        # manim redraws every frame all that comes after the first animated mobject:
        # moving the target layer last keeps that to its neurons and the pulses.
        self.bring_to_front(target)
        self.play(SignalFlow(diagram.bundles[index - 1]),
                  *target.fill_animations(diagram.drawn_values(index), rate_func=delayed(0.45)),
                  run_time=style.TRANSITION_SECONDS)
        self.wait(style.PAUSE_SECONDS)

    def show_answer(self, diagram: NetworkDiagram) -> None:
        answer = diagram.answer()
        neuron = diagram.layers[-1].neurons[answer]
        label = diagram.output_labels[answer]
        activation = float(diagram.example.a[-1][answer])
        self.answer_text = Text(f"{activation:.2f}", font_size=style.LABEL_FONT_SIZE, color=style.HIGHLIGHT)
        self.answer_text.next_to(label, RIGHT, 0.2)
        box = SurroundingRectangle(VGroup(neuron, label, self.answer_text), color=style.HIGHLIGHT, buff=0.08)
        self.answer_box = box
        self.bring_to_front(label)  # only it and what is new need redrawing per frame
        self.play(FadeIn(box), FadeIn(self.answer_text), label.animate.set_color(style.HIGHLIGHT),
                  run_time=style.ANSWER_SECONDS)
        self.answer = {"digit": answer, "text": self.answer_text.text, "label_colour": label.get_color()}
        self.record("answer")

    def record(self, section: str) -> None:
        if not hasattr(self, "states"):
            return
        self.states.append({"section": section,
                            "activations": [layer.activations() for layer in self.diagram.layers]})
