"""nn-explainer from Python: your own network in, a clip out (docs/python-api.md).

    import nn_explainer
    export = nn_explainer.export_module(net, "my_net.json")        # a live nn.Module, traced
    export = nn_explainer.import_file("model.pt", activation="relu")  # or a file: state_dict, ONNX
    clip = nn_explainer.render("ForwardPass", export=export)        # shows inline in Jupyter

Each function does what its command does, by the same code: `export_module` and
`import_file` write the checked export `render.py import` writes, and `render` brings a
clip up to date as `render.py render` does (the media folder's lock, the inputs key: an
unchanged clip is not drawn again). Bad input raises `UserError` with one line saying
what is wrong; nothing here exits the interpreter. Importing this module imports
neither torch nor manim: each function imports what it needs.
"""
from __future__ import annotations

import base64
import html
import os
from dataclasses import dataclass
from pathlib import Path

MAX_INLINE_BYTES = 50 * 2**20   # a clip larger than this is shown by a link to its file, not inlined
MIME_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime", "gif": "image/gif",
              "png": "image/png"}


@dataclass(frozen=True)
class Clip:
    """A rendered clip: its file, its poster (the last frame) and what it shows.

    In Jupyter it shows itself as a video player (the file inlined as a data: URI up to
    50 MB, else a link to the file relative to the notebook's folder); `os.fspath(clip)`
    is the file's path."""

    path: Path
    poster: Path | None
    scene: str
    duration: float          # seconds
    format: str = "mp4"

    def __fspath__(self) -> str:
        return str(self.path)

    def _repr_html_(self) -> str:
        mime = MIME_TYPES.get(self.format, "application/octet-stream")
        source = self._source(self.path, mime)
        label = html.escape(f"{self.scene} ({self.duration:.1f} s)", quote=True)
        if mime.startswith("image/"):
            return f'<img src="{source}" alt="{label}" style="max-width: 100%">'
        poster = ""
        if self.poster is not None and Path(self.poster).is_file():
            poster = f' poster="{self._source(self.poster, "image/png")}"'
        return f'<video controls playsinline src="{source}"{poster} title="{label}" style="max-width: 100%"></video>'

    @staticmethod
    def _source(path: Path, mime: str) -> str:
        path = Path(path)
        if path.stat().st_size <= MAX_INLINE_BYTES:
            return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
        try:
            link = os.path.relpath(path, Path.cwd())
        except ValueError:  # another drive
            link = str(path)
        return html.escape(Path(link).as_posix(), quote=True)


def export_module(module, path: str | os.PathLike | None = None, *, outputs: str | None = None,
                  name: str | None = None, normalize: tuple[float, float] | str | None = None) -> Path:
    """Write the export of a live `torch.nn.Module` (an MLP on 28x28 MNIST digits) and
    return its path; `render(export=...)` draws it.

    The module is traced with torch.fx (model/importing/read_module.py): its forward() must be a
    chain of Linear layers with ReLU, sigmoid or tanh between them; an input
    normalisation (x - m) / s and BatchNorm1d are folded in exactly, Dropout and
    reshapes pass. `outputs`: what its last values are when forward() ends in a Linear;
    None means "logits" (trained with CrossEntropyLoss), or "softmax"/"sigmoid"; a
    forward() that ends in softmax, log_softmax or sigmoid says so itself. `path`:
    default assets/imported/<name>.json; `name` (default: the module's class name) is
    what the drawing says the network is. `normalize`: (mean, std) of the
    transforms.Normalize its inputs went through before forward(), e.g. (0.1307, 0.3081);
    (0, 1): none. Left out, it is measured: the module is run on MNIST's test digits as
    given and under the usual normalisations, and refused (UserError, both accuracies in
    one line) if another reading is clearly better. Written only if the export's outputs
    equal the module's own on every example."""
    from nn_explainer.model import importing
    from nn_explainer.model.importing.read_module import module_to_export

    name = name or type(module).__name__
    target = Path(path) if path is not None else importing.default_export(Path(f"{name}.module"))
    module_to_export(module, target, outputs=outputs, name=name, normalize=_normalize(normalize))
    return target


def _normalize(normalize) -> tuple[float, float] | None:
    """(mean, std) or "mean,std" -> (mean, std), checked; None stays None."""
    from nn_explainer.model import importing
    from nn_explainer.model.errors import UserError

    if isinstance(normalize, str) or normalize is None:
        return importing.parse_normalize(normalize)
    try:
        return importing.parse_normalize(",".join(str(float(part)) for part in normalize))
    except (TypeError, ValueError):
        raise UserError(f"normalize takes (mean, std), got {normalize!r}") from None


def import_file(path: str | os.PathLike, export: str | os.PathLike | None = None, *, activation: str | None = None,
                outputs: str | None = None, normalize: tuple[float, float] | str | None = None) -> Path:
    """Write the export of a model file (a state_dict as .safetensors/.pt/.pth, or an
    ONNX graph) and return its path: `render.py import` from Python. What a state_dict
    cannot say is given: `activation` (relu, sigmoid, tanh), `outputs` (logits, softmax,
    sigmoid), `normalize` ((mean, std), or "0.1307,0.3081"; (0, 1): none; left out, it is
    measured, as `export_module` says). `export`: default assets/imported/<file name>.json."""
    from nn_explainer.model import importing, paths
    from nn_explainer.model.importing.read_module import say_normalize

    path = Path(path)
    normalize = _normalize(normalize)
    paths.check_given_path(path, "the model file", paths.READ_FILE)
    target = Path(export) if export is not None else importing.default_export(path)
    paths.check_given_path(target, "the export path", paths.WRITE_FILE)
    imported, source = importing.read_model_file(path, activation, outputs, normalize, say=say_normalize)
    importing.write_import(imported, source, target)
    return target


def render(scene: str = "ForwardPass", *, export: str | os.PathLike | None = None, digit: str | None = None,
           quality: str = "low", format: str = "mp4", voice: str | None = None, edges: str = "weight",
           force: bool = False, media_dir: str | os.PathLike | None = None) -> Clip:
    """Render `scene` (see `scenes()`) and return the Clip, as `render.py render` does:
    the same request, checks and renderer, and a clip whose inputs have not changed is
    not drawn again (`force=True` draws it anyway). `export`: the network to draw
    (default: ours); `digit`: train:7 (default), test:0, image:NAME; `quality`: low,
    medium, high, 4k; `format`: mp4, webm, gif, png, mov; `voice`: as the CLI's --voice
    (default: $NN_EXPLAINER_VOICE, else auto); `media_dir`: where clips go (default:
    media/). A clip's file is named by scene, digit and network (ForwardPass_net-mlp.mp4
    for assets/imported/mlp.json; ours keeps ForwardPass.mp4): two networks' clips sit
    side by side."""
    from nn_explainer.publish.batch import bring_up_to_date, is_current
    from nn_explainer.model import paths
    from nn_explainer.publish.manifest import write_manifest
    from nn_explainer.publish.media import exclusive, sweep
    from nn_explainer.publish.requests import CLIPS_DIR, RenderRequest
    from nn_explainer.scenes.settings import asked_voice

    if export is not None:
        paths.check_given_path(Path(export), "export", paths.READ_FILE)
    if media_dir is not None:
        paths.check_given_path(Path(media_dir), "media_dir", paths.FOLDER)
    request = RenderRequest(scene, quality=quality, format=format, digit=digit,
                            export=Path(export).resolve() if export is not None else None, edges=edges,
                            voice=asked_voice() if voice is None else voice,
                            **({"media_dir": Path(media_dir).resolve()} if media_dir is not None else {}))
    request.check(drawable=False)
    with exclusive(request.media_dir, "nn_explainer.render (Python)"):
        sweep(request.media_dir, CLIPS_DIR)
        try:
            if force or not is_current(request):
                request.check()  # the beats' own checks, before any frame
            record = bring_up_to_date(request, force=force)
        finally:
            write_manifest(request.media_dir)
    poster = paths.REPO_ROOT / record["poster"] if record["poster"] else None
    return Clip(paths.REPO_ROOT / record["path"], poster, request.scene, float(record["duration"]), request.format)


def mnist_for_torchvision(root: str | os.PathLike = "data") -> Path:
    """The shipped MNIST laid out as torchvision reads it (`root/MNIST/raw/`, verified,
    written whole), offline; returns the root for `torchvision.datasets.MNIST(root,
    download=False)`. What `render.py mnist DIR` does."""
    from nn_explainer.model.mnist_for_torchvision import lay_out

    return lay_out(root)


def scenes() -> list[str]:
    """The scenes `render` draws, in the story's order (`render.py list`)."""
    from nn_explainer.scenes.outline import SCENES

    return list(SCENES)
