"""Run a scene to its final state without drawing frames, and return it for inspection."""
from __future__ import annotations


def run_scene(scene_class, **settings):
    """`Scene(skip_animations=True)`: construct() runs, every animation jumps to its end.
    `settings`: fields of `scenes.settings.Settings` (export, digit, edges, ...)."""
    from manim import tempconfig

    from scenes.settings import Settings

    config = {"format": "none", "quality": "low_quality", "disable_caching": True,
              "verbosity": "ERROR", "progress_bar": "none"}
    with tempconfig(config):
        scene = scene_class(settings=Settings(**settings), skip_animations=True)
        scene.render()
    return scene
