"""How the user runs the tool, so that every message names a command they can type.

From a clone: `python render.py train`, and an extra installed into the checkout with
`pip install -e '.[voice]'`. As the console script (an installed wheel, or any install
run as `nn-explainer`): `nn-explainer train`, and outside a clone the extra by its
package name, `pip install 'nn-explainer[voice]'`. Both come from the one layout
(paths.LAYOUT), decided once.
"""
from . import paths

CLONE_SCRIPT = "render.py"


def program() -> str:
    """The name a message starts with, and a short mention of a command uses:
    `render.py` from a clone, `nn-explainer` as the console script or when installed."""
    layout = paths.LAYOUT
    return CLONE_SCRIPT if layout.clone and not layout.console else paths.CONSOLE_SCRIPT


def command(words: str) -> str:
    """A whole command to type: `python render.py train` or `nn-explainer train`."""
    name = program()
    return f"python {name} {words}" if name == CLONE_SCRIPT else f"{name} {words}"


def install_extra(extra: str) -> str:
    """How to install one of pyproject.toml's extras (voice, onnx, cluster) here."""
    if paths.LAYOUT.clone:
        return f"pip install -e '.[{extra}]'"
    return f"pip install '{paths.APP_NAME}[{extra}]'"
