"""The forward pass in a mirror: the signal runs back along a bundle, target to source,
and the layer it reaches fills to what the cost wants of it."""
from __future__ import annotations

from nn_explainer.scenes import style
from nn_explainer.scenes.animations.propagation import SignalFlow, delayed


class BackwardFlow(SignalFlow):
    """SignalFlow run backwards: pulses leave the later layer and reach the earlier one."""

    def __init__(self, bundle, **kwargs):
        super().__init__(bundle, **kwargs)
        self.tracks = [(pulse, ends, starts) for pulse, starts, ends in self.tracks]


def backpropagate(scene, bundle, source, wanted=None, speed: float = 1.0) -> None:
    """One layer transition backwards: pulses run along `bundle` from its later layer to
    `source`, which then fills to `wanted` (None: it keeps its fill, as the input does)."""
    scene.bring_to_front(source)
    fills = source.fill_animations(wanted, rate_func=delayed(0.45)) if wanted is not None else []
    scene.play(BackwardFlow(bundle), *fills, run_time=style.TRANSITION_SECONDS * speed)
    scene.wait(style.PAUSE_SECONDS * speed)
