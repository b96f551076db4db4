"""The model side of nn-explainer: data, network, training and export.

Data flows one way: `mnist` loads the digits, `network` defines the MLP, `train` fits
it and writes a checkpoint, `export` turns the checkpoint into the JSON file that every
scene draws from (its schema lives in `schema`). A network trained elsewhere comes in
through `importing/` (the ways in: a file, a class, a live module) instead of `train`.
Nothing here imports manim.
"""
