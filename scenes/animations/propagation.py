"""The signal flowing through the network: pulses along a bundle of edges, and the
next layer filling to its real activations as they arrive."""
from __future__ import annotations

from manim import Animation, VGroup, VMobject, smooth

from nn_explainer.scenes import style
from nn_explainer.scenes.mobjects.network_diagram import EdgeBundle, NetworkDiagram
from nn_explainer.scenes.mobjects.pixel_grid import line_points


def delayed(start: float):
    """A rate function that waits until `start` (0-1), then eases in: fills follow the signal."""
    return lambda t: smooth(max(0.0, (t - start) / (1 - start)))


class SignalFlow(Animation):
    """Pulses run along every edge of a bundle, source to target, in the colour and
    width of the edge they travel on. One pulse path per edge path: each frame only
    recomputes their points with numpy."""

    def __init__(self, bundle: EdgeBundle, **kwargs):
        self.bundle = bundle
        pulses = VGroup()
        self.tracks = []  # (pulse, starts, ends)
        for path in bundle.submobjects:
            pulse = VMobject(stroke_color=path.get_stroke_color(),
                             stroke_width=path.get_stroke_width() * style.SIGNAL_WIDTH_FACTOR + style.SIGNAL_MIN_WIDTH,
                             stroke_opacity=1.0)
            self.tracks.append((pulse, path.points[0::4].copy(), path.points[3::4].copy()))
            pulses.add(pulse)
        super().__init__(pulses, rate_func=kwargs.pop("rate_func", smooth), remover=True, **kwargs)

    def interpolate_mobject(self, alpha: float) -> None:
        head = alpha * (1 + style.SIGNAL_LENGTH)
        tail = max(head - style.SIGNAL_LENGTH, 0.0)
        head = min(head, 1.0)
        # Fade out over the last third, so the pulses melt into the neurons they reach
        # instead of piling up on them.
        opacity = min(1.0, 3.0 * (1.0 - alpha))
        for pulse, starts, ends in self.tracks:
            span = ends - starts
            pulse.set_points(line_points(starts + span * tail, starts + span * head))
            pulse.set_stroke(opacity=opacity)


def pace(transitions: int) -> float:
    """How much of a transition's full time each one takes: the chapter's pace up to
    PACED_TRANSITIONS of them; a deeper network's pass as a whole takes no longer than
    that many, so six hidden layers do not make a slow, repetitive pass."""
    return min(1.0, style.PACED_TRANSITIONS / transitions)


def propagate(scene, diagram: NetworkDiagram, index: int) -> None:
    """Layer index-1 -> index: the edges light up, then the neurons fill."""
    speed = pace(len(diagram.layers) - 1)
    target = diagram.layers[index]
    # manim redraws every frame all that comes after the first animated mobject:
    # moving the target layer last keeps that to its neurons and the pulses.
    scene.bring_to_front(target)
    scene.play(SignalFlow(diagram.bundles[index - 1]),
               *target.fill_animations(diagram.drawn_values(index), rate_func=delayed(0.45)),
               run_time=style.TRANSITION_SECONDS * speed)
    scene.wait(style.PAUSE_SECONDS * speed)
