"""`render.py import FILE`: a model file read, and any imported network's export written.

A state_dict file (`.safetensors`, or `.pt`/`.pth`/`.bin` read by
`torch.load(weights_only=True)`: nothing is ever unpickled), with what a state_dict
cannot say given by the user (the hidden activation, what the outputs are), or an ONNX
graph (read_onnx.py), which says both by itself, becomes a layer list (layer_list.py),
its inputs' normalisation settled (normalisation.py) and folded into one network.

The export is then written like ours (`write_import`, for every way in: read_module.py
and read_class.py write through it too): every example through the folded network, the
neuron evidence and chapter two's gradients, checked by the one reader before it is
written (atomically). Its `source` section says where the network came from, what its
outputs were, and each fold; its `training` holds only what we measured (accuracies on
MNIST), since the training run was not ours.
"""
from __future__ import annotations

import hashlib
import re
import stat
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import conv_import, normalisation
from .. import export, gradients, limits, mnist, paths
from ..errors import UserError
from ..progress import QUIET
from .layer_list import Activation, BatchNorm, Imported, Linear, read_outputs

STATE_DICT_SUFFIXES = (".safetensors", ".pt", ".pth", ".bin")
ONNX_SUFFIXES = (".onnx",)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")   # a terminal's colour or bold, in torch's text
SAVE_STATE_DICT = "save the weights instead: torch.save(model.state_dict(), 'model.pt')"


def default_export(model_path: Path) -> Path:
    """assets/imported/<name>.json (an installed tool: ./nn-explainer/imported/), the name from the model file's, kept to a safe alphabet."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(model_path).stem).strip("-")[:64]
    if not stem:
        stem = "model-" + hashlib.sha256(str(model_path).encode()).hexdigest()[:12]
    return paths.IMPORTED_DIR / f"{stem}.json"


def parse_normalize(text: str | None) -> tuple[float, float] | None:
    """`--normalize 0.1307,0.3081` -> (0.1307, 0.3081)."""
    if text is None:
        return None
    try:
        mean, std = (float(part) for part in text.split(","))
    except ValueError:
        raise UserError(f"--normalize takes MEAN,STD (as in transforms.Normalize((0.1307,), (0.3081,))), "
                        f"got {text!r}") from None
    if not (np.isfinite(mean) and np.isfinite(std) and std > 0):
        raise UserError(f"--normalize {text}: the mean must be a number and the std a positive one")
    return mean, std


def say_normalize(mean: float, std: float) -> str:
    """How a normalisation is said on the command line."""
    return f"--normalize {mean:g},{std:g}"


def read_model_file(path: Path, activation: str | None = None, outputs: str | None = None,
                    normalize: tuple[float, float] | None = None,
                    say=say_normalize) -> tuple[Imported, dict]:
    """(the folded network, the export's `source` section) of a model file. `normalize`:
    how its inputs were normalised ((0, 1): not at all); None: measured on MNIST's test
    digits, and refused if that finds another reading clearly better (model/importing/normalisation.py),
    `say` saying how to state it."""
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix in ONNX_SUFFIXES:
        if activation is not None:
            raise UserError("--activation: an ONNX graph says this by itself; leave --activation out")
        from .read_onnx import read_onnx

        steps = read_onnx(path)
        outputs = read_outputs(steps, outputs)   # a graph ending in a Linear gives logits
        kind = "onnx"
    elif suffix in STATE_DICT_SUFFIXES:
        steps = state_dict_steps(read_state_dict(path), activation, str(path))
        kind = "state_dict"
    else:
        raise UserError(f"{path}: not a model file nn-explainer reads (a state_dict as "
                        f"{', '.join(STATE_DICT_SUFFIXES)}, or an ONNX graph as .onnx)")
    settled = normalisation.settle(steps, outputs, normalize, str(path), say)
    imported = settled.imported
    if isinstance(imported, conv_import.ImportedConv) and kind == "onnx":  # the graph itself is run before writing
        imported = replace(imported, onnx_path=path, inputs=settled.inputs)
    return imported, source_section(imported, kind, path.name, paths.file_sha256(path), settled.record)


def source_section(imported: Imported, kind: str, name: str, sha256: str | None, normalised: dict) -> dict:
    """The export's `source`; `normalised`: normalisation.settle's record of the inputs."""
    return {"kind": kind, "name": name[:300], "outputs": imported.outputs,
            "normalize": list(imported.normalize) if imported.normalize else None,
            "normalisation": normalised, "notes": imported.notes, "sha256": sha256}


def read_state_dict(path: Path) -> dict[str, np.ndarray]:
    """name -> array (float64) of a state_dict file. `.pt`/`.pth`/`.bin` go through
    torch.load(weights_only=True), which builds tensors and plain containers only and
    refuses anything else (a whole pickled module, a `__reduce__` that would run code)."""
    if path.suffix.lower() == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        from ..checkpoint import read_header

        read_header(path)  # shapes and sizes checked before anything is allocated
        try:
            tensors = load_file(str(path))
        except (SafetensorError, OSError, ValueError, TypeError) as err:
            raise UserError(f"{path}: not a readable safetensors file ({str(err).splitlines()[0]})") from None
        return {name: np.asarray(value, dtype=np.float64) for name, value in tensors.items()}
    import pickle

    import torch

    try:
        loaded = torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        what = "a whole pickled module" if "GLOBAL" in str(err) or "global" in str(err) else "objects other than tensors"
        raise UserError(f"{path}: holds {what} ({_refused_pickle(err)}), which nn-explainer never unpickles; "
                        f"{SAVE_STATE_DICT}") from None
    except (RuntimeError, OSError, EOFError, ValueError, AttributeError, ImportError, TypeError) as err:
        raise UserError(f"{path}: not a readable PyTorch file ({str(err).splitlines()[0][:160]})") from None
    return _tensors_of(loaded, path)


def _refused_pickle(err: BaseException) -> str:
    """What torch.load(weights_only=True) refused, said whole: the class the pickle names
    ("torch.nn.modules.container.Sequential"), not torch's paragraph, whose first line
    is advice for trusted files and carries terminal escapes (bold)."""
    text = ANSI_ESCAPE.sub("", str(err))
    named = re.search(r"GLOBAL ([A-Za-z_][\w.]*)", text)
    if named:
        return f"it names {named.group(1)[:200]}"
    return "torch.load(weights_only=True) refused it: it is not tensors and plain containers"


def _tensors_of(loaded, path: Path) -> dict[str, np.ndarray]:
    """The state_dict in what torch.load gave: the dict itself, or the one dict of tensors
    inside a training checkpoint ({"model_state_dict": ..., "optimizer": ...})."""
    import torch

    def is_state_dict(value):
        return isinstance(value, dict) and value and all(isinstance(v, torch.Tensor) for v in value.values())

    if not isinstance(loaded, dict):
        raise UserError(f"{path}: holds a {type(loaded).__name__}, not a state_dict; {SAVE_STATE_DICT}")
    if not is_state_dict(loaded):
        inner = [key for key, value in loaded.items() if is_state_dict(value)]
        if len(inner) != 1:
            raise UserError(f"{path}: no state_dict in it (a dict of tensors: name -> weight); {SAVE_STATE_DICT}")
        loaded = loaded[inner[0]]
    total = sum(t.numel() for t in loaded.values())
    if total > limits.MAX_PARAMETERS * 2:  # weights, biases and batch-norm statistics
        raise UserError(f"{path}: {total:,} numbers, over the limit of {limits.MAX_PARAMETERS:,} parameters")
    return {str(name): t.detach().to(torch.float64).cpu().numpy() for name, t in loaded.items()}


def state_dict_steps(tensors: dict[str, np.ndarray], activation: str | None, source: str) -> list:
    """The layer list a state_dict implies: its modules in the order they were registered
    (the order of a Sequential, and of most forward()s), a Linear for each 2-d weight, a
    BatchNorm for each set of running statistics, `activation` after each hidden Linear
    (and its BatchNorm: a state_dict cannot say where a BatchNorm sits; it is read as
    right after its Linear, as is usual)."""
    modules: dict[str, dict[str, np.ndarray]] = {}
    for name, value in tensors.items():
        module, _, field = name.rpartition(".")
        modules.setdefault(module, {})[field] = value
    layers = []
    for module, fields in modules.items():
        weight = fields.get("weight")
        label = module or "(top)"
        if "running_mean" in fields and "running_var" in fields:
            if weight is None or weight.ndim != 1:
                raise UserError(f"{source}: {label} has running statistics but not a BatchNorm1d's weight")
            layers.append(BatchNorm(label, weight, fields.get("bias", np.zeros_like(weight)), fields["running_mean"],
                                    fields["running_var"], 1e-5))
        elif weight is not None and weight.ndim == 2:
            layers.append(Linear(label, weight, fields.get("bias")))
        elif weight is not None and weight.ndim >= 3:
            kind = {3: "Conv1d", 4: "Conv2d", 5: "Conv3d"}.get(weight.ndim, "a convolution")
            raise UserError(f"{source}: {label} has a {weight.ndim}-dimensional weight {list(weight.shape)} "
                            f"({kind}); a state_dict does not say how its layers connect: give the class that "
                            "defines it, --module net.py:Net")
        elif set(fields) - {"num_batches_tracked"}:
            raise UserError(f"{source}: cannot tell what {label} is (it holds {', '.join(sorted(fields))}); "
                            "nn-explainer draws Linear layers, with BatchNorm1d between them")
    linears = [i for i, layer in enumerate(layers) if isinstance(layer, Linear)]
    if len(linears) > 1 and activation is None:
        raise UserError(f"{source}: a state_dict does not say its activation: add --activation relu|sigmoid|tanh")
    steps = []
    for index, layer in enumerate(layers):
        steps.append(layer)
        following = layers[index + 1] if index + 1 < len(layers) else None
        hidden = linears and index < linears[-1]
        if hidden and not isinstance(following, BatchNorm) and isinstance(layer, (Linear, BatchNorm)):
            steps.append(Activation("--activation", activation))
    return steps


def _check_file(path: Path) -> None:
    if not path.exists():
        raise UserError(f"{path}: no such file")
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise UserError(f"{path}: not a regular file")
    limits.check_size(str(path), info.st_size, limits.MAX_CHECKPOINT_BYTES)


def write_import(imported: Imported, source: dict, export_path: Path, data_source=None, progress=QUIET):
    """Build the export of an imported network and write it atomically; returns the
    checked Export (read back as every reader reads it). `progress`: names each long step
    as it runs (model/progress.py)."""
    if isinstance(imported, conv_import.ImportedConv):
        return conv_import.write_import(imported, source, export_path, data_source)
    limits.check_network_sizes(imported.sizes, f"{source['name']}: network")
    data = mnist.load(data_source)
    doc = export.document(export.rounded_network(imported.network_section()), {}, data, source=source,
                          progress=progress)
    with progress("chapter two's gradients"):
        gradients.add_to(doc, data, past=[], history=[])
    with progress("the check every reader makes (the network run again, the evidence re-proved)"):
        return export.write_export(doc, Path(export_path))

