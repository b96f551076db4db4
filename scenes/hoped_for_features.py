"""HopedForFeatures: the hoped-for story, clearly marked as a hope, then the truth.

Beat 5. The chapter hopes that hidden neurons pick up loops and lines and little
edges. We draw that hope in plain grey shapes, under a banner saying it is a hope
and not the network. Then the truth: the real incoming weights of every neuron of
the first hidden layer, as 28x28 heatmaps on one shared scale. They look nothing like
tidy strokes.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Arc, Circle, FadeIn, FadeOut, Line, Text, VGroup)

from scenes import style
from scenes.beat import BeatScene
from scenes.mobjects.heatmap import HeatmapLegend, WeightHeatmap
from scenes.mobjects.layout import fit_width
from scenes.mobjects.network_diagram import drawn_neurons


def hoped_nine() -> VGroup:
    """A 9 built from a loop and a line, in the grey of made-up pictures."""
    loop = Circle(radius=0.45, stroke_color=style.HOPE_COLOUR, stroke_width=8)
    line = Line(UP * 0.0, DOWN * 1.2, stroke_color=style.HOPE_COLOUR, stroke_width=8).next_to(loop, DOWN, 0).shift(RIGHT * 0.45 + UP * 0.45)
    return VGroup(loop, line)


def hoped_loop_pieces() -> VGroup:
    """The loop of the 9 as four little edges: what a second layer might hope for."""
    return VGroup(*[Arc(radius=0.45, start_angle=a, angle=np.pi / 2 - 0.25, stroke_color=style.HOPE_COLOUR,
                        stroke_width=8) for a in np.arange(4) * np.pi / 2])



def play(scene, story) -> None:
    banner = Text("a hope, not the network: made-up pictures", font_size=style.LABEL_FONT_SIZE,
                  color=style.HOPE_COLOUR).to_edge(UP, buff=0.4)
    nine = hoped_nine().move_to(LEFT * 3.5)
    equals = Text("=", font_size=48).next_to(nine, RIGHT, 0.6)
    loop = Circle(radius=0.45, stroke_color=style.HOPE_COLOUR, stroke_width=8).next_to(equals, RIGHT, 0.6)
    plus = Text("+", font_size=48).next_to(loop, RIGHT, 0.4)
    line = Line(UP * 0.6, DOWN * 0.6, stroke_color=style.HOPE_COLOUR, stroke_width=8).next_to(plus, RIGHT, 0.4)
    pieces = hoped_loop_pieces().arrange(RIGHT, buff=0.3).next_to(VGroup(loop, line), DOWN, 0.9)
    pieces_caption = Text("and a loop from little edges?", font_size=style.SMALL_FONT_SIZE,
                          color=style.HOPE_COLOUR).next_to(pieces, DOWN, 0.2)
    scene.play(FadeIn(banner), FadeIn(nine), run_time=0.8)
    scene.play(FadeIn(equals), FadeIn(loop), FadeIn(plus), FadeIn(line), run_time=0.8)
    scene.play(FadeIn(pieces), FadeIn(pieces_caption), run_time=0.8)
    scene.wait(style.READ_SECONDS)
    scene.play(*[FadeOut(m) for m in (banner, nine, equals, loop, plus, line, pieces, pieces_caption)], run_time=0.5)

    # The truth: the real weight patterns of the first hidden layer.
    weights = story.network.weights[0]
    shown = drawn_neurons(story.example.a[1], style.MAX_DRAWN_NEURONS)  # a wide layer: its most active
    scale = float(np.percentile(np.abs(weights[shown]), 99))  # one scale for all of them: comparable
    columns = int(np.ceil(np.sqrt(len(shown))))
    maps = VGroup(*[WeightHeatmap(weights[i], size=1.45, scale=scale) for i in shown])
    maps.arrange_in_grid(cols=columns, buff=0.15).scale_to_fit_height(6.2).to_edge(LEFT, buff=1.0).shift(DOWN * 0.3)
    which = (f"the {len(shown)} first-layer neurons" if len(shown) == len(weights) else
             f"{len(shown)} of the {len(weights):,} first-layer neurons, the most active for this digit")
    truth = fit_width(Text(f"the truth: real incoming weights of {which}",
                           font_size=style.LABEL_FONT_SIZE)).to_edge(UP, buff=0.35)
    legend = HeatmapLegend(scale).next_to(maps, RIGHT, 0.8)
    scene.play(FadeIn(truth), FadeIn(maps), FadeIn(legend), run_time=1.2)
    scene.wait(2 * style.READ_SECONDS)


class HopedForFeatures(BeatScene):
    beats = ("HopedForFeatures",)
