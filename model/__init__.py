"""The model side of nn-explainer: data, network, training and export.

Data flows one way: `mnist` loads the digits, `network` defines the MLP, `train` fits
it and writes a checkpoint, `export` turns the checkpoint into the JSON file that every
scene draws from (its schema lives in `schema`). Nothing here imports manim.
"""
