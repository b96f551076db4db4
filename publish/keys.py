"""What a clip depends on, as one key: re-render a clip only when its key changes.

A clip's inputs are: the parts of the export its beats read, the source of its scene
and of every project module the scene imports (transitively), and the render options
(quality, format, digit, ..., and the layout the format is drawn in: a GIF's is "post"). Each beat declares what it reads in the outline
(scenes/outline.py): the layer sizes, the weights, the chosen digit's activations,
every example, or the ReLU export; the Chapter reads the union of its beats. So a
retrained network re-renders what shows weights or activations and leaves a beat that
shows only shapes alone, and adding an example re-renders only what shows them all.

The export is read through the one reader (verified on every read); the training
record (wall-clock seconds, accuracies) is drawn by no beat and is left out, so
retraining with the same seed re-renders nothing.
"""
from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from nn_explainer.model import paths
from nn_explainer.model.errors import UserError

from nn_explainer.scenes.outline import GRADIENT_PARTS, is_chapter, scene_info
from nn_explainer.scenes.story import load_export, resolve_digit, snapshots_of
from nn_explainer.scenes.speech.voice import identity as voice_identity

PROJECT_PACKAGE = "nn_explainer"         # imported as nn_explainer.scenes..., kept in REPO_ROOT/scenes/...
SOURCE_FOLDERS = ("scenes", "model")      # the code a clip is drawn by
PUBLISH = Path(__file__).resolve().parent


def _digest(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(np.ascontiguousarray(part, dtype=np.float64).tobytes())
        else:
            digest.update(json.dumps(part, sort_keys=True).encode())
        digest.update(b"|")
    return digest.hexdigest()


def _example_parts(example) -> list:
    drawn = example.maps if hasattr(example, "maps") else [*example.z, *example.a]  # a CNN's: every layer's output
    return [[example.id, example.source, example.index, example.path, example.label, example.prediction],
            example.pixels, *drawn]


def _network_parts(network) -> tuple[list, list]:
    """(shapes, weights) of an MLP or a CNN: what "shapes" and "weights" hash."""
    if hasattr(network, "layers"):  # a CNN (conv_schema.ConvNetwork): each layer's kind, shape and parameters
        shapes = [[list(shape) for shape in network.shapes], [layer.kind for layer in network.layers], network.names]
        return shapes, [array for layer in network.layers
                        for array in (getattr(layer, "weight", None), getattr(layer, "bias", None)) if array is not None]
    return [network.sizes, network.hidden_activation, network.output_activation], [*network.weights, *network.biases]


def export_part_hash(path: Path, part: str, digit: str | None = None) -> str:
    """sha256 of one part of an export: "shapes", "weights", "digit" (needs `digit`),
    "examples", "evidence" (the neuron evidence), "snapshots" (the training snapshots beside it; needs `digit`), or "all"
    (everything a beat could draw from the export itself)."""
    export = load_export(path)
    shapes, weights = _network_parts(export.network)
    if part == "shapes":
        return _digest(shapes)
    if part == "weights":
        return _digest(shapes, *weights)
    if part == "digit":
        return _digest(*_example_parts(resolve_digit(export, digit)))
    if part == "examples":
        return _digest(*[p for example in export.examples for p in _example_parts(example)])
    if part == "snapshots":  # what the learning beat draws of each: weights, the digit, accuracies, history
        parts = []
        for epoch, snapshot in snapshots_of(path, export):
            parts += [epoch, shapes, *_network_parts(snapshot.network)[1],
                      snapshot.training.get("test_accuracy"), snapshot.training.get("history")]
            parts += _example_parts(resolve_digit(snapshot, digit)) if _holds(snapshot, digit) else ["no digit"]
        return _digest(*parts)
    if part == "evidence":  # what the neuron-evidence beats draw (model/neuron_evidence.py)
        return _digest(*_evidence_parts(export))
    if part in GRADIENT_PARTS:  # chapter two's: one part of the verified `gradients` section
        return _digest(*_gradient_part(export.gradients, part))
    if part == "all":
        return _digest(export_part_hash(path, "weights"), export_part_hash(path, "examples"))
    raise ValueError(part)


def _evidence_parts(export) -> list:
    """Every number and picture of the neuron evidence, and the example its knock-out is
    shown on; "no evidence" for an export without (its beats refuse to draw it)."""
    evidence = export.neuron_evidence
    if evidence is None:
        return ["no evidence"]
    parts = [evidence.digits, evidence.intact_correct, evidence.knocked_layer, evidence.knocked_neuron,
             evidence.knocked_outputs, *_example_parts(export.example(evidence.example_id))]
    for layer in evidence.layers:
        parts += [layer.layer, layer.neurons, layer.mean_activation, layer.knockout_correct, layer.top_digits,
                  layer.top_activations, layer.top_labels, layer.top_pixels, layer.regulariser_weights,
                  layer.maximising_inputs, layer.maximising_activations]
    combination = evidence.combination
    if combination is not None:
        parts += [combination.neurons, combination.strongest, combination.weakest,
                  combination.strongest_overlap, combination.weakest_overlap]
    return parts


def _gradient_part(gradients, part: str) -> list:
    if gradients is None:
        return ["no gradients"]
    if part == "test_costs":
        return [gradients.test_costs]
    if part == "history":
        return [gradients.history]
    if part == "batch":
        return [gradients.batch_indices, gradients.batch_labels, gradients.batch_pixels, gradients.batch.costs,
                *gradients.batch.dz, gradients.batch_largest, gradients.learning_rate, gradients.cost_after_step]
    return [gradients.span, gradients.surface, gradients.path, gradients.path_rate]  # "surface"


def _holds(export, digit: str) -> bool:
    try:
        resolve_digit(export, digit)
        return True
    except UserError:  # a snapshot keeps only some digits: without this one it is not drawn
        return False


def export_content_hash(path: Path) -> str:
    """sha256 of everything scenes can draw from an export: the network and the examples."""
    return export_part_hash(path, "all")


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] != PROJECT_PACKAGE or len(parts) < 2 or parts[1] not in SOURCE_FOLDERS:
        return None
    base = paths.REPO_ROOT.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


@lru_cache(maxsize=None)  # each file parsed once per run, not once per scene importing it
def _imports(file: Path) -> frozenset[str]:
    """Project modules imported by `file`, absolute or relative, as dotted names."""
    package = ".".join((PROJECT_PACKAGE, *file.relative_to(paths.REPO_ROOT).with_suffix("").parts[:-1]))
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
    return frozenset(name for name in names if _module_file(name) is not None)


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
    return _files_hash(source_files(scene_info(scene).module))


def _files_hash(files) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.relative_to(paths.REPO_ROOT)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=None)  # once per run, not once per clip: the code does not change mid-run
def _publish_file_hash(name: str) -> str:
    return _files_hash([PUBLISH / name])


def inputs_key(request) -> str:
    """One hash of everything that decides what a clip looks like. A Chapter is its beats'
    clips joined: its key is theirs, and the joining code's."""
    options = {"scene": request.scene, "quality": request.quality, "format": request.format,
               "transparent": request.transparent, "sections": request.sections, "edges": request.edges,
               "snapshot": request.snapshot,
               # how the frames become the file we ship: encoder settings, faststart, GIF
               "encoding": _publish_file_hash("encoding.py")}
    if is_chapter(request.scene):
        options["beats"] = [inputs_key(replace(request, scene=beat, sections=False)) for beat in request.beats()]
        options["source"] = _publish_file_hash("assemble.py")
        return hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()
    reads = scene_info(request.scene).reads
    settings = request.settings()
    # Who speaks, down to the voice model's bytes or the recordings: a new voice or a
    # re-recorded sentence re-renders. The words themselves are the beat's script(story),
    # a function of its source and the parts of the export it reads, both hashed below.
    options["voice"] = voice_identity(settings.voice)
    # The layout follows from the format (a GIF is drawn in the post layout), but is named
    # here too: it decides every text's size and place.
    options["layout"] = settings.layout
    for part in ("shapes", "weights", "examples", "evidence", *GRADIENT_PARTS):
        if part in reads:
            options[part] = export_part_hash(settings.export, part)
    if "digit" in reads:
        options["digit"] = [settings.digit, export_part_hash(settings.export, "digit", settings.digit)]
    if "snapshots" in reads:
        options["snapshots"] = export_part_hash(settings.export, "snapshots", settings.digit)
    if "relu" in reads:
        options["relu"] = [settings.digit, export_content_hash(settings.relu_export)]
    options["source"] = source_hash(request.scene)
    return hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()
