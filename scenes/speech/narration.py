"""The spoken word in a beat: `with say(scene, sentence):` around the animations it names.

A beat's words live with the beat: its module defines `script(story)`, an ordered dict
of named sentences written for the ear (numbers through `scenes.speech.spoken`, from the same
`Story` the pictures draw from), and its `play` wraps the animations each sentence
accompanies:

    lines = script(story)
    with say(scene, lines["bias"]):
        scene.play(FadeIn(label))

The pictures wait for the voice: the block lasts at least as long as the sentence (the
scene holds still for the rest), so no sentence is cut off or overlaps the next. The
sentence is synthesized (or found in the cache) when the block starts, added to the
scene as sound at that instant, and becomes subtitles with its real times (cut into
cues of two lines of 42 characters at most, each timed by the voice: subtitles.py). Without a
voice (`--voice none`) `say` adds nothing and the beat keeps its own pace.

The scene's narrator (`scene.narrator`, set by BeatScene from the settings) does the
work; a scene without one (a test's bare Scene) is silent.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass


@contextmanager
def say(scene, sentence: str):
    """Speak `sentence` over the animations played inside the block."""
    narrator = getattr(scene, "narrator", None)
    if narrator is None:
        yield
        return
    with narrator.speaking(scene, sentence):
        yield


PAUSE_SECONDS = 0.5    # quiet after each sentence before the next may start: a beat of quiet, longer than a comma's
# No sentence starts in a clip's first moments: AAC's encoder overshoots (by 3 dB here)
# on a sound that begins within its first frames, past the true-peak ceiling.
LEAD_SECONDS = 0.15


@dataclass
class Spoken:
    """One sentence as the scene said it: its words and where they sit in the scene."""

    text: str
    start: float      # seconds into the scene
    seconds: float    # how long the voice speaks (0 for a silent narrator)


class Narrator:
    """Speaks a scene's sentences with a voice (scenes/speech/voice.py), or silently records
    them (`voice=None`), so every render checks that a beat said its script, in order."""

    def __init__(self, voice=None):
        self.voice = voice
        self.spoken: list[Spoken] = []

    @contextmanager
    def speaking(self, scene, sentence: str):
        start = float(scene.time)
        if self.voice is None:
            self.spoken.append(Spoken(sentence, start, 0.0))
            yield
            return
        from .audio import read_wav
        from .subtitles import pauses, timed
        from .voice import speak

        speech = speak(self.voice, sentence)
        if start < LEAD_SECONDS:
            scene.wait(LEAD_SECONDS - start)
            start = float(scene.time)
        scene.add_sound(str(speech.path))
        # Subtitles as platforms expect: cues of two lines of 42 at most, timed by the voice
        for cue in timed(sentence, speech.seconds, pauses(*read_wav(speech.path)), room=PAUSE_SECONDS):
            scene.add_subcaption(cue.text, duration=cue.end - cue.start, offset=cue.start)
        self.spoken.append(Spoken(sentence, start, speech.seconds))
        yield
        # The pictures wait for the voice. A wait lasts whole frames, rounded down: wait
        # again until the pause is whole, so the next sentence never starts early.
        end = start + speech.seconds + PAUSE_SECONDS
        for _ in range(3):
            rest = end - float(scene.time)
            if rest <= 1e-6:
                break
            scene.wait(max(rest, 1 / scene.camera.frame_rate))

    def said_since(self, index: int) -> list[str]:
        return [spoken.text for spoken in self.spoken[index:]]


def check_said(beat: str, script: dict, said: list[str]) -> None:
    """A beat must say its whole script, each sentence once, in order: otherwise the
    words `render.py script` prints are not the ones in the video."""
    if list(script.values()) != said:
        missing = [name for name, text in script.items() if text not in said]
        raise AssertionError(f"{beat} said {len(said)} sentences, its script has {len(script)}"
                             + (f"; not said: {', '.join(missing)}" if missing else "; out of order"))
