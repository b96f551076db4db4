"""Run a scene to its final state without drawing frames, and read what a viewer sees:
the mobjects on screen, the text and numbers they write, the neurons' fills."""
from __future__ import annotations

import re

import numpy as np

NUMBER = re.compile(r"-?\d+(?:\{,\}\d{3}|,\d{3})*(?:\.\d+)?")


def run_scene(scene_class, on_section=None, after_play=None, before_render=None, **settings):
    """`Scene(skip_animations=True)`: construct() runs, every animation jumps to its end.
    `settings`: fields of `scenes.settings.Settings` (export, digit, edges, layout, ...).
    `before_render(scene)`: called on the new scene before anything else wraps it.
    `on_section(scene, name)`: called as each section begins, and with None at the end.
    `after_play(scene)`: called after every animation, on the state it ended in."""
    from manim import tempconfig

    from nn_explainer.scenes.settings import Settings

    config = {"format": "none", "quality": "low_quality", "disable_caching": True,
              "verbosity": "ERROR", "progress_bar": "none"}
    with tempconfig(config):
        scene = scene_class(settings=Settings(**settings), skip_animations=True)
        _draw_no_static_frames(scene.renderer)
        if before_render is not None:
            before_render(scene)
        if on_section is not None:
            begin = scene.next_section

            def next_section(name="unnamed", *args, **kwargs):
                on_section(scene, name)
                return begin(name, *args, **kwargs)

            scene.next_section = next_section
        if after_play is not None:
            play = scene.play

            def play_and_look(*args, **kwargs):
                result = play(*args, **kwargs)
                after_play(scene)
                return result

            scene.play = play_and_look
        scene.render()
        scene.renderer.update_frame(scene, ignore_skipping=True)  # the last state, drawn once
        if on_section is not None:
            on_section(scene, None)
    return scene


def _draw_no_static_frames(renderer) -> None:
    """Before each play, manim draws the mobjects that will not move into a background for
    the play's frames, even when skipping, where no frame is drawn and it is thrown away:
    a fifth of a skipped play's time. The scene's last state is still drawn, once."""
    def save_static_frame_data(scene, static_mobjects):
        renderer.static_image = None

    renderer.save_static_frame_data = save_static_frame_data


def on_screen(scene, kind=object) -> list:
    """Every mobject on screen now (with its parts) that is a `kind`, in drawing order."""
    seen, found = set(), []
    for top in scene.mobjects:
        for mobject in top.get_family():
            if id(mobject) not in seen and isinstance(mobject, kind):
                seen.add(id(mobject))
                found.append(mobject)
    return found


def written(scene) -> list[str]:
    """The strings of every Text, Tex and MathTex on screen (whole, not per part)."""
    from manim import MathTex, Text
    from manim.mobject.text.tex_mobject import SingleStringMathTex

    strings = []
    for mobject in on_screen(scene):
        if isinstance(mobject, Text):
            strings.append(mobject.original_text)
        elif isinstance(mobject, (MathTex, SingleStringMathTex)) and not _is_part(mobject, scene):
            strings.append(mobject.tex_string)
    return strings


def _is_part(mobject, scene) -> bool:
    """A MathTex's per-string parts are MathTex too: count only the whole formula."""
    from manim.mobject.text.tex_mobject import MathTex

    return any(isinstance(other, MathTex) and other is not mobject and mobject in other.submobjects
               for other in on_screen(scene, MathTex))


def numbers(text: str) -> list[float]:
    """The numbers written in a string, LaTeX's {,} thousands and minus signs included."""
    return [float(n.replace("{,}", "").replace(",", "")) for n in NUMBER.findall(text.replace("−", "-"))]


class Drawn:
    """The network as the viewer sees it: the neuron columns and edge bundles on screen,
    left to right (manim may have split the diagram group when a layer was brought to
    the front, so they are found by what they are, not through the group)."""

    def __init__(self, scene):
        from nn_explainer.scenes.mobjects.network_diagram import EdgeBundle, NeuronLayer

        by_x = lambda m: m.get_center()[0]  # noqa: E731
        self.layers = sorted(on_screen(scene, NeuronLayer), key=by_x)
        self.bundles = sorted(on_screen(scene, EdgeBundle), key=by_x)
        assert self.layers and len(self.bundles) == len(self.layers) - 1, "no whole network on screen"


def diagram(scene) -> Drawn:
    return Drawn(scene)


def fills(scene) -> list[np.ndarray]:
    """Each drawn layer's neuron fills, as the viewer sees them."""
    return [np.asarray(layer.activations()) for layer in diagram(scene).layers]


def fills_by_section(scene_class, **settings):
    """(scene, {section: fills at its end}) for a scene that draws one network."""
    states, current = {}, [None]

    def record(scene, name):
        if current[0] is not None:
            states[current[0]] = fills(scene)
        current[0] = name

    scene = run_scene(scene_class, on_section=record, **settings)
    return scene, states


def drawn_pixels(grid) -> np.ndarray:
    """A PixelGrid's image as drawn: each shade's fill at the squares it covers."""
    from nn_explainer.model.shapes import IMAGE_SIDE

    image = np.zeros(IMAGE_SIDE * IMAGE_SIDE)
    cell = grid.width / IMAGE_SIDE
    left, top = grid.get_left()[0], grid.get_top()[1]
    for shade in grid.shades:
        centres = shade.points.reshape(-1, 16, 3).mean(axis=1)  # a square: 4 straight cubic segments
        cols = np.floor((centres[:, 0] - left) / cell).astype(int)
        rows = np.floor((top - centres[:, 1]) / cell).astype(int)
        image[rows * IMAGE_SIDE + cols] = shade.get_fill_opacity()
    return image


def written_by_section(scene_class, **settings) -> tuple[object, dict[str, set[str]]]:
    """(scene, {section: every string written on screen after any animation of it})."""
    seen: dict[str, set[str]] = {}
    current = [None]

    def enter(scene, name):
        current[0] = name

    scene = run_scene(scene_class, on_section=enter,
                      after_play=lambda scene: seen.setdefault(current[0], set()).update(written(scene)), **settings)
    return scene, seen


def written_ever(scene_class, **settings) -> tuple[object, set[str]]:
    """(scene, every string written on screen after any of its animations)."""
    seen: set[str] = set()
    scene = run_scene(scene_class, after_play=lambda scene: seen.update(written(scene)), **settings)
    return scene, seen


def shows_something(scene) -> bool:
    """Whether the frame now shows more than the background: some mobject on screen with
    a visible fill or stroke, or a picture, of some size."""
    from manim import ImageMobject, VMobject

    for mobject in on_screen(scene):
        if isinstance(mobject, ImageMobject):  # a picture (a heatmap, a raster stand-in): its pixels' alpha
            if mobject.width > 0 and np.asarray(mobject.pixel_array)[..., -1].max() > 0:
                return True
            continue
        if not isinstance(mobject, VMobject) or len(mobject.points) == 0 or max(mobject.width, mobject.height) < 0.05:
            continue
        stroked = mobject.get_stroke_width() > 0 and mobject.get_stroke_opacity() > 0
        if mobject.get_fill_opacity() > 0 or stroked:
            return True
    return False


def watch_sentences(scene) -> list:
    """Record, for each sentence the scene's narrator speaks from now on, whether the frame
    shows more than the background as it begins (for a beat's first sentence, which
    brings the first picture in, once its first animation has played). Returns the list
    it fills: (sentence, shown). Call it from run_scene's before_render."""
    from contextlib import contextmanager

    record, narrator = [], scene.narrator
    speaking = narrator.speaking

    @contextmanager
    def looking(scene_, sentence):
        if record or shows_something(scene_):
            record.append((sentence, shows_something(scene_)))
            with speaking(scene_, sentence):
                yield
            return
        play = scene_.play
        entry = [sentence, None]
        record.append(entry)

        def first_play(*args, **kwargs):
            result = play(*args, **kwargs)
            if entry[1] is None:
                entry[1] = shows_something(scene_)
            return result

        scene_.play = first_play
        try:
            with speaking(scene_, sentence):
                yield
        finally:
            scene_.play = play
            record[record.index(entry)] = (entry[0], bool(entry[1]))

    narrator.speaking = looking
    return record
