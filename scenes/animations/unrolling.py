"""The network appearing, and the digit's pixels flowing into its input column."""
from __future__ import annotations

import numpy as np
from manim import DOWN, RIGHT, UP, FadeIn, FadeOut, Rectangle, ReplacementTransform, Text, Transform, VGroup, config

from nn_explainer.scenes import style
from nn_explainer.scenes.mobjects.network_diagram import NetworkDiagram
from nn_explainer.scenes.mobjects.input_blocks import block_of_pixels
from nn_explainer.scenes.mobjects.pixel_grid import PixelGrid, rectangle_points


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


def unroll_every_pixel(scene, grid: PixelGrid, diagram: NetworkDiagram) -> None:
    """The original's device: every pixel leaves the grid for its own place in one long
    column, one neuron per pixel (784 of them, each a thin bar of its brightness, top
    pixel first), then the column collapses into the drawn input column, each pixel into
    the block it belongs to, and the block neurons fill to their means."""

    inputs = diagram.layers[0]
    count = grid.pixels.size
    height = config.frame_height - 1.2
    step = height / count
    label = Text(f"{count} neurons,\none per pixel", font_size=diagram.typography.label, line_spacing=0.8)
    # The label goes right of the column, clear of the input neurons (a wide network's
    # diagram, pushed left by its notes, leaves less room): the column moves left for it.
    x = min((grid.get_right()[0] + inputs.get_left()[0]) / 2 - 0.2,
            inputs.get_left()[0] - LABEL_GAP - label.width - 0.15 - (STRIP_WIDTH + 0.06) / 2)
    top = height / 2
    column, collapsed = VGroup(), VGroup()
    for shade in grid.shades:
        indices = shade.pixel_indices
        centres = np.stack([np.full(len(indices), x), top - (indices + 0.5) * step, np.zeros(len(indices))], 1)
        column.add(shade.copy().set_points(rectangle_points(centres, STRIP_WIDTH, step * 0.9)))
        targets = np.array([inputs.neurons[b].get_center() for b in block_of_pixels(indices)])
        collapsed.add(shade.copy().set_points(rectangle_points(targets, 0.02, 0.02)))
    outline = Rectangle(width=STRIP_WIDTH + 0.06, height=height + 0.06, stroke_width=1,
                        stroke_color=style.PIXEL_STROKE).move_to([x, 0, 0])
    label.next_to(outline, RIGHT, 0.15).to_edge(DOWN, buff=0.3)
    flying = grid.shades.copy()
    scene.play(Transform(flying, column), FadeIn(outline), run_time=style.UNROLL_SECONDS)
    scene.play(FadeIn(label, shift=UP * 0.2), run_time=0.6)
    scene.wait(style.PAUSE_SECONDS)
    scene.play(Transform(flying, collapsed), FadeOut(outline), FadeOut(label),
               *inputs.fill_animations(diagram.drawn_values(0), rate_func=lambda t: max(0.0, 2 * t - 1)),
               run_time=style.UNROLL_SECONDS)
    scene.remove(flying)


STRIP_WIDTH = 0.4   # frame units: the unrolled column, one thin bar per pixel
LABEL_GAP = 0.1     # frame units between the column's label and the input neurons

