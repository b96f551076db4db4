"""The scenes' one way in to the export file.

Every scene gets its numbers here, never by opening a file itself. The file is read
and validated by the model package's schema (one definition of the format), and handed
out as the schema's typed objects: the `Network` (sizes, weights, biases, activation
names) and the chosen `Example` (pixels, z, a, prediction).

Which export, which digit and which edge mode come from the `Settings` the scene was
given (see settings.py): by default the committed export and the sloppy three.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from model.errors import UserError
from model.schema import Example, Export, Network, read_export

from .settings import DEFAULT_DIGIT, Settings  # noqa: F401  (DEFAULT_DIGIT: re-exported)



@dataclass(frozen=True)
class SceneInputs:
    """What a scene draws: the network, one digit run through it, and their source."""

    network: Network
    example: Example
    export: Export
    path: Path


@lru_cache(maxsize=8)
def _read(path: Path, version: tuple) -> Export:
    return read_export(path)  # cached per file version: scenes of one render share it


def load_export(path: Path) -> Export:
    path = Path(path).resolve()
    if not path.exists():
        raise UserError(f"{path}: no export file (run `python render.py train` to make one)")
    stat = path.stat()  # a rewrite (always a rename into place) changes the inode
    return _read(path, (stat.st_mtime_ns, stat.st_size, stat.st_ino))


def resolve_digit(export: Export, wanted: str) -> Example:
    """`train:7`, `test:0`, `image:my-three`; a bare image name works too."""
    if ":" not in wanted:
        wanted = f"image:{wanted}"
    return export.example(wanted)


def scene_inputs(scene_name: str, settings: Settings, hidden_layers: range = range(1, 4), max_hidden: int = 20,
                 path: Path | None = None) -> SceneInputs:
    """The export and digit for a scene that draws a 784-...-10 network whose hidden
    layers it can fit on screen; anything else is refused with the reason."""
    path = Path(path or settings.export)
    export = load_export(path)
    network = export.network
    hidden = network.sizes[1:-1]
    if len(hidden) not in hidden_layers or max(hidden) > max_hidden:
        shape = "-".join(map(str, network.sizes))
        raise UserError(f"{scene_name} draws networks with {hidden_layers.start}-{hidden_layers.stop - 1} "
                        f"hidden layers of at most {max_hidden} neurons; this export is {shape}")
    return SceneInputs(network, resolve_digit(export, settings.digit), export, path)
