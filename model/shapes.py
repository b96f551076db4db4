"""The shape of the problem, in one place: MNIST's 28x28 images and ten digits.

Everything else (the network's input width, the pixel grid, the pooled input blocks,
the export's checks) derives from these. Hidden layers are the user's choice
(`render.py train --hidden`); their default is 3Blue1Brown's two layers of 16.
"""
IMAGE_SIDE = 28                  # MNIST images are 28x28 pixels
PIXELS = IMAGE_SIDE * IMAGE_SIDE  # 784 input neurons, one per pixel
CLASSES = 10                     # one output neuron per digit
DEFAULT_HIDDEN = (16, 16)        # the chapter's network: 784-16-16-10
from .limits import MAX_HIDDEN_LAYERS  # noqa: F401  (`--hidden` takes 1-6 widths; the cap lives in limits.py)
