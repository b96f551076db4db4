"""Chapter: every beat of "But what is a neural network?", in order, as one video.

Each beat is its own section (so `render.py render Chapter --sections` gives one clip
per beat) and carries one line of narration as a subtitle: manim writes them as an
`.srt` beside the video. The beats are the scene classes themselves: Chapter calls
each one's `beat()` on itself, then fades the screen before the next.
"""
from __future__ import annotations

from manim import FadeOut

from scenes import style
from scenes.bias import Bias
from scenes.forward_pass import ForwardPass
from scenes.hoped_for_features import HopedForFeatures
from scenes.layers import Layers
from scenes.matrix_form import MatrixForm
from scenes.network_is_a_function import NetworkIsAFunction
from scenes.neuron_holds_a_number import NeuronHoldsANumber
from scenes.one_neurons_weights import OneNeuronsWeights
from scenes.parameter_count import ParameterCount
from scenes.relu import ReLU
from scenes.sigmoid import Sigmoid
from scenes.sloppy_three import SloppyThree
from scenes.weighted_sum import WeightedSum

BEATS = [SloppyThree, NeuronHoldsANumber, Layers, ForwardPass, HopedForFeatures, OneNeuronsWeights,
         WeightedSum, Sigmoid, Bias, ParameterCount, MatrixForm, NetworkIsAFunction, ReLU]


class Chapter(ReLU, Layers, SloppyThree, NeuronHoldsANumber, HopedForFeatures, OneNeuronsWeights, WeightedSum,
              Sigmoid, Bias, ParameterCount, MatrixForm, NetworkIsAFunction):
    """Inherits every beat so their helper methods are there; plays them in BEATS order."""

    narration = ""
    inner_sections = False
    hidden_layers = range(1, 4)

    def beat(self):
        self.beats_played = []
        for beat in BEATS:
            self.next_section(beat.__name__)
            start = self.time
            beat.beat(self)
            length = self.time - start
            # The subtitle spans the whole beat; we know how long only once it has played.
            self.add_subcaption(beat.narration, duration=length, offset=-length)
            self.beats_played.append(beat.__name__)
            if self.mobjects:
                self.play(*[FadeOut(m) for m in self.mobjects], run_time=style.BEAT_FADE_SECONDS)
            self.clear()
