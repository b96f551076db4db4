"""Pooling: the network's own pooling, one window written out, then every pooled map.

The convolution chapter's fourth beat. The first pooling layer of the export (max or
average, its window and stride as the network has them): one map it pools, with the
window whose kept value is the pooled map's largest framed; that window's values
written in its layout, the kept one (or the mean) equal to the pooled map's value
there, as the export holds it; the pooled map beside it at the same cell size, so the
shrinking shows. Then every pooled map (its most active, for a wide layer) on the
layer's colour scale. A network without pooling says so.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, FadeIn, FadeOut, Group, MathTex, Rectangle, Square, Text, VGroup, Write,
                   config)

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.convolutions.picks import layer_scale, layer_title, most_active, pool_window
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.feature_maps import MapMosaic, MapPicture
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.number_grid import NumberGrid
from nn_explainer.scenes.speech.narration import say

MAX_DRAWN = 32
MAX_WRITTEN = 5        # sides of a window whose values are written out
NAMES = {"maxpool": "max pooling", "avgpool": "average pooling"}


def written(value: float) -> str:
    return "pad" if not np.isfinite(value) else fmt(value)


def script(story) -> dict[str, str]:
    pool = pool_window(story)
    if pool is None:
        return {"none": "This network has no pooling layer: its maps keep their size until the next convolution "
                        "or the dense layers."}
    (kh, kw), (sh, sw) = pool.kernel, pool.stride
    keeps = "keeps each window's largest value" if pool.kind == "maxpool" else "keeps the mean of each window's values"
    apart = (f"{spoken.integer(sh)} pixels apart" if sh == sw else
             f"{spoken.integer(sh)} rows and {spoken.integer(sw)} columns apart")
    values = pool.values.reshape(-1)
    count, rows, cols = pool.after.shape
    listed = (spoken.sequence([spoken.decimal(v) if np.isfinite(v) else "padding" for v in values])
              if pool.values.shape[0] <= MAX_WRITTEN and pool.values.shape[1] <= MAX_WRITTEN
              else f"{spoken.integer(values.size)} values")
    drawn = min(count, MAX_DRAWN)
    return {
        "rule": (f"Pooling shrinks every map. This network's, {NAMES[pool.kind]}, takes {spoken.integer(kh)} by "
                 f"{spoken.integer(kw)} windows, {apart}, and {keeps}."),
        "window": (f"Here is one window of map {spoken.integer(pool.channel)}: {listed}. It keeps "
                   f"{spoken.decimal(pool.kept)}, the pooled map's value at row {spoken.integer(pool.row)}, "
                   f"column {spoken.integer(pool.col)}."),
        "all": (f"Every map pooled: {spoken.integer(count)} maps of {spoken.integer(rows)} by {spoken.integer(cols)}, "
                f"{spoken.integer(pool.after.size)} values instead of {spoken.integer(pool.before.size)}"
                + ("." if drawn == count else f"; the {spoken.integer(drawn)} most active are drawn.")),
    }


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    pool = pool_window(story)
    if pool is None:
        note = fit_width(Text("no pooling layer in this network", font_size=fonts.title))
        with say(scene, lines["none"]):
            scene.play(FadeIn(note), run_time=0.8)
        scene.wait(style.READ_SECONDS)
        return
    network = story.network
    (kh, kw), (sh, sw) = pool.kernel, pool.stride
    title = fit_width(Text(f"{layer_title(network, pool.layer)}: {NAMES[pool.kind]}, {kh}x{kw} windows, "
                           f"stride {sh if sh == sw else f'{sh}x{sw}'}", font_size=fonts.title)).to_edge(UP, 0.3)
    scale = layer_scale(pool.before)
    size = fonts.pick(4.4, 3.6)
    source = MapPicture(pool.before[pool.channel], scale, size).to_edge(LEFT, 0.6).shift(DOWN * 0.3)
    height, width = pool.before.shape[1:]
    rows, cols = pool.after.shape[1:]
    pooled = MapPicture(pool.after[pool.channel], scale, size * rows / height).to_edge(RIGHT, 0.8).shift(DOWN * 0.3)
    cell = source.cell_size()
    top, left = pool.row * sh - pool.padding[0], pool.col * sw - pool.padding[1]
    window = Rectangle(width=kw * cell, height=kh * cell).set_stroke(style.HIGHLIGHT, width=3)
    window.move_to(source.cell_centre(top, left) + np.array([(kw - 1) * cell / 2, -(kh - 1) * cell / 2, 0]))
    marker = Square(side_length=pooled.cell_size()).set_stroke(style.HIGHLIGHT, width=3)
    marker.move_to(pooled.cell_centre(pool.row, pool.col))
    labels = VGroup(Text(f"map {pool.channel}, {height}x{width}", font_size=fonts.small).next_to(source, UP, 0.15),
                    Text(f"pooled, {rows}x{cols}", font_size=fonts.small).next_to(pooled, UP, 0.15))
    with say(scene, lines["rule"]):
        scene.play(FadeIn(title), FadeIn(source), FadeIn(labels[0]), run_time=1.0)
        scene.play(FadeIn(window, scale=1.3), run_time=0.5)
    scene.bring_to_back(title, source, labels[0])

    values = pool.values
    shown = values.shape[0] <= MAX_WRITTEN and values.shape[1] <= MAX_WRITTEN
    kept_at = (tuple(int(v) for v in np.unravel_index(int(np.argmax(values)), values.shape))
               if pool.kind == "maxpool" else None)
    rule = r"\max" if pool.kind == "maxpool" else r"\text{mean}"
    result = MathTex(rule + " = ", fmt(pool.kept), font_size=fonts.formula)
    result[1].set_color(style.HIGHLIGHT)
    middle = Group(NumberGrid([[written(v) for v in row] for row in values], fonts.pick(2.0, 2.8), fonts.label, kept_at) if shown else
                   Text(f"{values.size} values", font_size=fonts.label), result).arrange(DOWN, buff=0.35)
    middle.move_to((source.get_right() + pooled.get_left()) / 2).set_y(source.get_y())
    with say(scene, lines["window"]):
        scene.play(FadeIn(middle[0]), run_time=0.8)
        scene.play(Write(result), FadeIn(pooled), FadeIn(labels[1]), FadeIn(marker), run_time=1.0)
        scene.wait(style.READ_SECONDS)

    count = len(pool.after)
    shown_maps = most_active(pool.after, MAX_DRAWN)
    columns = int(np.ceil(np.sqrt(2 * len(shown_maps))))
    mosaic = MapMosaic(pool.after[shown_maps], scale, columns, width=min(fonts.pick(9.0, 10.0), 2.2 * columns))
    if mosaic.height > 4.4:
        mosaic.scale_to_fit_height(4.4)
    mosaic.next_to(title, DOWN, 0.35)
    counts = f"{count} maps of {rows}x{cols}: {pool.after.size:,} values, from {pool.before.size:,}"
    drawn_note = "" if len(shown_maps) == count else f"({len(shown_maps)} most active drawn)"
    caption = Text(f"{counts} {drawn_note}".strip(), font_size=fonts.label)
    if caption.width > config.frame_width - 1.0 and drawn_note:   # on one line it would shrink below legible
        caption = Text(f"{counts}\n{drawn_note}", font_size=fonts.label, line_spacing=0.8)
    fit_width(caption).next_to(mosaic, DOWN, 0.3)
    with say(scene, lines["all"]):
        scene.play(FadeOut(source), FadeOut(window), FadeOut(middle), FadeOut(pooled), FadeOut(marker),
                   FadeOut(labels), run_time=0.6)
        scene.play(FadeIn(mosaic), FadeIn(caption), run_time=1.0)
        scene.wait(style.READ_SECONDS)
    scene.wait(style.READ_SECONDS)


class Pooling(BeatScene):
    beats = ("Pooling",)
