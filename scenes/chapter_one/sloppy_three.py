"""SloppyThree: the digit as a square grid of pixels, then other threes of the data set.

Beat 1 of the chapter. The threes beside it are the real training threes of the
export, as different as handwriting is: the variety the network has to cope with.
"""
from __future__ import annotations

from manim import LEFT, RIGHT, UP, Brace, FadeIn, LaggedStart, Text, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.speech.narration import say
from nn_explainer.model.shapes import IMAGE_SIDE
from nn_explainer.scenes.mobjects.pixel_grid import PixelGrid
from nn_explainer.scenes.mobjects.raster import rasterise


def other_threes(story) -> list:
    """The training threes of the export drawn beside the digit (up to eight)."""
    return [e for e in story.export.examples
            if e.label == 3 and e.source == "mnist-train" and e.id != story.example.id][:8]


def script(story) -> dict[str, str]:
    example, side = story.example, spoken.integer(IMAGE_SIDE)
    digit = f"a {spoken.integer(example.label)}" if example.label is not None else "a digit"
    others = len(other_threes(story))
    lines = {
        "grid": f"Here is {digit}, written by hand, sloppily, at a tiny resolution.",
        "size": f"It is a grid of {side} by {side} pixels.",
        "brain": f"And yet your brain reads it as {digit} at once, without any effort.",
    }
    if others:
        lines["others"] = (f"Beside it are {spoken.count(others, 'other three')} from the same training set, "
                           "each drawn differently, with different pixels lit.")
        lines["variety"] = "You see a three in every one. Teaching a machine to do that is this chapter's puzzle."
    else:
        lines["others"] = "This export holds no other threes of the training set to show beside it."
        lines["variety"] = "Handwriting varies endlessly, and you read it anyway. Teaching a machine to do that is this chapter's puzzle."
    return lines


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    grid = PixelGrid(story.example.pixels, size=4.2)
    top = Brace(grid, UP, buff=0.1)
    side = Brace(grid, LEFT, buff=0.1)
    labels = VGroup(Text(str(IMAGE_SIDE), font_size=fonts.label).next_to(top, UP, 0.1),
                    Text(str(IMAGE_SIDE), font_size=fonts.label).next_to(side, LEFT, 0.1))
    # A grid is ~80 paths (one per grey level) that Cairo traces on every frame it
    # changes in; it fades in as a picture of itself (raster.py: the same pixels) and
    # the vector grid takes its place once it holds still.
    picture = rasterise(grid)
    with say(scene, lines["grid"]):
        scene.play(picture.fade_in(), run_time=style.APPEAR_SECONDS)
        scene.replace(picture, grid)
    with say(scene, lines["size"]):
        scene.play(FadeIn(top), FadeIn(side), FadeIn(labels), run_time=0.8)
    with say(scene, lines["brain"]):
        scene.wait(style.READ_SECONDS)

    # The other threes of the export, the sloppy one's siblings.
    others = other_threes(story)
    small = VGroup(*[PixelGrid(e.pixels, size=1.5) for e in others]).arrange_in_grid(2, 4, buff=0.25)
    small.to_edge(RIGHT, buff=0.5)
    caption = Text("other threes in the training set", font_size=fonts.small).next_to(small, UP, 0.2)
    pictures = [rasterise(g) for g in small]
    with say(scene, lines["others"]):
        scene.play(VGroup(grid, top, side, labels).animate.to_edge(LEFT, buff=0.8), run_time=0.8)
        scene.play(LaggedStart(*[p.fade_in() for p in pictures], lag_ratio=0.15), FadeIn(caption), run_time=1.5)
        for picture, g in zip(pictures, small):
            scene.replace(picture, g)
    with say(scene, lines["variety"]):
        scene.wait(style.READ_SECONDS)


class SloppyThree(BeatScene):
    beats = ("SloppyThree",)
