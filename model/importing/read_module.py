"""A live nn.Module (the Python API, `nn_explainer.export_module`): read by tracing it.

`read_module` does not guess from the module's attributes (the order its submodules
were registered in need not be the order forward() calls them): it traces forward()
with torch.fx and walks the recorded graph node by node, in the order they run, turning
each into a step of the layer list (model/importing/layer_list.py):
- nn.Linear, or F.linear on the module's own weight -> Linear;
- nn.BatchNorm1d -> BatchNorm (its running statistics: eval mode);
- nn.ReLU/Sigmoid/Tanh/Softmax/LogSoftmax, F.relu, torch.sigmoid, ... -> Activation;
- nn.Dropout, nn.Flatten, nn.Identity, torch.flatten, .view/.reshape, F.dropout in eval -> Passive;
- `(x - m) / s` with constant numbers (operator or .sub/.div) -> Normalize(m, s).
Every node must read the value the node before it made (a chain); anything else (a
convolution, a pooling, attention, an add of two values, i.e. a skip connection) is
refused in one line naming the node or the module.

`module_to_export` then folds the list (`to_network`), writes the export as
`render.py import` does, and checks the result against the truth: the module itself,
run on every example's pixels, must give the outputs the export holds (to 1e-4),
or nothing is written.
"""
from __future__ import annotations

import builtins
import operator
from pathlib import Path

import numpy as np

from . import conv_import, from_file, normalisation
from .. import limits, paths
from ..atomic import atomic_path
from ..errors import UserError
from ..progress import QUIET
from .layer_list import Activation, BatchNorm, Linear, Normalize, Passive, check_input_shape, read_outputs
from ..shapes import IMAGE_SIDE, PIXELS

SOURCE = "the model"
EXAMPLE_SHAPE = (1, 1, IMAGE_SIDE, IMAGE_SIDE)   # a batch of one grey 28x28 image
AGREEMENT = 1e-4          # the export's outputs against the module's own, per example
SHAPE_METHODS = ("size", "dim")                  # x.size(0): read to reshape, not a layer
PASSIVE_METHODS = ("view", "reshape", "flatten", "contiguous", "squeeze")
ACTIVATION_METHODS = ("relu", "sigmoid", "tanh", "softmax", "log_softmax")
CHAIN = "nn-explainer draws a chain of layers, each reading the one before"


def read_module(module, example_shape=EXAMPLE_SHAPE) -> list:
    """The layer list `module` computes, read from its torch.fx graph; refused in one
    line (a UserError) if it is not a chain of layers an MLP has. When its first Linear
    reads 784 numbers, the module is also run once on zeros of `example_shape` (else a
    flat [1, 784]), so that a model that takes neither is refused here."""
    import torch

    if not isinstance(module, torch.nn.Module):
        raise UserError(f"{SOURCE}: expected a torch.nn.Module, got a {type(module).__name__}")
    _check_size(module)
    steps = _Walk(_trace(module)).steps()
    first = next((step for step in steps if isinstance(step, Linear)), None)
    if first is not None and not conv_import.is_convolutional(steps):  # a CNN's first Linear reads its maps
        features = first.weight.shape[1] if first.weight.ndim == 2 else 0
        if features != PIXELS and features % PIXELS == 0 and 1 < features // PIXELS <= 4:
            check_input_shape([features // PIXELS, IMAGE_SIDE, IMAGE_SIDE], SOURCE)  # refuses: N channels
        if features == PIXELS:
            input_shape(module, example_shape)
    return steps


def say_normalize(mean: float, std: float) -> str:
    """How a normalisation is said to `nn_explainer.export_module`."""
    return f"normalize=({mean:g}, {std:g})"


def module_to_export(module, export_path, outputs: str | None = None, name: str | None = None,
                     example_shape=EXAMPLE_SHAPE, data_source=None, normalize=None, progress=QUIET,
                     kind: str = "module", sha256: str | None = None, say=None):
    """Write the export of a live module to `export_path` and return it (the checked
    `schema.Export`). `outputs`: what the module's last values are when its forward()
    ends in a Linear (logits: trained with CrossEntropyLoss; softmax; sigmoid); None
    reads logits there. A forward() that ends in softmax, log_softmax or sigmoid says it
    by itself. The module is read in eval mode and left in the mode it was in.
    `normalize`: (mean, std) its inputs were normalised by before forward() (a
    DataLoader's transforms.Normalize; (0, 1): not at all); None: measured on MNIST's test
    digits, refused if another reading is clearly better (model/importing/normalisation.py).

    Written only once true: the module itself, run on every example's pixels, gives the
    outputs the export holds (softmax of its logits, exp of its log-softmax) to 1e-4;
    else nothing is written (an export already there is left as it was). A CNN (a
    convolution in the list) is folded by model/importing/conv_import.py and must agree to 1e-5.
    `kind` and `sha256` go to the `source` section (a state_dict read with its class: "state_dict")."""
    import torch

    if not isinstance(module, torch.nn.Module):
        raise UserError(f"{SOURCE}: expected a torch.nn.Module, got a {type(module).__name__}")
    export_path = Path(export_path)
    paths.check_given_path(export_path, "the export path", paths.WRITE_FILE)
    was_training = module.training
    module.eval()
    try:
        steps = read_module(module, example_shape)
        settled = normalisation.settle(steps, read_outputs(steps, outputs), normalize, SOURCE, say or say_normalize)
        imported = settled.imported
        source = from_file.source_section(imported, kind, name or type(module).__name__, sha256, settled.record)
        shape = input_shape(module, example_shape)
        convolutional = isinstance(imported, conv_import.ImportedConv)
        with atomic_path(export_path) as written:  # renamed onto export_path only if true
            export = from_file.write_import(imported, source, written, data_source, progress)
            check_agreement(module, export, imported.outputs, shape, settled.inputs,
                            conv_import.AGREEMENT if convolutional else AGREEMENT)
        return export
    finally:
        module.train(was_training)


def input_shape(module, example_shape=EXAMPLE_SHAPE) -> tuple:
    """The input shape (batch of one first) that `module` runs on in eval mode:
    `example_shape`, else [1, 784]; refused if neither."""
    import torch

    failures, was_training = [], module.training
    module.eval()  # as it is drawn: BatchNorm by its running statistics, no dropout
    try:
        for shape in dict.fromkeys([tuple(example_shape), (1, PIXELS)]):
            try:
                with torch.no_grad():
                    module(torch.zeros(shape, dtype=_dtype(module), device=_device(module)))
                return shape
            except Exception as err:  # the user's forward(): whatever it raises, it did not run
                failures.append(f"{list(shape)}: {_first_line(err)}")
    finally:
        module.train(was_training)
    raise UserError(f"{SOURCE}: it does not run on a batch of 28x28 images ({'; '.join(failures)})")


def check_agreement(module, export, outputs: str, shape: tuple, inputs=None, tolerance: float = AGREEMENT) -> None:
    """Refuse unless the module itself, on every example's pixels (normalised by
    `inputs`, (mean, std), as its DataLoader did), gives the outputs the export holds
    (what they are drawn as: softmax of logits, exp of log-softmax) to `tolerance`: the
    truth the traced graph must match."""
    import torch

    examples = export.examples
    pixels = np.stack([example.pixels for example in examples])
    if inputs is not None:
        pixels = (pixels - inputs[0]) / inputs[1]
    batch = torch.from_numpy(pixels).to(device=_device(module), dtype=_dtype(module)).reshape(len(examples), *shape[1:])
    with torch.no_grad():
        given = module(batch)
    classes = export.network.shapes[-1][0] if export.convolutional else export.network.sizes[-1]
    if not isinstance(given, torch.Tensor) or given.numel() != len(examples) * classes:
        what = f"a {type(given).__name__}" if not isinstance(given, torch.Tensor) else f"shape {list(given.shape)}"
        raise UserError(f"{SOURCE}: on {len(examples)} images it gives {what}, not [{len(examples)}, {classes}]")
    given = given.detach().to("cpu", torch.float64).reshape(len(examples), -1)
    if outputs == "logits":
        given = torch.softmax(given, dim=1)
    elif outputs == "log_softmax":
        given = given.exp()
    drawn = np.stack([example.maps[-1] if export.convolutional else example.a[-1] for example in examples])
    differences = np.abs(given.numpy() - drawn).max(axis=1)
    worst = int(np.nanargmax(differences)) if np.isnan(differences).sum() < len(differences) else 0
    if not np.all(differences <= tolerance):
        raise UserError(f"{SOURCE}: the traced network disagrees with the model itself on {examples[worst].id} by "
                        f"{differences[worst]:.3g}; its forward() computes something torch.fx did not record "
                        "(an operation on a Python value, a random or stateful step); nothing was written")


def _trace(module):
    import torch

    try:
        return torch.fx.symbolic_trace(module)
    except Exception as err:  # TraceError, or whatever the user's forward() raised on a Proxy
        raise UserError(f"{SOURCE}: torch.fx cannot trace it ({type(err).__name__}): {_first_line(err)}; "
                        f"save its weights instead (torch.save(model.state_dict(), 'model.pt')) and use "
                        "nn_explainer.import_file") from None


class _Walk:
    """One pass over a traced graph's nodes, in order; `steps()` is the layer list."""

    def __init__(self, traced):
        import torch

        self.torch = torch
        self.traced = traced
        self.modules = dict(traced.named_modules())
        self.shape_nodes = set()    # x.size(0), x.shape[1], ...: read to reshape, not values
        self.current = None         # the node whose value the next layer must read
        self.list = []
        self.affine = None          # (scale, shift, name): pending x -> scale*x + shift on the input

    def steps(self) -> list:
        for node in self.traced.graph.nodes:
            if node.op == "placeholder":
                self._input(node)
            elif node.op == "get_attr":
                continue            # a constant, read where it is used
            elif node.op == "output":
                self._output(node)
            elif self._is_shape(node):
                self.shape_nodes.add(node)
            else:
                self._chained(node)
                step = self._step(node)
                self._add(step)
                self.current = node
        self._flush()
        return self.list

    # -- the chain ------------------------------------------------------------------

    def _input(self, node) -> None:
        if self.current is not None:
            if node.users:
                raise UserError(f"{SOURCE}: forward() takes a second input ({node.target}); nn-explainer draws "
                                "networks that read one image")
            return
        self.current = node

    def _output(self, node) -> None:
        result = node.args[0]
        if isinstance(result, (tuple, list, dict)):
            raise UserError(f"{SOURCE}: forward() returns {len(result)} values; nn-explainer draws a network "
                            "that returns its ten outputs")
        if result is not self.current:
            raise UserError(f"{SOURCE}: forward() returns {getattr(result, 'name', repr(result))}, not the value of "
                            f"its last layer ({self.current.name}); {CHAIN}")

    def _values(self, node) -> list:
        """The nodes `node` reads that are values (not constants or shape queries)."""
        return [n for n in node.all_input_nodes if n.op != "get_attr" and n not in self.shape_nodes]

    def _chained(self, node) -> None:
        values = self._values(node)
        if len(values) > 1:
            raise UserError(f"{SOURCE}: {node.name} ({self._what(node)}) combines {' and '.join(v.name for v in values)} "
                            f"(a skip connection or a branch); {CHAIN}")
        if not values:
            raise UserError(f"{SOURCE}: {node.name} ({self._what(node)}) reads no value of the network; {CHAIN}")
        data = values[0]
        if data is not self.current:
            raise UserError(f"{SOURCE}: {node.name} ({self._what(node)}) reads {data.name}, not the layer just "
                            f"before it ({self.current.name}): a branch or a skip connection; {CHAIN}")
        if self._data_arg(node) is not data:
            raise UserError(f"{SOURCE}: {node.name} ({self._what(node)}) computes with the network's value as its "
                            "second operand (e.g. m - x); nn-explainer draws (x - m) / s on the input")

    @staticmethod
    def _data_arg(node):
        if node.args:
            return node.args[0]
        return node.kwargs.get("input", node.kwargs.get("self"))

    def _is_shape(self, node) -> bool:
        """x.size(0), x.dim(), x.shape, x.shape[0], len(x), and arithmetic on those."""
        if node.op == "call_method" and node.target in SHAPE_METHODS:
            return True
        if node.op != "call_function":
            return False
        if node.target is builtins.getattr and len(node.args) > 1 and node.args[1] in ("shape", "ndim"):
            return True
        if node.target is builtins.len:
            return True
        inputs = node.all_input_nodes
        return (node.target in (operator.getitem, operator.mul, operator.floordiv, operator.add, operator.sub)
                and bool(inputs) and all(n in self.shape_nodes for n in inputs))

    # -- each node's step -----------------------------------------------------------

    def _step(self, node):
        if node.op == "call_module":
            return self._module_step(node)
        if node.op == "call_function":
            return self._function_step(node)
        if node.op == "call_method":
            return self._method_step(node)
        raise UserError(f"{SOURCE}: cannot draw {node.name} ({node.op})")

    def _module_step(self, node):
        nn = self.torch.nn
        module, name = self.modules[node.target], str(node.target)
        if isinstance(module, nn.Linear):
            return Linear(name, _array(module.weight), None if module.bias is None else _array(module.bias))
        if isinstance(module, nn.BatchNorm1d):
            if module.running_mean is None or module.running_var is None:
                raise UserError(f"{SOURCE}: BatchNorm1d {name} keeps no running statistics "
                                "(track_running_stats=False), so what it does depends on the whole batch; "
                                "nn-explainer folds a BatchNorm1d by its running statistics")
            features = module.num_features
            gamma = _array(module.weight) if module.weight is not None else np.ones(features)
            beta = _array(module.bias) if module.bias is not None else np.zeros(features)
            return BatchNorm(name, gamma, beta, _array(module.running_mean), _array(module.running_var),
                             float(module.eps))
        kinds = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.Softmax: "softmax",
                 nn.LogSoftmax: "log_softmax"}
        for kind_type, kind in kinds.items():
            if type(module) is kind_type:
                if kind in ("softmax", "log_softmax"):
                    self._check_dim(module.dim, name)
                return Activation(name, kind)
        if isinstance(module, (nn.Dropout, nn.Flatten, nn.Identity)):
            return Passive(name, type(module).__name__)
        step = conv_import.module_step(module, name)  # a CNN's Conv2d, pooling or BatchNorm2d
        if step is not None:
            return step
        raise UserError(f"{SOURCE}: {name} is a {type(module).__name__}; nn-explainer draws Linear layers only "
                        "(with ReLU, Sigmoid or Tanh between them, and BatchNorm1d, Dropout or Flatten)")

    def _function_step(self, node):
        torch, F = self.torch, self.torch.nn.functional
        target, name = node.target, node.name
        activations = {F.relu: "relu", torch.relu: "relu", torch.sigmoid: "sigmoid", F.sigmoid: "sigmoid",
                       torch.tanh: "tanh", F.tanh: "tanh", F.softmax: "softmax", torch.softmax: "softmax",
                       F.log_softmax: "log_softmax", torch.log_softmax: "log_softmax"}
        if target in activations:
            kind = activations[target]
            if kind in ("softmax", "log_softmax"):
                self._check_dim(_argument(node, 1, "dim"), name)
            return Activation(name, kind)
        if target is torch.flatten:
            return Passive(name, "flatten")
        if target is F.dropout:
            self._check_dropout(node)
            return Passive(name, "dropout")
        if target in (operator.sub, torch.sub, torch.subtract):
            return self._arithmetic(node, "sub")
        if target in (operator.truediv, torch.div, torch.divide, torch.true_divide):
            return self._arithmetic(node, "div")
        if target is F.linear:
            return self._functional_linear(node)
        step = conv_import.function_step(node, _argument)  # F.max_pool2d, F.avg_pool2d
        if step is not None:
            return step
        raise UserError(f"{SOURCE}: {name} calls {_callable_name(target)}; nn-explainer draws Linear layers only "
                        "(with ReLU, Sigmoid or Tanh between them)")

    def _method_step(self, node):
        method, name = node.target, node.name
        if method in PASSIVE_METHODS:
            return Passive(name, method)
        if method in ACTIVATION_METHODS:
            if method in ("softmax", "log_softmax"):
                self._check_dim(_argument(node, 1, "dim"), name)
            return Activation(name, method)
        if method in ("sub", "subtract"):
            return self._arithmetic(node, "sub")
        if method in ("div", "divide", "true_divide"):
            return self._arithmetic(node, "div")
        raise UserError(f"{SOURCE}: {name} calls .{method}(); nn-explainer draws Linear layers only "
                        "(with ReLU, Sigmoid or Tanh between them)")

    def _arithmetic(self, node, kind: str):
        """x - c or x / c with a constant number c: part of an input normalisation."""
        extra = {key for key in node.kwargs if key not in ("input", "other", "self")}
        if extra or len(node.args) > 2:
            raise UserError(f"{SOURCE}: {node.name} is a {kind} with {', '.join(sorted(extra)) or 'more arguments'}; "
                            "nn-explainer reads (x - m) / s with two numbers")
        number = self._constant(_argument(node, 1, "other"), node)
        scale, shift, first = self.affine or (1.0, 0.0, node.name)
        if kind == "sub":
            shift -= number
        else:
            if number == 0:
                raise UserError(f"{SOURCE}: {node.name} divides by zero")
            scale, shift = scale / number, shift / number
        return ("affine", scale, shift, first)

    def _constant(self, value, node) -> float:
        torch = self.torch
        if hasattr(value, "op") and value.op == "get_attr":
            value = _fetch(self.traced, value.target)
        if isinstance(value, torch.Tensor):
            if value.numel() != 1:
                raise UserError(f"{SOURCE}: {node.name} uses {value.numel()} numbers ({list(value.shape)}); "
                                "an input normalisation of one grey channel is one mean and one std")
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(f"{SOURCE}: {node.name} computes with {value!r}; nn-explainer reads (x - m) / s "
                            "with constant numbers")
        return float(value)

    def _functional_linear(self, node):
        weight, bias = _argument(node, 1, "weight"), _argument(node, 2, "bias")
        if not (hasattr(weight, "op") and weight.op == "get_attr") or not (
                bias is None or (hasattr(bias, "op") and bias.op == "get_attr")):
            raise UserError(f"{SOURCE}: {node.name} calls F.linear with a weight that is computed, not one of "
                            "the model's own tensors")
        name = weight.target[:-len(".weight")] if weight.target.endswith(".weight") else node.name
        return Linear(name, _array(_fetch(self.traced, weight.target)),
                      None if bias is None else _array(_fetch(self.traced, bias.target)))

    def _check_dim(self, dim, name: str) -> None:
        if dim not in (None, 1, -1):
            raise UserError(f"{SOURCE}: {name} takes the softmax over dim {dim}; nn-explainer draws one over the "
                            "ten outputs (dim 1 or -1)")

    def _check_dropout(self, node) -> None:
        training = _argument(node, 2, "training", default=True)
        p = _argument(node, 1, "p", default=0.5)
        if training is not False and p != 0:
            raise UserError(f"{SOURCE}: {node.name} calls F.dropout with training={training!r}, so it drops "
                            "values even in eval mode; pass training=self.training (or use nn.Dropout)")

    # -- the list ---------------------------------------------------------------------

    def _add(self, step) -> None:
        if isinstance(step, tuple) and step[0] == "affine":
            self.affine = step[1:]
            return
        if not isinstance(step, Passive):  # a reshape commutes with (x - m) / s: it may sit between
            self._flush()
        self.list.append(step)

    def _flush(self) -> None:
        if self.affine is None:
            return
        scale, shift, name = self.affine
        self.affine = None
        if scale == 0:
            raise UserError(f"{SOURCE}: the normalisation {name} divides by an infinite number")
        # scale*x + shift = (x - mean) / std
        position = max((i for i, step in enumerate(self.list) if not isinstance(step, Passive)), default=-1) + 1
        self.list.insert(position, Normalize(name, -shift / scale, 1 / scale))

    def _what(self, node) -> str:
        if node.op == "call_module":
            return type(self.modules[node.target]).__name__
        if node.op == "call_method":
            return f".{node.target}()"
        return _callable_name(node.target)


def _argument(node, index: int, keyword: str, default=None):
    if len(node.args) > index:
        return node.args[index]
    return node.kwargs.get(keyword, default)


def _fetch(traced, target: str):
    value = traced
    for part in target.split("."):
        value = getattr(value, part)
    return value


def _array(tensor) -> np.ndarray:
    import torch

    return tensor.detach().to("cpu", torch.float64).numpy()


def _callable_name(function) -> str:
    module = getattr(function, "__module__", None) or ""
    name = getattr(function, "__name__", repr(function))
    if module == "torch.nn.functional":
        return f"F.{name}"
    if module.startswith("torch") or module in ("", "torch._C._VariableFunctions"):
        return f"torch.{name}"
    if module in ("_operator", "operator"):
        return f"operator.{name}"
    return f"{module}.{name}"


def _check_size(module) -> None:
    count = sum(t.numel() for t in module.parameters()) + sum(t.numel() for t in module.buffers())
    if count > limits.MAX_PARAMETERS * 2:  # weights, biases and batch-norm statistics
        raise UserError(f"{SOURCE}: {count:,} numbers, over the limit of {limits.MAX_PARAMETERS:,} parameters")


def _dtype(module):
    import torch

    parameter = next(module.parameters(), None)
    return parameter.dtype if parameter is not None and parameter.is_floating_point() else torch.float32


def _device(module):
    parameter = next(module.parameters(), None)
    return parameter.device if parameter is not None else "cpu"


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return (text[0] if text else type(err).__name__)[:200]
