"""The export's `gradients` section: what chapter two draws, computed with torch autograd.

Everything here is of the exported network (the plain MLP in pixel space, its rounded
W and b) and of the cost training minimised: cross-entropy on the output layer's z
(model/train.py). The section holds:
- `digit`: the featured digit's cost, dC/dz of every layer and dC/da of every hidden
  layer (its weight gradient is dC/dz a_prev^T, from those), and the gradient's largest
  components;
- `batch`: a real mini-batch (the first MINI_BATCH digits of the first batch training
  drew, same seed), each digit's cost and wanted output nudges, the averaged gradient's
  bias part and largest components, and one plain gradient-descent step on it: the
  mean cost after θ - η g;
- `surface`: the mini-batch's cost on a real slice through θ, θ + s u + t v (u: the
  mini-batch's gradient, v: the digit's, made orthogonal; both unit vectors), and a
  ball's path of real gradient steps on that slice (autograd of the cost in s and t);
- `test_costs`: the mean cost over the 10,000 test images at each kept snapshot and
  trained, and `history`: training's per-epoch loss. These two are measured, like the
  accuracies, and cannot be recomputed from the file.

The reader recomputes all the rest in numpy on every read (model/backprop.py).
"""
from __future__ import annotations

import numpy as np

from . import schema
from .backprop import KEY, LARGEST, flat_parameters, largest_components, surface_directions, unflatten
from .export import SLOPPY_THREE
from .mnist import Mnist, held_out_split
from .threads import one_thread

MINI_BATCH = 16           # digits of the first training batch kept (training's batches are 128)
SPAN_POINTS = 15          # the cost surface's grid, a side
PATH_STEPS = 16           # points of the ball's path
PATH_START = 0.8          # the ball starts at (0.8 R, 0.8 R): uphill along the gradient, off to one side
# Step sizes and the slice's extent depend on the network (pixel-space weights are steep,
# a ReLU network's far steeper than a sigmoid one's), so each is chosen from a ladder, by
# what it does to this network's real cost, and recorded in the file:
RATES = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001, 3e-05, 1e-05)
RADII = (2.0, 1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)
RISE = 4.0                # the slice's extent: its highest cost at most this far above the centre's

SLOPPY_THREE_ID = f"train:{SLOPPY_THREE}"  # the featured digit: chapter one's three

_rounded = schema.round_floats


def _torch_network(weights, biases, requires_grad=False):
    import torch

    make = lambda array: torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)
    return [make(w) for w in weights], [make(b) for b in biases]


def _forward(weights, biases, hidden: str, pixels, keep=False):
    """zs (and hidden activations) of the plain MLP; the output's σ is not in the cost."""
    from .activations import activation

    f = activation(hidden).torch_function()
    a, zs, acts = pixels, [], []
    for layer, (w, b) in enumerate(zip(weights, biases)):
        z = a @ w.T + b
        if keep:
            z.retain_grad()
        zs.append(z)
        if layer < len(weights) - 1:
            a = f(z)
            if keep:
                a.retain_grad()
            acts.append(a)
    return zs, acts


def autograd_backward(network: dict, pixels: np.ndarray, labels) -> dict:
    """Each digit's cost, dC/dz and dC/da, and the mean gradient, by torch autograd."""
    import torch
    import torch.nn.functional as F

    weights, biases = _torch_network(network["weights"], network["biases"], requires_grad=True)
    x = torch.tensor(np.atleast_2d(pixels), dtype=torch.float64)
    y = torch.tensor(np.atleast_1d(labels), dtype=torch.long)
    zs, acts = _forward(weights, biases, network["hidden_activation"], x, keep=True)
    costs = F.cross_entropy(zs[-1], y, reduction="none")
    costs.sum().backward()  # summed: each z's gradient is its own digit's dC/dz
    n = len(y)
    flat = np.concatenate([part for w, b in zip(weights, biases)
                           for part in (w.grad.numpy().ravel() / n, b.grad.numpy() / n)])
    return {"costs": costs.detach().numpy(), "dz": [z.grad.numpy() for z in zs],
            "da": [a.grad.numpy() for a in acts], "flat": flat}


class _Flat:
    """A gradient as backprop.largest_components and surface_directions read it."""

    def __init__(self, flat):
        self._flat = flat

    def flat(self):
        return self._flat


def batch_cost(network: dict, weights, biases, pixels, labels):
    import torch
    import torch.nn.functional as F

    zs, _ = _forward(weights, biases, network["hidden_activation"], torch.as_tensor(pixels))
    return F.cross_entropy(zs[-1], torch.as_tensor(labels), reduction="mean")


def first_batch(data: Mnist, seed: int) -> np.ndarray:
    """MNIST training indices of the first MINI_BATCH digits of the first batch training
    drew: training's generator, seeded the same, draws the epoch's order first."""
    import torch

    train_index = held_out_split(len(data.train_images))[0]
    order = torch.randperm(len(train_index), generator=torch.Generator().manual_seed(seed))
    return train_index[order[:MINI_BATCH]].numpy()


def test_cost(network: dict, data: Mnist) -> tuple[float, float]:
    """(mean cost, accuracy) over the 10,000 test images."""
    import torch

    weights, biases = _torch_network(network["weights"], network["biases"])
    pixels = torch.as_tensor(data.test_images.numpy().reshape(len(data.test_images), -1) / 255.0)
    labels = torch.as_tensor(data.test_labels.numpy(), dtype=torch.long)
    with torch.no_grad():
        cost = batch_cost(network, weights, biases, pixels, labels).item()
        accuracy = (_forward(weights, biases, network["hidden_activation"], pixels)[0][-1].argmax(1) == labels)
    return cost, float(accuracy.double().mean())


@one_thread()  # a mini-batch of 16 digits through wide layers, hundreds of times: model/threads.py
def section(doc: dict, data: Mnist, digit_id: str, past: list, history: list) -> dict:
    """The `gradients` section for an export document (`doc`, from export.build_export).
    `past`: (epoch, network section) of each kept snapshot; `history`: training's epochs."""
    import torch

    network = {key: doc["network"][key] for key in ("sizes", "hidden_activation", "output_activation")}
    network["weights"] = [np.asarray(w, dtype=np.float64) for w in doc["network"]["weights"]]
    network["biases"] = [np.asarray(b, dtype=np.float64) for b in doc["network"]["biases"]]
    sizes = network["sizes"]
    example = next(e for e in doc["examples"] if e["id"] == digit_id)
    digit = autograd_backward(network, np.asarray(example["pixels"]), [example["label"]])

    # An imported network's own batches are unknown: a shuffle with seed 0 draws this one.
    indices = first_batch(data, doc["training"].get("seed", 0))
    pixels = _rounded(data.train_images.numpy()[indices].reshape(len(indices), -1) / 255.0)
    labels = data.train_labels.numpy()[indices].astype(np.int64)
    batch = autograd_backward(network, pixels, labels)
    theta = flat_parameters(network["weights"], network["biases"])
    step_rate = step_size(network, theta, batch, pixels, labels)
    stepped = unflatten(theta - step_rate * batch["flat"], sizes)
    with torch.no_grad():
        after = batch_cost(network, *_torch_network(*stepped), pixels, labels).item()

    # The slice: u along the mini-batch's gradient, v along the digit's made orthogonal.
    (uw, ub), (vw, vb), u, v = surface_directions(_Flat(batch["flat"]), _Flat(digit["flat"]), sizes)
    directions = ((uw, ub), (vw, vb))
    radius, path_rate = slice_extent(network, directions, pixels, labels)
    span = np.linspace(-radius, radius, SPAN_POINTS)
    u_t, v_t, theta_t = (torch.as_tensor(x) for x in (u, v, theta))
    pixels_t, labels_t = torch.as_tensor(pixels), torch.as_tensor(labels)

    def cost_at(s, t):
        w, b = unflatten(theta_t + s * u_t + t * v_t, sizes)
        return batch_cost(network, w, b, pixels_t, labels_t)

    with torch.no_grad():
        grid = [[cost_at(float(s), float(t)).item() for s in span] for t in span]
    path, (s, t) = [], (PATH_START * radius, PATH_START * radius)
    for _ in range(PATH_STEPS):
        st = torch.tensor([s, t], dtype=torch.float64, requires_grad=True)
        cost = cost_at(st[0], st[1])
        cost.backward()  # the slope of the slice at (s, t): the real gradient along u and v
        path.append([s, t, cost.item()])
        s, t = (np.array([s, t]) - path_rate * st.grad.numpy()).tolist()

    rounded = lambda arrays: [_rounded(a).tolist() for a in arrays]
    largest = lambda flat: [{**entry, "value": schema.round_float(entry["value"])}
                            for entry in largest_components(_Flat(flat), sizes, LARGEST)]
    test_costs = []
    trained = [(doc["training"]["epochs"], doc["network"])] if "epochs" in doc["training"] else []  # imported: no run
    for epoch, past_network in [*past, *trained]:
        cost, accuracy = test_cost(past_network, data)
        test_costs.append({"epoch": int(epoch), "cost": schema.round_float(cost), "accuracy": accuracy})
    return {
        "cost": "cross-entropy of softmax(z) of the output layer against the label",
        "digit": {"id": digit_id, "cost": schema.round_float(float(digit["costs"][0])),
                  "dz": rounded(d[0] for d in digit["dz"]), "da": rounded(d[0] for d in digit["da"]),
                  "largest": largest(digit["flat"])},
        "batch": {"indices": [int(i) for i in indices], "labels": [int(l) for l in labels],
                  "pixels": pixels.tolist(), "costs": _rounded(batch["costs"]).tolist(),
                  "cost": schema.round_float(float(batch["costs"].mean())),
                  "output_dz": rounded(batch["dz"][-1]),
                  "bias_gradient": rounded(d.mean(axis=0) for d in batch["dz"]),
                  "largest": largest(batch["flat"]),
                  "learning_rate": step_rate, "cost_after_step": schema.round_float(after)},
        "surface": {"span": span.tolist(), "cost": rounded(grid), "rate": path_rate,
                    "path": rounded(path)},
        "test_costs": test_costs,
        "history": [{"epoch": int(h["epoch"]), "loss": schema.round_float(float(h["loss"]))} for h in history],
    }


@np.errstate(over="ignore", invalid="ignore")  # a far trial step overflows (to inf, then NaN): its cost is no lower, so it is passed over
def step_size(network: dict, theta, batch: dict, pixels, labels) -> float:
    """η of the one plain step: the largest of RATES whose step lowers the batch's cost."""
    from .backprop import costs
    from .formula import forward

    acts = (network["hidden_activation"], network["output_activation"])
    before = batch["costs"].mean()
    for rate in RATES:
        w, b = unflatten(theta - rate * batch["flat"], network["sizes"])
        if costs(forward(w, b, *acts, pixels)[0][-1], labels).mean() < before:
            return rate
    return RATES[-1]


@np.errstate(over="ignore", invalid="ignore")
def slice_extent(network: dict, directions, pixels, labels) -> tuple[float, float]:
    """(R, the ball's rate): the largest of RADII whose slice rises at most RISE above its
    centre, and the largest of RATES whose path from (0.8 R, 0.8 R) only goes downhill."""
    from .backprop import slice_descent, surface_costs

    acts = (network["hidden_activation"], network["output_activation"])
    w, b = network["weights"], network["biases"]
    centre = surface_costs(w, b, acts, directions, [0.0], [0.0], pixels, labels)[0]
    radius = RADII[-1]
    for candidate in RADII:
        span = np.linspace(-candidate, candidate, SPAN_POINTS)
        s, t = np.meshgrid(span, span)
        if surface_costs(w, b, acts, directions, s.ravel(), t.ravel(), pixels, labels).max() <= centre + RISE:
            radius = candidate
            break
    start = (PATH_START * radius, PATH_START * radius)
    for rate in RATES:
        path = slice_descent(w, b, acts, directions, start, rate, PATH_STEPS, pixels, labels)
        if np.all(np.diff(path[:, 2]) < 0):
            return radius, rate
    return radius, RATES[-1]


def past_networks(checkpoint_path, final_epoch: int) -> list:
    """(epoch, network section) of each snapshot checkpoint kept beside a checkpoint
    (`network.epochN.safetensors`, written with it by training), before its last epoch."""
    from . import checkpoint, export, paths

    found = []
    for epoch in paths.snapshot_epochs(checkpoint_path):
        if epoch < final_epoch:
            model, _, _ = checkpoint.load_checkpoint(paths.snapshot_path(checkpoint_path, epoch))
            found.append((epoch, export.network_section(model)))
    return found


def add_to(doc: dict, data: Mnist, past: list, history: list, digit_id: str = SLOPPY_THREE_ID) -> dict:
    """The export document with its `gradients` section (for the sloppy three)."""
    doc[KEY] = section(doc, data, digit_id, past, history)
    return doc
