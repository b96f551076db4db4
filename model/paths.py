"""Where things live, decided in one place: read from here, never worked out elsewhere.

Two layouts, told apart once (`decide`) and kept in one frozen `Layout`:

- **a clone** (render.py and pyproject.toml beside model/): everything stays inside the
  checkout, as it always has: training writes to assets/, media to media/, caches to
  .cache/. A clone is self-contained and works offline.
- **an installed package** (a wheel in a user's environment): the committed networks,
  checkpoints and MNIST ship inside the package and are only read; training and imports
  write to `./nn-explainer/` of the folder it is run from (or `--workdir`), media to
  `./media`, and the glyph and voice caches to the user's cache folder (XDG, through
  platformdirs). Nothing is ever written into site-packages.

The names the rest of the code reads (`DEFAULT_EXPORT`, `MEDIA_DIR`, ...) are worked out
from `LAYOUT` when read (`__getattr__` below), so that a network trained a moment ago in
the working folder is the one drawn next.
"""
import errno
import os
import stat
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import UserError

REPO_ROOT = Path(__file__).resolve().parent.parent   # the checkout, or the installed package's folder
ASSETS = REPO_ROOT / "assets"                         # what ships: committed networks and MNIST
MNIST_DIR = ASSETS / "mnist"
SHIPPED_EXPORT_DIR = ASSETS / "export"
SHIPPED_CHECKPOINT_DIR = ASSETS / "checkpoints"
CONSOLE_SCRIPT = "nn-explainer"   # pyproject.toml's [project.scripts]
WORK_FOLDER = "nn-explainer"      # an installed tool's training and imports, in the folder it is run from
APP_NAME = "nn-explainer"         # its folder in the user's cache folder


@dataclass(frozen=True)
class Layout:
    """Where this run reads and writes."""
    clone: bool       # a checkout: today's layout, everything inside it
    work: Path        # where training, exports and imports are written
    media: Path       # where clips, the gallery, the widget and the slides go
    cache: Path       # manim's glyphs and the narrator's sentences, kept between runs
    console: bool     # run as the `nn-explainer` console script (messages name the command typed)


def is_clone(root: Path = REPO_ROOT) -> bool:
    """A checkout of the repository, editable install or not: render.py and
    pyproject.toml beside model/. A wheel's package folder has neither."""
    return (root / "render.py").is_file() and (root / "pyproject.toml").is_file()


def decide(workdir: Path | None = None, cwd: Path | None = None, program: str | None = None,
           root: Path = REPO_ROOT) -> Layout:
    """The layout of this run: a clone keeps everything inside the checkout (`workdir`,
    when given, takes training and imports elsewhere); an installed package writes to
    the folder it is run from (`cwd`). `program` is how it was started (sys.argv[0])."""
    clone = is_clone(root)
    cwd = Path.cwd() if cwd is None else Path(cwd)
    program = sys.argv[0] if program is None else program
    if clone:
        work, media, cache = root / "assets", root / "media", root / ".cache"
    else:
        import platformdirs

        work, media, cache = cwd / WORK_FOLDER, cwd / "media", Path(platformdirs.user_cache_dir(APP_NAME))
    if workdir is not None:
        work = Path(workdir).absolute()
    return Layout(clone=clone, work=work, media=media, cache=cache,
                  console=Path(program).name == CONSOLE_SCRIPT)


LAYOUT = decide()


def use(layout: Layout) -> None:
    """Read and write as `layout` says from now on: the command line's, once it knows
    --workdir, and a render worker's, handed over by the process that started it."""
    global LAYOUT
    LAYOUT = layout


def use_workdir(workdir: Path | None) -> None:
    """`--workdir DIR`: training and imports go there (and are read from there). The one
    change the command line makes to the layout, before any command runs."""
    base = decide()
    use(replace(base, work=Path(workdir).absolute()) if workdir is not None else base)


def written_paths(activation: str) -> tuple[Path, Path]:
    """(checkpoint, export) that training a variant writes: the sigmoid and ReLU networks
    live side by side, in assets/ of a clone or the working folder of an installed tool."""
    checkpoints, exports = LAYOUT.work / "checkpoints", LAYOUT.work / "export"
    if activation == "sigmoid":
        return checkpoints / "network.safetensors", exports / "network.json"
    return checkpoints / f"network-{activation}.safetensors", exports / f"network-{activation}.json"


def _shipped(path: Path, folder: Path) -> Path:
    """The file of that name that ships with the package (in a clone: the same file)."""
    return folder / path.name


def default_paths(activation: str) -> tuple[Path, Path]:
    """(checkpoint, export) of a variant as it is read: the one written in the working
    folder if there is one, else the committed one that ships (a clone: assets/ either way)."""
    checkpoint, export = written_paths(activation)
    return (checkpoint if os.path.lexists(checkpoint) else _shipped(checkpoint, SHIPPED_CHECKPOINT_DIR),
            export if os.path.lexists(export) else _shipped(export, SHIPPED_EXPORT_DIR))


def is_shipped(path: Path) -> bool:
    """Whether `path` is one of the files the installed package ships (read-only: never
    re-exported or written). Always False in a clone, whose assets/ are its own."""
    if LAYOUT.clone:
        return False
    try:
        Path(path).absolute().relative_to(ASSETS)
        return True
    except ValueError:
        return False


# Worked out from LAYOUT when read: a module's `paths.DEFAULT_EXPORT` is never stale.
_DERIVED = {
    "EXPORT_DIR": lambda: LAYOUT.work / "export",
    "CHECKPOINT_DIR": lambda: LAYOUT.work / "checkpoints",
    "IMPORTED_DIR": lambda: LAYOUT.work / "imported",   # `import`'s exports, unless --export says
    "DEFAULT_EXPORT": lambda: default_paths("sigmoid")[1],
    "RELU_EXPORT": lambda: default_paths("relu")[1],
    "DEFAULT_CHECKPOINT": lambda: default_paths("sigmoid")[0],
    "MEDIA_DIR": lambda: LAYOUT.media,
    "GLYPH_CACHE": lambda: LAYOUT.cache / "glyphs",   # manim's TeX and text SVGs, kept between renders
    "VOICE_CACHE": lambda: LAYOUT.cache / "voice",    # the narrator's sentences, by words and voice
}


def __getattr__(name: str):
    if name in _DERIVED:
        return _DERIVED[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def training_outputs(checkpoint: Path) -> tuple[Path, Path]:
    """The metrics file and training-curve PNG that sit beside a checkpoint."""
    stem = checkpoint.with_suffix("")
    return stem.with_name(stem.name + ".metrics.json"), stem.with_name(stem.name + ".curve.png")


def generations_dir(checkpoint: Path) -> Path:
    """Where a checkpoint's whole training set (checkpoint, metrics, curve, export,
    snapshots) lives, one folder per generation (see generations.py):
    assets/checkpoints/network.generations/ for the default network."""
    checkpoint = Path(checkpoint)
    return checkpoint.parent / f"{checkpoint.with_suffix('').name}.generations"


def snapshot_path(export: Path, epoch: int) -> Path:
    """network.json -> network.epoch5.json: the export of the weights after that epoch,
    kept beside the export by training (`render.py train --snapshots`)."""
    export = Path(export)
    return export.with_name(f"{export.with_suffix('').name}.epoch{epoch}{export.suffix}")


def snapshot_epochs(export: Path) -> list[int]:
    """The epochs whose snapshots lie beside an export, in order (none: [])."""
    export = Path(export)
    prefix, suffix = f"{export.with_suffix('').name}.epoch", export.suffix
    found = []
    for path in export.parent.glob(f"{prefix}*{suffix}"):
        number = path.name[len(prefix):len(path.name) - len(suffix)]
        if number.isdigit() and path.is_file():
            found.append(int(number))
    return sorted(found)


# What a path the user gives is for (check_given_path).
READ_FILE, WRITE_FILE, FOLDER = "file to read", "file to write", "folder"


def check_given_path(path: Path, flag: str, wanted: str) -> None:
    """Refuse, in one line, a path the user gave (`flag`: how they gave it) that cannot
    be what it is `wanted` for: a symbolic link loop, a link to nothing, a device, pipe
    or socket, a folder where a file is wanted or a file where a folder is; or, for what
    will be made, a parent that is not a folder. A file to read that simply does not
    exist is left to its reader, which says what to do about it."""
    path = Path(path)
    shown = f"{flag} {path}"
    try:
        info = os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise UserError(f"{shown}: a loop of symbolic links, not a {wanted.split()[0]}") from None
        if err.errno == errno.ENOTDIR:
            raise UserError(f"{shown}: a part of its path is a file, not a folder") from None
        if err.errno != errno.ENOENT:
            raise UserError(f"{shown}: {err.strerror}") from None
        if os.path.islink(path):
            raise UserError(f"{shown}: a symbolic link to nothing ({os.readlink(path)})") from None
        if wanted != READ_FILE:  # to be made: where it goes must be a folder (or be made one)
            parent = path.absolute().parent
            if parent != path.absolute():
                check_given_path(parent, f"{shown}: its folder", FOLDER)
        return
    if stat.S_ISDIR(info.st_mode):
        if wanted != FOLDER:
            raise UserError(f"{shown}: is a directory, not "
                            + ("a regular file" if wanted == READ_FILE else "a file name"))
    elif not stat.S_ISREG(info.st_mode):
        kind = "a folder" if wanted == FOLDER else "a regular file"
        raise UserError(f"{shown}: not {kind} (a device, pipe or socket)")
    elif wanted == FOLDER:
        raise UserError(f"{shown}: is a file, not a folder")


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read a megabyte at a time."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
