"""What a clip depends on, as one key: re-render a clip only when its key changes.

A clip's inputs are: what it reads from the export, the source of its scene and of
every project module the scene imports (transitively), and the render options
(quality, format, digit, ...). Each scene says how much of the export it reads
(`Beat.export_dependency`): "values" (weights, biases, examples: almost every scene)
or "shapes" (only the layer sizes: ParameterCount), so a retrained network with new
values re-renders the first kind and leaves the second alone.

The export's training record (wall-clock seconds, accuracies) is not drawn by any
scene, so it is left out of the hash: retraining with the same seed changes nothing
that is drawn, and nothing is re-rendered.
"""
from __future__ import annotations

import ast
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from model import paths

from scenes.catalog import SCENES, scene_class
from scenes.export_data import DEFAULT_DIGIT

PROJECT_PACKAGES = ("scenes", "model")


@lru_cache(maxsize=8)
def _export_hashes(path: Path, version: tuple) -> tuple[str, str]:
    """(content, shapes) hashes of one version of an export: read once per run, not per scene."""
    doc = json.loads(path.read_text())
    drawn = {"network": doc["network"], "examples": doc["examples"]}
    content = hashlib.sha256(json.dumps(drawn, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    shapes = hashlib.sha256(json.dumps(doc["network"]["sizes"]).encode()).hexdigest()
    return content, shapes


def _hashes(path: Path) -> tuple[str, str]:
    path = Path(path).resolve()
    stat = path.stat()
    return _export_hashes(path, (stat.st_mtime_ns, stat.st_size, stat.st_ino))


def export_content_hash(path: Path) -> str:
    """sha256 of what scenes draw from an export: the network and the examples."""
    return _hashes(path)[0]


def export_shapes_hash(path: Path) -> str:
    return _hashes(path)[1]


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] not in PROJECT_PACKAGES:
        return None
    base = paths.REPO_ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imports(file: Path) -> set[str]:
    """Project modules imported by `file`, absolute or relative, as dotted names."""
    package = ".".join(file.relative_to(paths.REPO_ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(file.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)  # `from scenes import style`
    return {name for name in names if _module_file(name) is not None}


@lru_cache(maxsize=None)
def source_files(module: str) -> tuple[Path, ...]:
    """The module's file and every project file it imports, transitively."""
    seen, todo = {}, [module]
    while todo:
        name = todo.pop()
        file = _module_file(name)
        if file is None or file in seen.values():
            continue
        seen[name] = file
        todo.extend(_imports(file))
    return tuple(sorted(set(seen.values())))


def source_hash(scene: str) -> str:
    digest = hashlib.sha256()
    for file in source_files(SCENES[scene][0]):
        digest.update(str(file.relative_to(paths.REPO_ROOT)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def inputs_key(request) -> str:
    """One hash of everything that decides what a clip looks like."""
    dependency = getattr(scene_class(request.scene), "export_dependency", "values")
    export = request.export_path()
    options = {"scene": request.scene, "quality": request.quality, "format": request.format,
               "transparent": request.transparent, "sections": request.sections, "edges": request.edges,
               "snapshot": request.snapshot}
    if dependency == "values":
        options["digit"] = request.digit or DEFAULT_DIGIT
        options["export"] = export_content_hash(export)
        if request.scene in ("ReLU", "Chapter"):  # these also draw the ReLU network
            options["relu_export"] = export_content_hash(paths.RELU_EXPORT)
    else:
        options["export"] = export_shapes_hash(export)
    options["source"] = source_hash(request.scene)
    return hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()
