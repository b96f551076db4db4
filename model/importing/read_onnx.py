"""An ONNX graph as a layer list (model/importing/layer_list.py): `render.py import model.onnx`.

The graph is walked from its one input to its one output, one node after the other; an
MLP is a chain, so a tensor read by two nodes (a skip connection, two branches added)
is refused, naming the nodes. What each node becomes:
- Gemm (alpha, beta, transA/transB honoured), or MatMul with the Add of its bias: Linear,
  its weight as [out, in];
- Relu, Sigmoid, Tanh, Softmax and LogSoftmax (on the last axis): Activation;
- Flatten, Reshape (keeping the batch first), Identity, Dropout (not in training
  mode), Cast to a float type: Passive;
- Sub then Div by one number each on the input, (x - m) / s: Normalize (a Sub alone
  has std 1, a Div alone mean 0);
- BatchNormalization: BatchNorm, with its epsilon.
Anything else (Conv, pooling, attention, recurrent layers, ...) is refused with one line
naming the node and its op type. Weights are initialisers or Constant nodes; each one's
size is checked before it is read, and a file that keeps its weights outside itself
(external data, as torch.onnx.export's default exporter writes) is read only from a
file beside it, each range checked first. A Reshape's target shape may be computed from the input's
own (Shape, Gather, Unsqueeze, Concat: what `x.view(x.size(0), -1)` exports with a
dynamic batch): those few shape ops are evaluated, with the batch as a stand-in number,
so that a reshape that folds the batch into the features is seen and refused.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from .. import invocation, limits
from ..errors import UserError
from .layer_list import Activation, BatchNorm, Conv, Linear, Normalize, Passive, Pool, check_input_shape

ACTIVATIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softmax": "softmax", "LogSoftmax": "log_softmax"}
OTHER_ACTIVATIONS = {"LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Gelu", "Softplus", "Softsign", "HardSigmoid",
                     "HardSwish", "Mish", "ThresholdedRelu", "Hardmax", "Swish"}
SHAPE_OPS = {"Shape", "Constant", "Identity", "Cast", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice"}
DYNAMIC_BATCH = 1_000_003   # the batch dimension's stand-in when the graph leaves it open
MAX_SHAPE_DEPTH = 64        # nodes followed to compute one Reshape target
MAX_SHAPE_VALUES = 64       # numbers in one computed shape
HINT = ("nn-explainer reads MLPs: Gemm or MatMul (+ Add), Relu/Sigmoid/Tanh, Softmax/LogSoftmax, "
        "BatchNormalization, Flatten/Reshape/Dropout, and (x - mean) / std on the input")


def read_onnx(path: Path) -> list:
    """The layer list of the ONNX graph in `path`, or a UserError of one line."""
    path = Path(path)
    where = str(path)
    model = _load(path, where)
    return _Walk(model, where).steps()


def _load(path: Path, where: str):
    try:
        import onnx
    except ImportError:
        raise UserError(f"{where}: reading ONNX needs the onnx package, an optional extra: "
                        f"{invocation.install_extra('onnx')} (or pip install onnx==1.23.2)") from None

    limits.check_size(where, path.stat().st_size, limits.MAX_CHECKPOINT_BYTES)
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as err:  # protobuf's DecodeError, and whatever a corrupt file makes onnx raise
        raise UserError(f"{where}: not a readable ONNX file ({_first_line(err)})") from None
    graph = model.graph
    tensors = list(graph.initializer) + [attribute.t for node in graph.node for attribute in node.attribute
                                         if attribute.type == onnx.AttributeProto.TENSOR]
    if len(graph.sparse_initializer):
        raise UserError(f"{where}: holds sparse initialisers, which nn-explainer does not read")
    total = sum(_element_count(tensor, where) for tensor in tensors)
    if total > limits.MAX_PARAMETERS * 2:  # weights, biases and batch-norm statistics
        raise UserError(f"{where}: {total:,} numbers, over the limit of {limits.MAX_PARAMETERS:,} parameters")
    external = [tensor for tensor in tensors if tensor.data_location == onnx.TensorProto.EXTERNAL]
    if external:  # torch.onnx.export's default (dynamo) exporter writes model.onnx.data beside it
        _load_external(onnx, model, external, path, where)
    try:
        onnx.checker.check_model(model)
    except Exception as err:  # onnx.checker.ValidationError, and any other complaint
        raise UserError(f"{where}: not a valid ONNX model ({_first_line(err)})") from None
    return model


def _load_external(onnx, model, tensors, path: Path, where: str) -> None:
    """Read the weights a graph keeps beside it (ONNX external data): only from plain
    files in the graph's own folder, named without a folder, every range inside its
    file and the whole capped, all checked before anything is read."""
    from onnx.external_data_helper import load_external_data_for_model

    sizes = {}
    for tensor in tensors:
        info = {entry.key: entry.value for entry in tensor.external_data}
        name = info.get("location", "")
        if not name or Path(name).name != name or name in (".", "..") or "\\" in name:
            raise UserError(f"{where}: tensor '{tensor.name}' keeps its data at {name!r}; nn-explainer reads external "
                            "data only from a file beside the graph, named without a folder")
        if name not in sizes:
            data = path.parent / name
            if not data.is_file() or data.is_symlink():
                raise UserError(f"{where}: its weights are in {name}, which is not a file beside it; copy both files")
            sizes[name] = data.stat().st_size
        try:
            offset, length = int(info.get("offset", 0)), int(info.get("length", sizes[name]))
        except ValueError:
            raise UserError(f"{where}: tensor '{tensor.name}' has an unreadable offset or length") from None
        if offset < 0 or length < 0 or offset + length > sizes[name]:
            raise UserError(f"{where}: tensor '{tensor.name}' lies outside {name} ({sizes[name]:,} bytes)")
    limits.check_size(where, sum(sizes.values()), limits.MAX_CHECKPOINT_BYTES)
    try:
        load_external_data_for_model(model, str(path.parent))
    except Exception as err:  # a short or unreadable data file
        raise UserError(f"{where}: its external weights are unreadable ({_first_line(err)})") from None


class _Walk:
    """The one pass from the graph's input to its output."""

    def __init__(self, model, where: str):
        self.where = where
        self.graph = model.graph
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 1)
        self.initializers = {tensor.name: tensor for tensor in self.graph.initializer}
        self.producers = {}
        self.consumers = defaultdict(list)
        for node in self.graph.node:
            for name in node.output:
                if name:
                    self.producers[name] = node
            for name in node.input:
                if name:
                    self.consumers[name].append(node)
        self.constants = {}
        self.shapes = {}      # a tensor on the chain -> its shape, the batch first
        self.previous = None  # the op type of the node before, on the chain
        self.batch = DYNAMIC_BATCH

    # The walk.

    def steps(self) -> list:
        data_input, batch, dims = self._input()
        outputs = list(self.graph.output)
        if len(outputs) != 1:
            raise UserError(f"{self.where}: the graph has {len(outputs)} outputs; nn-explainer reads a network "
                            "with one (the ten digits' scores)")
        output = outputs[0].name
        self.batch = batch
        current = data_input
        self.shapes[current] = [batch, *dims]
        steps, seen = [], set()
        while current != output:
            node = self._next_node(current)
            if id(node) in seen:  # a well-formed graph has no cycle; the checker already says so
                raise UserError(f"{self.where}: node '{_label(node)}' is reached twice; the graph has a cycle")
            seen.add(id(node))
            shape = self._step(node, current, steps)
            for extra in node.output[1:]:
                if extra and (self.consumers.get(extra) or extra == output):
                    raise UserError(f"{self.where}: node '{_label(node)}' ({node.op_type}) has its second output "
                                    f"'{extra}' used; {HINT}")
            current = node.output[0]
            self.shapes[current] = shape
        return steps

    def _input(self):
        inputs = [value for value in self.graph.input if value.name not in self.initializers]
        if len(inputs) != 1:
            names = ", ".join(f"'{value.name}'" for value in inputs) or "none"
            raise UserError(f"{self.where}: the graph has {len(inputs)} inputs ({names}); nn-explainer reads a "
                            "network with one (the image)")
        value = inputs[0]
        if not value.type.HasField("tensor_type") or not value.type.tensor_type.HasField("shape"):
            raise UserError(f"{self.where}: the graph's input '{value.name}' has no shape; export it with an "
                            "example input of shape [1, 1, 28, 28] or [1, 784]")
        shape = []
        for dim in value.type.tensor_type.shape.dim:
            shape.append(int(dim.dim_value) if dim.HasField("dim_value") else (dim.dim_param or None))
        if len(shape) < 2:
            text = "x".join(str(d) for d in shape if d is not None) or "a scalar"
            raise UserError(f"{self.where}: the input is {text}, with no batch dimension; nn-explainer reads a "
                            "batch of images, [N, 1, 28, 28] or [N, 784]")
        check_input_shape(shape[1:], self.where)
        batch = shape[0] if isinstance(shape[0], int) and shape[0] > 0 else DYNAMIC_BATCH
        return value.name, batch, [int(d) for d in shape[1:]]

    def _next_node(self, current: str):
        readers = self.consumers.get(current, [])
        data = [node for node in readers if node.op_type != "Shape" or node.domain not in ("", "ai.onnx")]
        if not data:
            raise UserError(f"{self.where}: nothing reads '{current}', so the graph's output does not follow from "
                            "its input along one chain of layers")
        if len(data) > 1:
            names = ", ".join(f"'{_label(node)}' ({node.op_type})" for node in data)
            raise UserError(f"{self.where}: '{current}' feeds {len(data)} nodes ({names}): a branch or skip "
                            "connection; nn-explainer draws a chain of layers")
        node = data[0]
        if sum(name == current for name in node.input) > 1:
            raise UserError(f"{self.where}: node '{_label(node)}' ({node.op_type}) reads '{current}' twice; "
                            "nn-explainer draws a chain of layers")
        return node

    def _step(self, node, current: str, steps: list) -> list:
        """Append what `node` is to `steps`; returns the shape of its output."""
        op, name, shape = node.op_type, _label(node), self.shapes[current]
        if node.domain not in ("", "ai.onnx"):
            raise UserError(f"{self.where}: node '{name}' is a {node.domain} {op}; {HINT}")
        previous, self.previous = self.previous, op
        if op == "Gemm":
            return self._gemm(node, current, shape, steps)
        if op == "MatMul":
            weight = self._operand(node, current, 1, "a MatMul whose weight is")
            self._rank_two(node, shape)
            if weight.ndim != 2:
                raise UserError(f"{self.where}: node '{name}' multiplies by a {weight.ndim}-d tensor; a Linear "
                                "layer's weight is 2-d")
            steps.append(Linear(name, weight.T, None))
            return [shape[0], weight.shape[1]]
        if op == "Add":
            bias = self._operand(node, current, None, "an Add of")
            last = steps[-1] if steps else None
            if previous not in ("MatMul", "Gemm") or not isinstance(last, Linear):
                raise UserError(f"{self.where}: node '{name}' adds a constant that is not a Linear layer's bias "
                                f"(it follows {previous or 'the input'}); {HINT}")
            out = last.weight.shape[0]
            bias = self._vector(bias, out, node, "bias")
            steps[-1] = Linear(last.name, last.weight, bias if last.bias is None else last.bias + bias)
            return shape
        if op in ("Sub", "Div"):
            value = self._scalar(self._operand(node, current, 1, f"a {op} by"), node)
            if op == "Div" and previous == "Sub" and isinstance(steps[-1], Normalize) and steps[-1].std == 1.0:
                steps[-1] = Normalize(steps[-1].name, steps[-1].mean, value)
            else:
                steps.append(Normalize(name, value, 1.0) if op == "Sub" else Normalize(name, 0.0, value))
            return shape
        if op in ACTIVATIONS:
            if op in ("Softmax", "LogSoftmax"):
                axis = _attribute(node, "axis", -1 if self.opset >= 13 else 1)
                if len(shape) != 2 or axis not in (-1, 1):
                    raise UserError(f"{self.where}: node '{name}' is a {op} over axis {axis} of a "
                                    f"{len(shape)}-d tensor; nn-explainer reads it over the ten outputs")
            steps.append(Activation(name, ACTIVATIONS[op]))
            return shape
        if op == "BatchNormalization":
            return self._batch_norm(node, current, shape, steps)
        if op in ("Flatten", "Reshape"):
            out = self._reshaped(node, shape)
            if out[0] != shape[0] or int(np.prod(out)) != int(np.prod(shape)):
                raise UserError(f"{self.where}: node '{name}' ({op}) turns the data from {self._text(shape)} into "
                                f"{self._text(out)}; nn-explainer reads [batch, features], the batch first "
                                "(as nn.Flatten() or x.view(x.size(0), -1) give)")
            steps.append(Passive(name, op))
            return out
        if op == "Identity":
            steps.append(Passive(name, op))
            return shape
        if op == "Dropout":
            training = self._constant(node.input[2]) if len(node.input) > 2 and node.input[2] else None
            if (training is not None and bool(np.asarray(training).any())) or _attribute(node, "is_test", 1) == 0:
                raise UserError(f"{self.where}: node '{name}' is a Dropout in training mode; export the model "
                                "after model.eval()")
            steps.append(Passive(name, op))
            return shape
        if op == "Cast":
            import onnx

            to = _attribute(node, "to", None)
            if to not in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16,
                          onnx.TensorProto.BFLOAT16):
                raise UserError(f"{self.where}: node '{name}' casts the data to a type that is not a float; {HINT}")
            steps.append(Passive(name, op))
            return shape
        if op in ("Conv", "MaxPool", "AveragePool"):  # a CNN's (folded by model/importing/conv_import.py)
            return self._windowed(node, current, shape, steps)
        if op in OTHER_ACTIVATIONS:
            raise UserError(f"{self.where}: node '{name}' is a {op}; nn-explainer draws relu, sigmoid or tanh "
                            "activations (and softmax or log-softmax on the outputs)")
        raise UserError(f"{self.where}: node '{name}' is a {op}; nn-explainer draws Linear layers only")

    def _gemm(self, node, current, shape, steps):
        name = _label(node)
        if node.input[0] != current:
            raise UserError(f"{self.where}: node '{name}' (Gemm) takes the data as its weight; nn-explainer "
                            "reads x·Wᵀ + b with x first, as nn.Linear exports")
        if _attribute(node, "transA", 0):
            raise UserError(f"{self.where}: node '{name}' (Gemm) transposes its data (transA); nn-explainer reads "
                            "a batch of rows, as nn.Linear exports")
        self._rank_two(node, shape)
        weight = self._operand(node, current, 1, "a Gemm whose weight is")
        if weight.ndim != 2:
            raise UserError(f"{self.where}: node '{name}' (Gemm) has a {weight.ndim}-d weight; expected 2-d")
        weight = float(_attribute(node, "alpha", 1.0)) * (weight if _attribute(node, "transB", 0) else weight.T)
        bias = None
        if len(node.input) > 2 and node.input[2]:
            bias = float(_attribute(node, "beta", 1.0)) * self._vector(
                self._operand(node, current, 2, "a Gemm whose bias is"), weight.shape[0], node, "bias")
        steps.append(Linear(name, weight, bias))
        return [shape[0], weight.shape[0]]

    def _batch_norm(self, node, current, shape, steps):
        name = _label(node)
        if node.input[0] != current:
            raise UserError(f"{self.where}: node '{name}' (BatchNormalization) normalises a constant; {HINT}")
        if _attribute(node, "training_mode", 0):
            raise UserError(f"{self.where}: node '{name}' is a BatchNormalization in training mode; export the "
                            "model after model.eval()")
        if len(node.input) != 5:
            raise UserError(f"{self.where}: node '{name}' (BatchNormalization) has {len(node.input)} inputs; "
                            "expected 5")
        parts = [self._operand(node, current, i, "a BatchNormalization whose statistics are").reshape(-1)
                 for i in range(1, 5)]
        steps.append(BatchNorm(name, *parts, float(_attribute(node, "epsilon", 1e-5))))
        return shape

    def _windowed(self, node, current, shape, steps):
        """Conv (groups, dilations and pads as torch exports them), MaxPool, AveragePool."""
        from ..conv_formula import output_size

        name, op = _label(node), node.op_type
        if len(shape) != 4:
            raise UserError(f"{self.where}: node '{name}' ({op}) reads a {len(shape)}-d tensor; expected feature "
                            "maps [batch, channels, rows, columns]")
        if node.input[0] != current:
            raise UserError(f"{self.where}: node '{name}' ({op}) does not read the data first; {HINT}")
        if _attribute(node, "auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET", b"VALID", "VALID"):
            raise UserError(f"{self.where}: node '{name}' ({op}) pads automatically (auto_pad); nn-explainer reads "
                            "explicit pads, as torch exports them")
        pads = list(_attribute(node, "pads", [0, 0, 0, 0]))
        if len(pads) != 4 or pads[:2] != pads[2:]:
            raise UserError(f"{self.where}: node '{name}' ({op}) pads {pads}: not the same on both sides")
        if any(d != 1 for d in _attribute(node, "dilations", [1, 1])) or _attribute(node, "ceil_mode", 0):
            kind = "a dilated" if op == "Conv" else "a dilated or ceil-mode"
            raise UserError(f"{self.where}: node '{name}' is {kind} {op}; nn-explainer draws dilation 1")
        strides = tuple(int(v) for v in _attribute(node, "strides", [1, 1]))
        padding = tuple(int(v) for v in pads[:2])
        if op == "Conv":
            weight = self._operand(node, current, 1, "a Conv whose kernel is")
            if _attribute(node, "group", 1) != 1:
                raise UserError(f"{self.where}: node '{name}' is a grouped convolution (group "
                                f"{_attribute(node, 'group', 1)}); nn-explainer draws convolutions with groups 1")
            if weight.ndim != 4 or weight.shape[1] != shape[1]:
                raise UserError(f"{self.where}: node '{name}' (Conv) has a kernel of shape {list(weight.shape)} for "
                                f"{shape[1]} channels")
            bias = None
            if len(node.input) > 2 and node.input[2]:
                bias = self._vector(self._operand(node, current, 2, "a Conv whose bias is"), weight.shape[0], node, "bias")
            steps.append(Conv(name, weight, bias, strides, padding))
            kernel, channels = weight.shape[2:], weight.shape[0]
        else:
            kernel, channels = tuple(int(v) for v in _attribute(node, "kernel_shape", [])), shape[1]
            if len(kernel) != 2:
                raise UserError(f"{self.where}: node '{name}' ({op}) has no 2-d kernel_shape")
            if op == "AveragePool" and any(padding) and not _attribute(node, "count_include_pad", 0):
                raise UserError(f"{self.where}: node '{name}' averages without the padding (count_include_pad 0); "
                                "nn-explainer draws torch's default, the padding counted")
            steps.append(Pool(name, "maxpool" if op == "MaxPool" else "avgpool", tuple(kernel), strides, padding))
        sides = [output_size(n, k, s, p) for n, k, s, p in zip(shape[2:], kernel, strides, padding)]
        if min(sides) < 1:
            raise UserError(f"{self.where}: node '{name}' ({op}): its window does not fit a {self._text(shape)} map")
        return [shape[0], channels, *sides]

    # Reshapes, and the few shape ops they may take their target from.

    def _reshaped(self, node, shape: list) -> list:
        name = _label(node)
        if node.op_type == "Flatten":
            axis = _attribute(node, "axis", 1)
            axis = axis + len(shape) if axis < 0 else axis
            if not 0 <= axis <= len(shape):
                raise UserError(f"{self.where}: node '{name}' flattens at axis {axis} of a {len(shape)}-d tensor")
            return [int(np.prod(shape[:axis])), int(np.prod(shape[axis:]))]
        if len(node.input) < 2 or not node.input[1]:
            raise UserError(f"{self.where}: node '{name}' (Reshape) has no target shape")
        target = [int(v) for v in np.asarray(self._shape_value(node.input[1], node, 0)).reshape(-1)]
        allow_zero = _attribute(node, "allowzero", 0)
        out = []
        for index, value in enumerate(target):
            if value == 0 and not allow_zero:
                if index >= len(shape):
                    raise UserError(f"{self.where}: node '{name}' (Reshape) copies dimension {index} of a "
                                    f"{len(shape)}-d tensor")
                value = shape[index]
            out.append(value)
        unknown = [i for i, value in enumerate(out) if value == -1]
        known = int(np.prod([value for value in out if value != -1]))
        total = int(np.prod(shape))
        if len(unknown) > 1 or any(value < -1 for value in out) or known <= 0 or total % known:
            raise UserError(f"{self.where}: node '{name}' (Reshape) has the target {target}, which cannot "
                            f"hold {self._text(shape)}")
        if unknown:
            out[unknown[0]] = total // known
        return out

    def _shape_value(self, name: str, reader, depth: int):
        """The integers a Reshape's target holds: a constant, or computed from a chain
        tensor's shape by Shape, Gather, Unsqueeze, Squeeze, Concat, Slice, Cast."""
        constant = self._constant(name)
        if constant is not None:
            if constant.size > MAX_SHAPE_VALUES:
                raise UserError(f"{self.where}: node '{_label(reader)}' takes a shape of {constant.size} numbers")
            return constant.astype(np.int64)
        node = self.producers.get(name)
        if node is None or node.op_type not in SHAPE_OPS or node.domain not in ("", "ai.onnx") \
                or depth > MAX_SHAPE_DEPTH:
            what = f"node '{_label(node)}' ({node.op_type})" if node is not None else f"'{name}'"
            raise UserError(f"{self.where}: node '{_label(reader)}' takes its shape from {what}, which "
                            "nn-explainer does not evaluate; export with a constant shape (x.view(-1, 784))")
        op = node.op_type
        if op == "Shape":
            if node.input[0] not in self.shapes:
                raise UserError(f"{self.where}: node '{_label(node)}' (Shape) reads '{node.input[0]}', which is "
                                "not on the chain from the input")
            full = np.asarray(self.shapes[node.input[0]], dtype=np.int64)
            start, end = _attribute(node, "start", 0), _attribute(node, "end", None)
            return full[start:end]
        values = [self._shape_value(i, node, depth + 1) if i else None for i in node.input]
        try:
            if op in ("Identity", "Cast"):
                result = values[0]
            elif op == "Gather":
                result = np.take(values[0], values[1], axis=_attribute(node, "axis", 0))
            elif op in ("Unsqueeze", "Squeeze"):
                axes = _attribute(node, "axes", None)
                if axes is None and len(values) > 1 and values[1] is not None:
                    axes = [int(a) for a in values[1].reshape(-1)]
                if op == "Unsqueeze":
                    result = values[0]
                    for axis in sorted(a + values[0].ndim + len(axes) if a < 0 else a for a in axes):
                        result = np.expand_dims(result, axis)
                else:
                    result = np.squeeze(values[0], axis=tuple(axes) if axes is not None else None)
            elif op == "Concat":
                result = np.concatenate([v for v in values if v is not None], axis=_attribute(node, "axis", 0))
            else:  # Slice
                if len(values) > 1:
                    starts, ends = values[1].reshape(-1), values[2].reshape(-1)
                    axes = values[3].reshape(-1) if len(values) > 3 and values[3] is not None else range(len(starts))
                    steps = values[4].reshape(-1) if len(values) > 4 and values[4] is not None else [1] * len(starts)
                else:
                    starts, ends = _attribute(node, "starts", []), _attribute(node, "ends", [])
                    axes, steps = _attribute(node, "axes", range(len(starts))), [1] * len(starts)
                index = [slice(None)] * values[0].ndim
                for start, end, axis, step in zip(starts, ends, axes, steps):
                    index[int(axis)] = slice(int(start), int(end), int(step))
                result = values[0][tuple(index)]
        except (ValueError, IndexError, TypeError, np.exceptions.AxisError) as err:
            raise UserError(f"{self.where}: node '{_label(node)}' ({op}) cannot compute a shape "
                            f"({_first_line(err)})") from None
        result = np.asarray(result, dtype=np.int64)
        if result.size > MAX_SHAPE_VALUES:
            raise UserError(f"{self.where}: node '{_label(node)}' computes a shape of {result.size} numbers")
        return result

    # Constants: initialisers, Constant nodes, and Identity nodes that rename them.

    def _constant(self, name: str):
        """The array `name` holds if it is a constant, else None."""
        if name in self.constants:
            return self.constants[name]
        import onnx

        seen, source = set(), name
        while source not in self.initializers and source not in seen:
            seen.add(source)
            node = self.producers.get(source)
            if node is None or node.domain not in ("", "ai.onnx") or node.op_type not in ("Identity", "Constant"):
                return None
            if node.op_type == "Identity":
                source = node.input[0]
                continue
            attributes = list(node.attribute)
            if len(attributes) != 1:
                return None
            attribute = attributes[0]
            if attribute.type == onnx.AttributeProto.TENSOR:
                value = self._array(attribute.t, f"node '{_label(node)}'")
            elif attribute.name in ("value_float", "value_floats", "value_int", "value_ints"):
                value = np.asarray(onnx.helper.get_attribute_value(attribute))
            else:
                raise UserError(f"{self.where}: node '{_label(node)}' is a Constant of a kind nn-explainer does "
                                f"not read ({attribute.name})")
            self.constants[name] = value
            return value
        if source in seen:
            return None
        value = self._array(self.initializers[source], f"initialiser '{source}'")
        self.constants[name] = value
        return value

    def _array(self, tensor, what: str) -> np.ndarray:
        from onnx import numpy_helper

        count = _element_count(tensor, self.where)
        if count > limits.MAX_PARAMETERS:
            raise UserError(f"{self.where}: {what} holds {count:,} numbers, over the limit of "
                            f"{limits.MAX_PARAMETERS:,} parameters")
        try:
            array = numpy_helper.to_array(tensor)
        except Exception as err:  # a wrong byte count, an unknown or string type
            raise UserError(f"{self.where}: {what} is unreadable ({_first_line(err)})") from None
        if array.dtype.kind in "iub":
            return array.astype(np.int64)
        try:
            return np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError):
            raise UserError(f"{self.where}: {what} holds {array.dtype} values, not numbers") from None

    def _operand(self, node, current: str, index: int | None, what: str) -> np.ndarray:
        """The constant that `node` combines the data with: its input `index`, or (None)
        whichever input is not the data."""
        name = _label(node)
        if index is None:
            others = [i for i in node.input if i != current]
            if len(node.input) != 2 or len(others) != 1:
                raise UserError(f"{self.where}: node '{name}' ({node.op_type}) has {len(node.input)} inputs; "
                                "expected 2")
            other = others[0]
        else:
            if node.input[0] != current:
                raise UserError(f"{self.where}: node '{name}' ({node.op_type}) takes the data as input "
                                f"{list(node.input).index(current) + 1}; nn-explainer reads it first")
            if len(node.input) <= index or not node.input[index]:
                raise UserError(f"{self.where}: node '{name}' ({node.op_type}) lacks input {index + 1}")
            other = node.input[index]
        value = self._constant(other)
        if value is None:
            producer = self.producers.get(other)
            by = f" (made by node '{_label(producer)}', a {producer.op_type})" if producer is not None else ""
            raise UserError(f"{self.where}: node '{name}' is {what} a computed tensor '{other}'{by}, not a "
                            "constant: a branch or skip connection; nn-explainer draws a chain of layers")
        if value.dtype.kind != "f":
            raise UserError(f"{self.where}: node '{name}' ({node.op_type}) uses '{other}', which holds integers; "
                            "expected float weights")
        return value

    def _vector(self, value: np.ndarray, size: int, node, what: str) -> np.ndarray:
        if value.size == 1:
            return np.full(size, float(value.reshape(-1)[0]))
        if value.size != size or (value.ndim > 1 and value.shape[-1] != size):
            raise UserError(f"{self.where}: node '{_label(node)}' ({node.op_type}) has a {what} of shape "
                            f"{list(value.shape)}; expected [{size}]")
        return value.reshape(-1)

    def _scalar(self, value: np.ndarray, node) -> float:
        if value.size != 1:
            raise UserError(f"{self.where}: node '{_label(node)}' ({node.op_type}) uses {value.size} numbers "
                            f"(shape {list(value.shape)}); nn-explainer folds one mean and one std for the "
                            "whole image, as transforms.Normalize((0.1307,), (0.3081,))")
        number = float(value.reshape(-1)[0])
        # A float32 0.1307 is 0.13070000708...: the shortest decimal that is the same
        # float32 is the number its author wrote.
        single = np.float32(number)
        return float(str(single)) if np.isfinite(single) and float(single) == number else number

    def _rank_two(self, node, shape):
        if len(shape) != 2:
            raise UserError(f"{self.where}: node '{_label(node)}' ({node.op_type}) multiplies a "
                            f"{self._text(shape)} tensor; nn-explainer reads [batch, features] "
                            "(flatten the image first)")

    def _text(self, shape) -> str:
        def dim(d):  # the batch's stand-in, or a multiple of it, as N
            if self.batch != DYNAMIC_BATCH or d % DYNAMIC_BATCH:
                return str(d)
            return "N" if d == DYNAMIC_BATCH else f"({d // DYNAMIC_BATCH}·N)"
        return "x".join(dim(int(d)) for d in shape)


def _element_count(tensor, where: str) -> int:
    count = 1
    for dim in tensor.dims:
        if dim < 0:
            raise UserError(f"{where}: tensor '{tensor.name}' has a negative dimension")
        count *= int(dim)
    return count


def _attribute(node, name: str, default):
    import onnx

    for attribute in node.attribute:
        if attribute.name == name:
            return onnx.helper.get_attribute_value(attribute)
    return default


def _label(node) -> str:
    return node.name or f"{node.op_type} -> {node.output[0] if node.output else '?'}"


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return (text[0] if text else type(err).__name__)[:200]
