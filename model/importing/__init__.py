"""The ways in: a network trained elsewhere, read into an export as true as one of ours.

Three ways in, each a reader that turns what it reads into one layer list
(layer_list.py), which `to_network` checks and folds into the plain MLP every export
holds (a list with a convolution in it: conv_import.py folds it into a CNN's):
- a state_dict file or an ONNX graph: `render.py import FILE` (from_file.py, read_onnx.py);
- a state_dict with the class that defines it: `--module net.py:Net` (read_class.py);
- a live nn.Module, traced with torch.fx (read_module.py; the Python API's `export_module`).
None of them says how the inputs were normalised when the DataLoader did it: that is
given, or measured on MNIST's test digits (normalisation.py) for every way in. Every
way in writes its export through from_file.write_import, checked by the one reader.

The names callers use (`importing.read_model_file`, `importing.write_import`, ...) are
from_file's, looked up when first used, so that importing the layer list (the export
reader needs it) does not import the writer and its dependencies.
"""
from __future__ import annotations

import importlib

# from_file's public names, as `importing.NAME` (the importing package was one module once).
_FROM_FILE = ("STATE_DICT_SUFFIXES", "ONNX_SUFFIXES", "SAVE_STATE_DICT", "default_export", "parse_normalize",
              "say_normalize", "read_model_file", "source_section", "read_state_dict", "state_dict_steps",
              "write_import")
__all__ = list(_FROM_FILE)


def __getattr__(name: str):
    if name in _FROM_FILE:
        return getattr(importlib.import_module(f"{__name__}.from_file"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
