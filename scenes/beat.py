"""How beats reach the screen: a manim Scene that plays beats, in order, into itself.

A beat is a module with `play(scene, story)`: it draws into the scene it is given,
from the `Story` it is given, and may define `check(story)` to refuse a network it
cannot draw. Its standalone scene is a two-line `BeatScene` naming it; `Chapter`
names them all (see outline.py). Played alone, a beat keeps its own sections;
played in the chapter, each beat is one section with its narration as subtitles,
and the chapter cuts from one beat to the next.
"""
from __future__ import annotations

import importlib
import sys

from manim import Scene

from nn_explainer.model.errors import UserError

from . import style
from .camera import BoxCamera
from .copying import share_what_never_changes
from .speech.narration import Narrator, check_said
from .outline import Drawn, drawable, refuse_unless_drawable, scene_info
from .settings import Settings
from .story import Story, load_export
from .speech.subtitles import spread


def beat_module(name: str):
    return importlib.import_module(scene_info(name).module)


def check_beats(names, settings: Settings) -> Story:
    """Read the export (verified) and let each beat refuse what it cannot draw, before
    any frame or file: the CLI calls this up front, and so does every scene."""
    story = Story.read(settings)
    drawn = Drawn.of(story.export)
    for name in names:
        refuse_unless_drawable(name, drawn, story.settings.export.name)
        check = getattr(beat_module(name), "check", None)
        if check is not None:
            check(story)
    return story


def begin_section(scene, name: str) -> None:
    """A beat's own section: kept when the beat plays alone, folded into the beat's
    one section in the chapter."""
    if len(scene.beats) == 1:
        scene.next_section(name)


class BeatScene(Scene):
    beats: tuple[str, ...] = ()   # beat names from the outline, played in this order

    def __init__(self, settings: Settings | None = None, **kwargs):
        if settings is not None:
            self.settings, self.story = settings, self._checked(settings)
        else:  # the stock manim CLI: settings from the environment, its errors as ours
            try:
                self.settings = Settings.from_environment()
                self.story = self._checked(self.settings)
            except UserError as err:
                print(f"{type(self).__name__}: error: {' '.join(str(err).split())}", file=sys.stderr)
                sys.exit(2)
        from .speech.voice import voice_for

        self.narrator = Narrator(voice_for(self.settings.voice))
        kwargs.setdefault("camera_class", BoxCamera)  # a renderer handed in brings its own: frame_writer's is one
        share_what_never_changes()   # animations copy mobjects: let the copies share glyph paths and colours
        super().__init__(**kwargs)

    def _checked(self, settings: Settings) -> Story:
        """check_beats for what this scene plays: a chapter of a network trained elsewhere
        goes without the beats that draw our training run (outline.drawable)."""
        if len(self.beats) > 1:
            self.beats = drawable(self.beats, Drawn.of(load_export(settings.export)))
        return check_beats(self.beats, settings)

    def construct(self):
        self.camera.background_color = style.BACKGROUND
        if len(self.beats) == 1:
            self.play_beat(self.beats[0])
            return
        for name in self.beats:
            self.next_section(name)
            start = self.time
            self.play_beat(name)
            length = self.time - start
            if self.narrator.voice is None:
                # Silent: the subtitles are the beat's one line, spread over the whole beat (we
                # know how long only once it has played). Spoken, the sentences are the subtitles.
                for cue in spread(scene_info(name).narration, length):
                    self.add_subcaption(cue.text, duration=cue.end - cue.start, offset=cue.start - length)
            # A cut to the next beat, which introduces what it draws: the Chapter
            # that render.py joins from the beats' own clips (publish/assemble.py)
            # has the very same frames.
            self.clear()

    def play_beat(self, name: str) -> None:
        """Play one beat, then check it said its whole script (scenes/speech/narration.py)."""
        module, first = beat_module(name), len(self.narrator.spoken)
        module.play(self, self.story)
        if hasattr(module, "script"):
            check_said(name, module.script(self.story), self.narrator.said_since(first))
