"""Run a scene to its final state without drawing frames, and return it for inspection."""
from __future__ import annotations

import os
from contextlib import contextmanager


@contextmanager
def scene_environment(**variables):
    """Set the export_data variables (export, digit, edges) for one scene run."""
    from scenes import export_data

    names = {"export": export_data.EXPORT_VARIABLE, "digit": export_data.DIGIT_VARIABLE,
             "edges": export_data.EDGES_VARIABLE}
    saved = {name: os.environ.get(name) for name in names.values()}
    try:
        for key, value in variables.items():
            os.environ[names[key]] = str(value)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_scene(scene_class, **variables):
    """`Scene(skip_animations=True)`: construct() runs, every animation jumps to its end."""
    from manim import tempconfig

    settings = {"format": "none", "quality": "low_quality", "disable_caching": True,
                "verbosity": "ERROR", "progress_bar": "none"}
    with scene_environment(**variables), tempconfig(settings):
        scene = scene_class(skip_animations=True)
        scene.render()
    return scene
