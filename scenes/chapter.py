"""Chapter: every beat of "But what is a neural network?", in outline order, as one video.

Each beat is its own section (so `render.py render Chapter --sections` gives one clip
per beat) and carries its narration as a subtitle: manim writes them as an `.srt`
beside the video. The order and the words are the outline's (outline.py).
"""
from scenes.beat import BeatScene
from scenes.outline import beats_of


class Chapter(BeatScene):
    beats = beats_of("Chapter")
