"""nn-explainer: draw a real MNIST network (ours, or yours) the way 3Blue1Brown did.

The repository keeps its data flow in its top-level folders, `model/` -> `scenes/` ->
`publish/`; they are imported as `nn_explainer.model`, `nn_explainer.scenes` and
`nn_explainer.publish`, so that a notebook beside a user's own `model.py` never shadows
them. From Python (see the README's "Bring your own model"):

    import nn_explainer
    export = nn_explainer.export_module(net, "my_net.json")   # a live nn.Module, traced with torch.fx
    clip = nn_explainer.render("ForwardPass", export=export)  # a Clip; shows inline in Jupyter

The API is nn_explainer/api.py (docs/python-api.md); importing the package imports
neither torch nor manim.
"""
from pathlib import Path as _Path

_HERE = _Path(__file__).resolve().parent
# A wheel puts model/, scenes/ and publish/ inside this folder; a clone (and an editable
# install of it) keeps them one level up, beside this one: look there too.
if not (_HERE / "model").is_dir() and (_HERE.parent / "model" / "__init__.py").is_file():
    __path__.append(str(_HERE.parent))

# The API's names; its scene list is `nn_explainer.api.scenes()` (`nn_explainer.scenes` is the package).
from .api import Clip, export_module, import_file, render  # noqa: E402  (stdlib only at import time)
from .api import mnist_for_torchvision  # noqa: E402

__all__ = ["Clip", "export_module", "import_file", "render", "mnist_for_torchvision"]
