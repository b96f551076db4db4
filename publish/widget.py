"""`render.py widget`: a live embed of the very network the clips show.

Writes one self-contained folder (default `media/widget/`): `index.html`, the
dependency-free script `nn-explainer.js` (static sources in `publish/widget_files/`),
and `weights.js`, the export cut down to what the page needs. The data is a script
that assigns `window.nnExplainerWeights`, not a JSON file, because browsers refuse
fetch() from file:// and the folder must work opened from disk as well as from any
static host. An MLP's numbers are written with Python's shortest round-trip repr, so
the browser parses exactly the float64 values the export holds; a CNN's layers travel
as the export's own `convnet` section (float32 base64, decoded exactly by the page),
and the page runs the convolutions and pooling itself. docs/widget.md documents the
page and the script's API.

The folder is built beside its destination and renamed into place: a reader sees the
old widget or the new one, never half of one.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from nn_explainer.model import conv_export, conv_schema, paths
from nn_explainer.model.schema import Export, read_export

from .media import check_replaceable, swap_folder_into_place

STATIC_FILES = Path(__file__).resolve().parent / "widget_files"
PAGE, SCRIPT, DATA = "index.html", "nn-explainer.js", "weights.js"
WIDGET_FILES = (PAGE, SCRIPT, DATA)
DEFAULT_DIR = paths.MEDIA_DIR / "widget"
DATA_FORMAT, DATA_VERSION = "nn-explainer.widget", 1
FRAME_SIZE = (960, 640)   # CSS pixels: pad, diagram and bars side by side, examples below


def widget_data(export: Export, source: str) -> dict:
    """What the page needs: the network, the examples' pixels, the clips' colours."""
    data = {
        "format": DATA_FORMAT,
        "version": DATA_VERSION,
        "source": {"export": source, "sha256": export.sha256,
                   "test_accuracy": export.training["test_accuracy"]},
    }
    if export.convolutional:
        data[conv_schema.KEY] = convnet_section(export.network)
    else:
        network = export.network
        data["network"] = {"sizes": list(network.sizes), "hidden_activation": network.hidden_activation,
                           "output_activation": network.output_activation,
                           "weights": [w.tolist() for w in network.weights],
                           "biases": [b.tolist() for b in network.biases]}
    data["examples"] = [{"id": e.id, "label": e.label, "prediction": e.prediction,
                         "pixels": [_compact(p) for p in e.pixels.tolist()]} for e in export.examples]
    data["style"] = clip_style()
    return data


def convnet_section(network) -> dict:
    """A CNN's layers for the page: the export's own `convnet` section, kernels and weights
    as float32 base64 (the numbers the export holds, exact in the browser's float64, at a
    quarter of the size their decimals would take: pytorch/examples' CNN has 1.2 M)."""
    return conv_export.network_section(network.layers, network.names)


def _compact(value: float):
    """0.0 and 1.0 as 0 and 1: most pixels are blank, and JSON reads both the same."""
    return int(value) if value.is_integer() else value


def clip_style() -> dict:
    """The clips' colours and edge look, from the one place that defines them."""
    from manim import ManimColor

    from nn_explainer.scenes import style

    def hex_of(colour) -> str:
        return ManimColor(colour).to_hex().upper()

    return {"background": style.BACKGROUND.upper(), "neuron": hex_of(style.NEURON_FILL),
            "positive": hex_of(style.POSITIVE), "negative": hex_of(style.NEGATIVE),
            "highlight": hex_of(style.HIGHLIGHT), "edge_min_width": style.EDGE_MIN_WIDTH,
            "edge_max_width": style.EDGE_MAX_WIDTH, "edge_min_opacity": style.EDGE_MIN_OPACITY,
            "edge_max_opacity": style.EDGE_MAX_OPACITY, "edge_scale_percentile": style.EDGE_SCALE_PERCENTILE,
            "edge_levels": style.EDGE_LEVELS}


def data_script(data: dict) -> str:
    # JSON is valid JavaScript; "</" is escaped so no string can close a <script>.
    text = json.dumps(data, allow_nan=False, separators=(",", ":")).replace("</", "<\\/")
    return ("// nn-explainer widget data, written by `python render.py widget`; "
            "read by nn-explainer.js (docs/widget.md).\n"
            f"window.nnExplainerWeights = {text};\n")


def write_widget(export_path: Path | None = None, out_dir: Path | None = None) -> Path:
    """Build the widget folder for an export (an MLP's or a CNN's); returns the folder's path."""
    export_path = Path(export_path or paths.DEFAULT_EXPORT)
    export = read_export(export_path, convolutional=True)
    return write_folder(widget_data(export, export_path.name), out_dir)


def write_folder(data: dict, out_dir: Path | None = None) -> Path:
    """The page, the script and this data, built beside `out_dir` and renamed into place."""
    out_dir = Path(out_dir or DEFAULT_DIR).resolve()
    check_replaceable(out_dir, WIDGET_FILES, "the widget's")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        for name in (PAGE, SCRIPT):
            shutil.copyfile(STATIC_FILES / name, building / name)
        (building / DATA).write_text(data_script(data), encoding="utf-8")
        for name in WIDGET_FILES:
            os.chmod(building / name, 0o644)
        os.chmod(building, 0o755)   # mkdtemp makes it private; a widget is meant to be served
        swap_folder_into_place(building, out_dir)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return out_dir


def iframe_snippet(out_dir: Path) -> str:
    """What a post embeds, with the folder copied beside the post's page."""
    width, height = FRAME_SIZE
    return (f'<iframe src="{Path(out_dir).name}/{PAGE}" title="Draw a digit and watch the network read it" '
            f'width="{width}" height="{height}" style="border:0;max-width:100%" loading="lazy"></iframe>')
