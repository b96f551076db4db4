"""The spoken word in a beat: `with say(scene, sentence):` around the animations it names.

A beat's words live with the beat: its module defines `script(story)`, an ordered dict
of named sentences written for the ear (numbers through `scenes.spoken`, from the same
`Story` the pictures draw from), and its `play` wraps the animations each sentence
accompanies:

    lines = script(story)
    with say(scene, lines["bias"]):
        scene.play(FadeIn(label))

The pictures wait for the voice: the block lasts at least as long as the sentence (the
scene holds still for the rest), so no sentence is cut off or overlaps the next. The
sentence is synthesized (or found in the cache) when the block starts, added to the
scene as sound at that instant, and becomes a subtitle with its real times. Without a
voice (`--voice none`) `say` adds nothing and the beat keeps its own pace.

The scene's narrator (`scene.narrator`, set by BeatScene from the settings) does the
work; a scene without one (a test's bare Scene) is silent.
"""
from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def say(scene, sentence: str):
    """Speak `sentence` over the animations played inside the block."""
    narrator = getattr(scene, "narrator", None)
    if narrator is None:
        yield
        return
    with narrator.speaking(scene, sentence):
        yield
