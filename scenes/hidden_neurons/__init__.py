"""What the hidden neurons really do, measured on this network: the beats of
scenes/outline.py's HIDDEN_LAYERS (each neuron's most exciting digits, the input it wants,
knocking one out, whether layer two combines layer one's parts), played as the
WhatHiddenNeuronsDo chapter after chapter one. One module per beat, each with its
`play(scene, story)` and its standalone scene.
"""
