"""A state_dict with the class that defines it: `render.py import mnist_cnn.pt --module net.py:Net`.

A state_dict holds weights only; which layer follows which is in the model's forward().
Given the file and class that define it, the class is built (no arguments), the weights
are loaded into it (the file still read with torch.load(weights_only=True): nothing in
it is unpickled), and the module is read as a live one is (model/importing/read_module.py: traced
with torch.fx, run on every example, and agreeing with the export before it is written).

The class is the user's own code, and it runs: importing net.py runs whatever it holds,
as `python net.py` would. `--help` says so.

Checkpoints are read as people save them: a bare state_dict, {'model_state_dict': ...},
{'state_dict': ...} (from_file._tensors_of finds the one dict of tensors), and the
`module.` prefix nn.DataParallel puts on every name.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path

from ..errors import UserError
from ..progress import QUIET

SPEC = re.compile(r"^(?P<file>.+\.py):(?P<name>[A-Za-z_][A-Za-z0-9_]*)$")
DATA_PARALLEL = "module."


def load_class(spec: str):
    """`net.py:Net` -> the class Net defined in net.py (running net.py, as Python would)."""
    match = SPEC.match(str(spec))
    if not match:
        raise UserError(f"--module {spec}: expected FILE.py:CLASS, e.g. net.py:Net")
    path = Path(match["file"])
    if not path.is_file():
        raise UserError(f"--module {spec}: no such file {path}")
    name = f"nn_explainer_user_module_{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}"
    try:
        loader = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(loader)
        sys.modules[name] = module  # dataclasses and pickling look classes up by module
        loader.loader.exec_module(module)
    except Exception as err:  # the user's code: whatever it raises, it did not load
        sys.modules.pop(name, None)
        raise UserError(f"--module {spec}: {path} did not run ({type(err).__name__}: {_first_line(err)})") from None
    cls = getattr(module, match["name"], None)
    if not isinstance(cls, type):
        raise UserError(f"--module {spec}: {path} defines no class {match['name']}")
    return cls


def without_data_parallel(tensors: dict) -> dict:
    """Names without nn.DataParallel's `module.` prefix, when every name has it."""
    if tensors and all(name.startswith(DATA_PARALLEL) for name in tensors):
        return {name[len(DATA_PARALLEL):]: value for name, value in tensors.items()}
    return tensors


def build(spec: str, tensors: dict, source: str):
    """The user's class, built with no arguments, holding the file's weights (float32)."""
    import torch

    cls = load_class(spec)
    try:
        module = cls()
    except Exception as err:
        raise UserError(f"--module {spec}: {cls.__name__}() failed ({type(err).__name__}: {_first_line(err)}); "
                        "nn-explainer builds the class with no arguments") from None
    if not isinstance(module, torch.nn.Module):
        raise UserError(f"--module {spec}: {cls.__name__} is not a torch.nn.Module")
    state = {name: torch.from_numpy(value).to(torch.float32) for name, value in without_data_parallel(tensors).items()}
    expected = module.state_dict()
    for name, value in expected.items():  # integer buffers (BatchNorm's count) keep their type
        if name in state and not value.is_floating_point():
            state[name] = state[name].to(value.dtype)
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as err:
        missing = sorted(set(expected) - set(state))[:3]
        unexpected = sorted(set(state) - set(expected))[:3]
        detail = (f"missing {', '.join(missing)}" if missing else "") + \
                 (f"{'; ' if missing else ''}unexpected {', '.join(unexpected)}" if unexpected else "")
        raise UserError(f"{source}: its weights do not fit {cls.__name__} ({detail or _first_line(err)})") from None
    return module.eval()


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return (text[0] if text else type(err).__name__)[:200]


def import_with_class(model_path, spec: str, outputs: str | None, export_path, normalize=None, data_source=None,
                      progress=None):
    """`render.py import FILE --module net.py:Net`: the export of the state_dict in FILE,
    read by the class that defines it; `normalize` (mean, std) is the input transform the
    model was trained with (transforms.Normalize), folded into its first layer; None:
    measured, as for every way in (model/importing/normalisation.py)."""
    from .. import paths
    from . import from_file, read_module

    model_path = Path(model_path)
    from_file._check_file(model_path)
    if model_path.suffix.lower() not in from_file.STATE_DICT_SUFFIXES:
        raise UserError(f"{model_path}: --module reads a state_dict ({', '.join(from_file.STATE_DICT_SUFFIXES)})")
    module = build(spec, from_file.read_state_dict(model_path), str(model_path))
    return read_module.module_to_export(module, export_path, outputs, name=model_path.name, kind="state_dict",
                                        sha256=paths.file_sha256(model_path), normalize=normalize,
                                        progress=progress or QUIET, say=from_file.say_normalize)

