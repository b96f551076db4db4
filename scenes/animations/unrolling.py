"""The network appearing, and the digit's pixels flowing into its input column."""
from __future__ import annotations

from manim import RIGHT, FadeIn, Rectangle, ReplacementTransform, VGroup, config

from scenes import style
from scenes.mobjects.network_diagram import NetworkDiagram
from scenes.mobjects.pixel_grid import PixelGrid


def reveal(scene, diagram: NetworkDiagram) -> None:
    """Wipe the network in from the left, the way the signal will flow.

    A black curtain slides off the network: manim draws the network once into its
    static background and then only the curtain per frame, and the encoder sees a
    narrow band of change instead of hundreds of fading edges. On a transparent
    background a curtain would show as black, so there the network fades in."""
    if config.transparent:
        scene.play(FadeIn(diagram), run_time=style.APPEAR_SECONDS)
        return
    curtain = Rectangle(width=diagram.width + 0.4, height=diagram.height + 0.4, stroke_width=0)
    curtain.set_fill(style.BACKGROUND, opacity=1).move_to(diagram)
    scene.add(diagram, curtain)
    scene.play(curtain.animate.stretch(0, 0, about_edge=RIGHT), run_time=style.APPEAR_SECONDS)
    scene.remove(curtain)


def unroll(scene, grid: PixelGrid, diagram: NetworkDiagram) -> None:
    """Pool each block of pixels to its mean, then send the blocks into the input column."""
    values = diagram.drawn_values(0)
    blocks = grid.block_squares(values)
    scene.play(FadeIn(blocks), run_time=style.POOL_SECONDS)
    inputs = diagram.layers[0]
    arrivals = VGroup(*[neuron.copy().set_fill(opacity=float(value)) for neuron, value in zip(inputs.neurons, values)])
    scene.play(*[ReplacementTransform(block, arrival) for block, arrival in zip(blocks, arrivals)],
               run_time=style.UNROLL_SECONDS)
    inputs.set_activations(values)  # the real neurons take over the arrived copies
    scene.remove(*arrivals)
