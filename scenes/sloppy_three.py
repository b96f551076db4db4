"""SloppyThree: the digit as a square grid of pixels, then other threes of the data set.

Beat 1 of the chapter. The threes beside it are the real training threes of the
export, as different as handwriting is: the variety the network has to cope with.
"""
from __future__ import annotations

from manim import LEFT, RIGHT, UP, Brace, FadeIn, LaggedStart, Text, VGroup

from scenes import style
from scenes.beat import BeatScene
from model.shapes import IMAGE_SIDE
from scenes.mobjects.pixel_grid import PixelGrid
from scenes.mobjects.raster import rasterise


def play(scene, story) -> None:
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
    scene.play(picture.fade_in(), run_time=style.APPEAR_SECONDS)
    scene.replace(picture, grid)
    scene.play(FadeIn(top), FadeIn(side), FadeIn(labels), run_time=0.8)
    scene.wait(style.READ_SECONDS)

    # The other threes of the export, the sloppy one's siblings.
    others = [e for e in story.export.examples
              if e.label == 3 and e.source == "mnist-train" and e.id != story.example.id][:8]
    small = VGroup(*[PixelGrid(e.pixels, size=1.5) for e in others]).arrange_in_grid(2, 4, buff=0.25)
    small.to_edge(RIGHT, buff=0.5)
    caption = Text("other threes in the training set", font_size=fonts.small).next_to(small, UP, 0.2)
    scene.play(VGroup(grid, top, side, labels).animate.to_edge(LEFT, buff=0.8), run_time=0.8)
    pictures = [rasterise(g) for g in small]
    scene.play(LaggedStart(*[p.fade_in() for p in pictures], lag_ratio=0.15), FadeIn(caption), run_time=1.5)
    for picture, g in zip(pictures, small):
        scene.replace(picture, g)
    scene.wait(style.READ_SECONDS)


class SloppyThree(BeatScene):
    beats = ("SloppyThree",)
