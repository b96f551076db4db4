"""Chapter, WhatHiddenNeuronsDo, Chapter2 and ChapterConv: every beat of each chapter, in outline order, as one video.

`Chapter` is 3Blue1Brown's "But what is a neural network?"; `WhatHiddenNeuronsDo`
answers the question it leaves open, with evidence from this network; `Chapter2` goes on
to how this network learns, drawn from its real gradients; `ChapterConv` draws a
convolutional network's kernels sliding over the digit, its maps, ReLU and pooling.

Each beat is its own section (so `render.py render Chapter --sections` gives one clip
per beat) and carries its narration as subtitles (scenes/speech/subtitles.py): manim writes
them as an `.srt` beside the video. The order and the words are the outline's (outline.py).
"""
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.outline import chapter_beats


class Chapter(BeatScene):
    beats = chapter_beats("Chapter")


class Chapter2(BeatScene):
    beats = chapter_beats("Chapter2")


class WhatHiddenNeuronsDo(BeatScene):
    beats = chapter_beats("WhatHiddenNeuronsDo")


class ChapterConv(BeatScene):
    beats = chapter_beats("ChapterConv")
