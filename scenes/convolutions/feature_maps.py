"""FeatureMaps: every map of the first convolution, then the activation (ReLU zeroing the negatives).

The convolution chapter's third beat. Each kernel makes its own map of the digit; all of
them are drawn as small pictures in one mosaic (one picture, MapMosaic), on one colour
scale for the layer, written under them. Then the activation that follows the
convolution: the mosaic turns into the maps after it (the very pixels cross-fading),
and for ReLU the beat counts, from the maps before and after it in the export, how many
values it set to zero. A layer of more maps than fit (MAX_DRAWN) shows its most active
ones and says how many are not drawn.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, UP, FadeIn, Text, UpdateFromAlphaFunc

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.convolutions.picks import (activated, chosen_kernel, digit_words, layer_scale, layer_title,
                                                    most_active)
from nn_explainer.scenes.mobjects.feature_maps import MapMosaic
from nn_explainer.scenes.mobjects.heatmap import HeatmapLegend
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.speech.narration import say

MAX_DRAWN = 32     # maps drawn of a layer; a wider one shows its most active (mean |value|)


def drawn_maps(maps: np.ndarray) -> np.ndarray:
    return most_active(maps, MAX_DRAWN)


def script(story) -> dict[str, str]:
    kernel = chosen_kernel(story)
    maps = story.example.maps[kernel.layer]
    count, rows, cols = maps.shape
    drawn = len(drawn_maps(maps))
    scale = layer_scale(maps)
    shown = (f"all {spoken.integer(count)} maps" if drawn == count else
             f"the {spoken.integer(drawn)} most active of its {spoken.integer(count)} maps "
             f"({spoken.integer(count - drawn)} not drawn)")
    lines = {
        "maps": (f"Each kernel slides over {digit_words(story)} the same way, and makes its own map: here are "
                 f"{shown}, each {spoken.integer(rows)} by {spoken.integer(cols)}."),
        "scale": (f"They share one colour scale, so they can be compared: full blue is {spoken.decimal(scale)}, "
                  f"full red minus {spoken.decimal(scale)}."),
    }
    act = activated(story)
    if act is None:
        lines["activation"] = "No activation follows this convolution: the next layer reads these maps as they are."
    elif act.name == "relu":
        total = act.before.size
        lines["activation"] = (f"Then ReLU keeps every positive value and sets every negative one to zero. "
                               f"Of these {spoken.integer(total)} values, it zeroes {spoken.integer(act.zeroed)}: "
                               f"{spoken.percent(act.zeroed / total)}.")
        lines["after"] = "The red is gone: what is left is what the next layer reads."
    else:
        lines["activation"] = (f"Then {spoken.activation_name(act.name)} is applied to every value, and the next "
                               "layer reads the maps it gives.")
    return lines


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    network = story.network
    kernel = chosen_kernel(story)
    maps = story.example.maps[kernel.layer]
    count, rows, cols = maps.shape
    shown = drawn_maps(maps)
    scale = layer_scale(maps)
    title = fit_width(Text(f"{layer_title(network, kernel.layer)}: {len(shown)}"
                           + (f" of {count}" if len(shown) < count else "") + f" maps of {rows}x{cols}",
                           font_size=fonts.title)).to_edge(UP, 0.3)
    columns = int(np.ceil(np.sqrt(2 * len(shown))))
    mosaic = MapMosaic(maps[shown], scale, columns, width=fonts.pick(min(11.0, 2.7 * columns), min(11.0, 2.9 * columns)))
    if mosaic.height > fonts.pick(4.6, 3.7):   # room under it for the scale and the count
        mosaic.scale_to_fit_height(fonts.pick(4.6, 3.7))
    mosaic.next_to(title, DOWN, 0.3)
    legend = HeatmapLegend(scale, width=fonts.pick(3.6, 4.4), typography=fonts,
                           caption="map value: one scale for the layer").next_to(mosaic, DOWN, 0.3)
    with say(scene, lines["maps"]):
        scene.play(FadeIn(title), FadeIn(mosaic), run_time=1.2)
    with say(scene, lines["scale"]):
        scene.play(FadeIn(legend), run_time=0.8)
        scene.wait(style.READ_SECONDS)
    scene.bring_to_back(title, legend)
    act = activated(story)
    if act is None:
        with say(scene, lines["activation"]):
            scene.wait(style.READ_SECONDS)
        scene.wait(style.READ_SECONDS)
        return
    before, after = mosaic.image.pixel_array.copy(), mosaic.pixels_of(act.after[shown])
    if act.name == "relu":
        caption = (f"ReLU, max(0, x): zeroed {act.zeroed:,} of {act.before.size:,} values "
                   f"({spoken.percent_text(act.zeroed / act.before.size)})")
    else:
        caption = f"{act.name} applied to every value"
    note = fit_width(Text(caption, font_size=fonts.label)).next_to(legend, DOWN, 0.25)

    def turn(image, alpha):
        image.pixel_array = np.rint(before + (after.astype(np.float64) - before) * alpha).astype(np.uint8)

    with say(scene, lines["activation"]):
        scene.play(UpdateFromAlphaFunc(mosaic.image, turn), FadeIn(note), run_time=1.5)
    mosaic.maps = act.after[shown]
    if "after" in lines:
        with say(scene, lines["after"]):
            scene.wait(style.READ_SECONDS)
    scene.wait(style.READ_SECONDS)


class FeatureMaps(BeatScene):
    beats = ("FeatureMaps",)
