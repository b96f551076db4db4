"""SloppyThree: the digit as 28x28 pixels, then other threes of the data set.

Beat 1 of the chapter. The threes beside it are the real training threes of the
export, as different as handwriting is: the variety the network has to cope with.
"""
from __future__ import annotations

from manim import LEFT, RIGHT, UP, Brace, FadeIn, LaggedStart, Text, VGroup

from scenes import style
from scenes.beat import Beat
from scenes.mobjects.pixel_grid import PixelGrid


class SloppyThree(Beat):
    narration = "A sloppy three: 28 by 28 pixels, and your brain reads it at once."

    def beat(self):
        inputs = self.inputs()
        grid = PixelGrid(inputs.example.pixels, size=4.2)
        top = Brace(grid, UP, buff=0.1)
        side = Brace(grid, LEFT, buff=0.1)
        labels = VGroup(Text("28", font_size=style.LABEL_FONT_SIZE).next_to(top, UP, 0.1),
                        Text("28", font_size=style.LABEL_FONT_SIZE).next_to(side, LEFT, 0.1))
        self.play(FadeIn(grid), run_time=style.APPEAR_SECONDS)
        self.play(FadeIn(top), FadeIn(side), FadeIn(labels), run_time=0.8)
        self.wait(style.READ_SECONDS)

        # The other threes of the export, the sloppy one's siblings.
        others = [e for e in inputs.export.examples
                  if e.label == 3 and e.source == "mnist-train" and e.id != inputs.example.id][:8]
        self.sloppy_three_others = [e.id for e in others]
        small = VGroup(*[PixelGrid(e.pixels, size=1.5) for e in others]).arrange_in_grid(2, 4, buff=0.25)
        small.to_edge(RIGHT, buff=0.5)
        caption = Text("other threes in the training set", font_size=style.SMALL_FONT_SIZE).next_to(small, UP, 0.2)
        self.play(VGroup(grid, top, side, labels).animate.to_edge(LEFT, buff=0.8), run_time=0.8)
        self.play(LaggedStart(*[FadeIn(g) for g in small], lag_ratio=0.15), FadeIn(caption), run_time=1.5)
        self.wait(style.READ_SECONDS)
