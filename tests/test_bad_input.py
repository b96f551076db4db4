"""Bad input, as a careless or hostile user gives it: every case ends in exit 2, one
line on stderr naming the problem, no traceback, and every file under the media and
export folders (and the repository's assets) byte-identical before and after.

Most cases run in-process through `render.main(argv)` (a fresh interpreter costs about
2 s of imports); a handful run end to end as subprocesses. Each case is
(argv, words the error line must hold); `{t}` in an argument is the case's scratch
folder, `{media}` the media copy, `{export}` the export folder copy, `{ckpt}` the
checkpoint copy, `{bad}` a file the case wrote there first.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nn_explainer import cli as render
from conftest import assert_clean_failure, run_cli
from nn_explainer.model import paths


# --- the files a case may need --------------------------------------------------------

def committed_export() -> dict:
    return json.loads(paths.DEFAULT_EXPORT.read_text())


def export_text(mutate) -> bytes:
    doc = committed_export()
    mutate(doc)
    return json.dumps(doc).encode()


def _set(path, value):
    def mutate(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def png_header_only(width, height) -> bytes:
    """A PNG that claims width x height pixels: enough for a decompression bomb's header."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def png(array) -> bytes:
    import io
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def safetensors(header: dict, data: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


def idx(magic: int, shape: tuple, fill: int = 0) -> bytes:
    count = int(np.prod(shape))
    return struct.pack(">I", magic) + struct.pack(f">{len(shape)}I", *shape) + bytes([fill]) * count


def mnist_dir(folder: Path, train: int = 6000, test: int = 10, sums: str | None = None, override: dict | None = None):
    """A small, well-formed IDX set, with one file replaced by `override` if given."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"train-images-idx3-ubyte": idx(0x0803, (train, 28, 28)), "train-labels-idx1-ubyte": idx(0x0801, (train,)),
             "t10k-images-idx3-ubyte": idx(0x0803, (test, 28, 28)), "t10k-labels-idx1-ubyte": idx(0x0801, (test,))}
    files.update(override or {})
    for name, data in files.items():
        if data is not None:
            (folder / name).write_bytes(data)
    if sums is not None:
        (folder / "SHA256SUMS").write_text(sums)
    return folder


def gzip_bomb(path: Path, size: int) -> None:
    """`size` zero bytes, gzipped (a few hundred kB), written without holding them."""
    with gzip.open(path, "wb", compresslevel=1) as handle:
        block = b"\x00" * (1 << 22)
        for _ in range(size // len(block) + 1):
            handle.write(block)


# --- the cases --------------------------------------------------------------------------

R = ["render", "ForwardPass", "--media-dir", "{media}"]          # render from a given export
A = ["all", "--media-dir", "{media}", "--scenes", "ParameterCount"]
T = ["train", "--epochs", "1", "--quiet", "--checkpoint", "{t}/c.safetensors", "--export", "{export}/trained.json"]
E = ["export", "--checkpoint", "{ckpt}", "--export", "{export}/network.json"]

BAD_EXPORTS = {  # name: (file content or a maker(path), words of the error)
    "not json": (b"{not json", "not a valid export"),
    "truncated": (lambda p: p.write_bytes(paths.DEFAULT_EXPORT.read_bytes()[:5000]), "not a valid export"),
    "empty": (b"", "not a valid export"),
    "utf-8 bom": (lambda p: p.write_bytes(b"\xef\xbb\xbf" + paths.DEFAULT_EXPORT.read_bytes()), "byte-order mark"),
    "utf-16": (lambda p: p.write_bytes(paths.DEFAULT_EXPORT.read_text().encode("utf-16")), "UTF-16"),
    "utf-16-le no bom": (lambda p: p.write_bytes('{"a": 1}'.encode("utf-16-le")), "UTF-16"),
    "latin-1": (b'{"format": "caf\xe9"}', "not UTF-8"),
    "deep nesting": (b"[" * 100000 + b"]" * 100000, "nested 100000 deep"),
    "deep objects": (b'{"a":' * 5000 + b"1" + b"}" * 5000, "nested 5000 deep"),
    "duplicate key": (lambda p: p.write_bytes(b'{"version": 2, ' + paths.DEFAULT_EXPORT.read_bytes()[1:]),
                      "duplicate key 'version'"),
    "NaN": (b'{"format": NaN}', "NaN is not a number"),
    "Infinity": (b'{"x": [Infinity]}', "Infinity is not a number"),
    "-Infinity": (b'{"x": -Infinity}', "-Infinity is not a number"),
    "top-level list": (b"[1, 2]", "top level is not an object"),
    "wrong format": (export_text(_set(["format"], "other")), "format is 'other'"),
    "version true": (export_text(_set(["version"], True)), "unknown version True"),
    "version 1.0": (export_text(_set(["version"], 1.0)), "unknown version 1.0"),
    "version string": (export_text(_set(["version"], "1")), "unknown version '1'"),
    "version 2": (export_text(_set(["version"], 2)), "unknown version 2"),
    "prediction true": (export_text(_set(["examples", 0, "prediction"], True)), "prediction True"),
    "prediction 3.0": (export_text(_set(["examples", 0, "prediction"], 3.0)), "prediction 3.0"),
    "prediction 10": (export_text(_set(["examples", 0, "prediction"], 10)), "prediction 10"),
    "label true": (export_text(_set(["examples", 0, "label"], True)), "label True"),
    "index 7.0": (export_text(_set(["examples", 0, "index"], 7.0)), "index must be a non-negative integer"),
    "index negative": (export_text(_set(["examples", 0, "index"], -1)), "index must be a non-negative integer"),
    "id traversal": (export_text(_set(["examples", 0, "id"], "train:../../x")), "'train:../../x' is not an example id"),
    "id slash": (export_text(_set(["examples", 0, "id"], "image:a/b")), "is not an example id"),
    "id space": (export_text(_set(["examples", 0, "id"], "image:a b")), "is not an example id"),
    "id no prefix": (export_text(_set(["examples", 0, "id"], "seven")), "is not an example id"),
    "id too long": (export_text(_set(["examples", 0, "id"], "image:" + "x" * 65)), "is not an example id"),
    "id non-ascii": (export_text(_set(["examples", 0, "id"], "image:drei\u00e9")), "is not an example id"),
    "id number": (export_text(_set(["examples", 0, "id"], 7)), "id is missing or not a str"),
    "duplicate ids": (export_text(lambda d: d["examples"][1].update(id=d["examples"][0]["id"])), "ids are not unique"),
    "sizes with bool": (export_text(_set(["network", "sizes"], [784, True, 16, 10])), "not a list of positive integers"),
    "sizes float": (export_text(_set(["network", "sizes"], [784, 16.0, 16, 10])), "not a list of positive integers"),
    "million hidden units": (export_text(_set(["network", "sizes"], [784, 1000000, 10])), "at most 4096 neurons wide"),
    "seven hidden layers": (export_text(_set(["network", "sizes"], [784] + [16] * 7 + [10])), "1-6 hidden layers"),
    "training seed bool": (export_text(_set(["training", "seed"], True)), "training.seed"),
    "training epochs float": (export_text(_set(["training", "epochs"], 50.0)), "training.epochs"),
    "examples empty": (export_text(_set(["examples"], [])), "examples is empty"),
    "weights ragged": (export_text(lambda d: d["network"]["weights"][2].__setitem__(0, [1.0])), "ragged"),
    "tampered activation": (export_text(lambda d: d["examples"][0]["a"][3].__setitem__(0, 0.5)),
                            "not produced by its network"),
    "pixels out of range": (export_text(lambda d: d["examples"][0]["pixels"].__setitem__(300, 2.0)), "[0, 1]"),
    "over the size cap": (lambda p: (p.touch(), os.truncate(p, 600 * 1024 * 1024)), "over the limit of 512.0 MiB"),
    "a directory": (lambda p: p.mkdir(), "is a directory"),
    "a fifo": (lambda p: os.mkfifo(p), "not a regular file"),
    "/dev/zero": ("/dev/zero", "not a regular file"),
    "missing": (None, "no export file"),
}

def link_loop(path: Path) -> None:
    os.symlink(path.name, path)  # a link to itself: resolving it never ends


def link_to_nothing(path: Path) -> None:
    os.symlink(path.with_name("nothing-here"), path)


# Every path a user gives (issue 21): a loop, a dangling link, a device; one line each.
GIVEN_PATH_FLAGS = {
    "render export": ["render", "ForwardPass", "--media-dir", "{media}", "--export", "{bad}"],
    "render media dir": ["render", "ForwardPass", "--export", "{export}/network.json", "--media-dir", "{bad}"],
    "all export": ["all", "--media-dir", "{media}", "--scenes", "ParameterCount", "--export", "{bad}"],
    "all media dir": ["all", "--export", "{export}/network.json", "--media-dir", "{bad}"],
    "gallery media dir": ["gallery", "--media-dir", "{bad}"],
    "widget export": ["widget", "--out", "{media}/widget", "--export", "{bad}"],
    "widget out": ["widget", "--out", "{bad}"],
    "train checkpoint": ["train", "--epochs", "1", "--export", "{export}/trained.json", "--checkpoint", "{bad}"],
    "train export": ["train", "--epochs", "1", "--checkpoint", "{t}/c.safetensors", "--export", "{bad}"],
    "train data": ["train", "--epochs", "1", "--checkpoint", "{t}/c.safetensors", "--export", "{export}/t.json",
                   "--data", "{bad}"],
    "export checkpoint": ["export", "--export", "{export}/x.json", "--checkpoint", "{bad}"],
    "export export": ["export", "--checkpoint", "{ckpt}", "--export", "{bad}"],
    "export digit": ["export", "--checkpoint", "{ckpt}", "--export", "{export}/network.json", "--digit", "{bad}"],
}
GIVEN_PATH_KINDS = {
    "a link loop": (link_loop, "a loop of symbolic links"),
    "a dangling link": (link_to_nothing, "a symbolic link to nothing"),
    "a device": ("/dev/null", "(a device, pipe or socket)"),
    "a loop above it": (lambda t: link_loop(t / "up"), "a loop of symbolic links"),
}

CASES = {}
for flag, argv in GIVEN_PATH_FLAGS.items():
    for kind, (content, words) in GIVEN_PATH_KINDS.items():
        if kind == "a loop above it":
            argv = [argument.replace("{bad}", "{t}/up/below") for argument in argv]
        CASES[f"{flag} is {kind}"] = (argv, content, words)
for name, (content, words) in BAD_EXPORTS.items():
    CASES[f"render export {name}"] = (R + ["--export", "{bad}"], content, words)
for name in ("id traversal", "deep nesting", "a fifo", "/dev/zero", "duplicate key", "version true", "utf-16"):
    content, words = BAD_EXPORTS[name]
    CASES[f"all export {name}"] = (A + ["--export", "{bad}"], content, words)

for name in ("id traversal", "a fifo", "/dev/zero", "deep nesting", "prediction true"):
    content, words = BAD_EXPORTS[name]
    CASES[f"widget export {name}"] = (["widget", "--export", "{bad}", "--out", "{media}/widget"], content, words)

GOOD = ["--export", "{export}/network.json"]
CASES.update({
    # render: flags and names
    "render digit empty": (R + GOOD + ["--digit", ""], None, "the digit to draw is empty"),
    "render digit blank": (R + GOOD + ["--digit", "   "], None, "the digit to draw is empty"),
    "render digit traversal": (R + GOOD + ["--digit", "train:../../x"], None, "is not an example id"),
    "render digit slash": (R + GOOD + ["--digit", "image:a/b"], None, "is not an example id"),
    "render digit absolute": (R + GOOD + ["--digit", "/etc/passwd"], None, "is not an example id"),
    "render digit dots": (R + GOOD + ["--digit", ".."], None, "is not an example id"),
    "render digit bad prefix": (R + GOOD + ["--digit", "valid:1"], None, "is not an example id"),
    "render digit unknown": (R + GOOD + ["--digit", "test:99999"], None, "no example 'test:99999'"),
    "render digit unknown image": (R + GOOD + ["--digit", "mine"], None, "no example 'image:mine'"),
    "render unknown scene": (["render", "Nope", "--media-dir", "{media}"] + GOOD, None, "unknown scene 'Nope'"),
    "render bad quality": (R + GOOD + ["--quality", "8k"], None, "invalid choice: '8k'"),
    "render bad format": (R + GOOD + ["--format", "avi"], None, "invalid choice: 'avi'"),
    "render bad edges": (R + GOOD + ["--edges", "thick"], None, "invalid choice: 'thick'"),
    "render transparent mp4": (R + GOOD + ["--transparent"], None, "cannot hold transparency"),
    "render sections png": (R + GOOD + ["--format", "png", "--sections"], None, "--sections needs a video format"),
    "render snapshot missing": (R + GOOD + ["--snapshot", "3"], None, "no snapshot for epoch 3"),
    "render snapshot not int": (R + GOOD + ["--snapshot", "x"], None, "invalid int value"),
    "render snapshot other scene": (["render", "Layers", "--snapshot", "1", "--media-dir", "{media}"] + GOOD, None,
                                    "--snapshot is for ForwardPass"),
    "render media dir is a file": (["render", "ForwardPass", "--media-dir", "{bad}"] + GOOD, b"x", "is a file, not a folder"),
    "render media dir under a file": (["render", "ForwardPass", "--media-dir", "{bad}/media"] + GOOD, b"x",
                                      "is a file, not a folder"),
    "render unknown flag": (R + GOOD + ["--colour", "red"], None, "unrecognized arguments"),
    # all
    "all media dir is a file": (["all", "--media-dir", "{bad}"] + GOOD, b"x", "is a file, not a folder"),
    "all unknown scene": (["all", "--media-dir", "{media}", "--scenes", "Nope"] + GOOD, None, "unknown scene 'Nope'"),
    "all jobs zero": (A + GOOD + ["--jobs", "0"], None, "must be at least 1"),
    "all huge seed": (A + ["--seed", "9" * 40], None, "seed must be at most"),
    "all negative seed": (A + ["--seed", "-1"], None, "seed must be at least 0"),
    "all epochs over cap": (A + ["--epochs", "1001"], None, "epochs must be at most 1000"),
    "all hidden too wide": (A + ["--hidden", "5000"], None, "at most 4096 neurons wide"),
    "all digit traversal": (A + GOOD + ["--digit", "train:../x"], None, "is not an example id"),
    # gallery, list, video
    "gallery media dir is a file": (["gallery", "--media-dir", "{bad}"], b"x", "is a file, not a folder"),
    "gallery media dir under a file": (["gallery", "--media-dir", "{bad}/m"], b"x", "is a file, not a folder"),
    "gallery extra argument": (["gallery", "extra"], None, "unrecognized arguments"),
    "list extra argument": (["list", "--all"], None, "unrecognized arguments"),
    "video extra argument": (["video", "ForwardPass"], None, "unrecognized arguments"),
    "no command": ([], None, "required: command"),
    "unknown command": (["paint"], None, "invalid choice: 'paint'"),
    # train: flags
    "train huge seed": (T + ["--seed", "9" * 40], None, "seed must be at most 4294967295"),
    "train seed 2^32": (T + ["--seed", str(2**32)], None, "seed must be at most"),
    "train negative seed": (T + ["--seed", "-5"], None, "seed must be at least 0"),
    "train seed text": (T + ["--seed", "abc"], None, "expected a whole number"),
    "train epochs zero": (T + ["--epochs", "0"], None, "epochs must be at least 1"),
    "train epochs over cap": (T + ["--epochs", "100000"], None, "epochs must be at most 1000"),
    "train hidden 100000": (T + ["--hidden", "100000"], None, "at most 4096 neurons wide"),
    "train hidden 4097": (T + ["--hidden", "16,4097"], None, "at most 4096 neurons wide"),
    "train hidden too many parameters": (T + ["--hidden", "4096,4096,4096"], None, "over the limit of 25,000,000"),
    "train hidden seven layers": (T + ["--hidden", "8,8,8,8,8,8,8"], None, "at most 6 hidden layers"),
    "train hidden empty": (T + ["--hidden", ""], None, "expected sizes like 16,16"),
    "train hidden gap": (T + ["--hidden", "16,,16"], None, "expected sizes like 16,16"),
    "train hidden negative": (T + ["--hidden", "-16"], None, "layer sizes must be positive"),
    "train snapshots beyond epochs": (T + ["--snapshots", "5"], None, "--snapshots asks for epoch 5"),
    "train too many snapshots": (T + ["--snapshots", ",".join(map(str, range(20)))], None, "at most 16 snapshot epochs"),
    "train snapshot over cap": (T + ["--snapshots", "5000"], None, "at most 16 snapshot epochs"),
    "train bad device": (T + ["--device", "tpu"], None, "invalid choice: 'tpu'"),
    "train bad activation": (T + ["--activation", "softmax"], None, "invalid choice: 'softmax'"),
    "train checkpoint is a directory": (["train", "--epochs", "1", "--checkpoint", "{t}", "--export", "{export}/x.json"],
                                        None, "is a directory, not a file name"),
    "train export under a file": (["train", "--epochs", "1", "--checkpoint", "{t}/c.safetensors",
                                   "--export", "{bad}/x.json"], b"x", "is a file, not a folder"),
    # train: data folders
    "data missing": (T + ["--data", "{t}/nothing"], None, "no such data directory"),
    "data is a file": (T + ["--data", "{bad}"], b"x", "is a file, not a folder"),
    "data empty folder": (T + ["--data", "{t}"], None, "no train-images-idx3-ubyte"),
    "data malformed checksums": (T + ["--data", "{t}/d"], lambda t: mnist_dir(t / "d", sums="not a checksum line\n"),
                                 "SHA256SUMS: line 1 is not"),
    "data checksum short": (T + ["--data", "{t}/d"], lambda t: mnist_dir(t / "d", sums="abc train-images-idx3-ubyte\n"),
                            "line 1 is not"),
    "data checksums binary": (T + ["--data", "{t}/d"],
                              lambda t: (mnist_dir(t / "d"), (t / "d" / "SHA256SUMS").write_bytes(b"\xff\xfe\x00x")),
                              "SHA256SUMS"),
    "data checksum mismatch": (T + ["--data", "{t}/d"],
                               lambda t: mnist_dir(t / "d", sums="0" * 64 + "  train-images-idx3-ubyte\n"),
                               "checksum mismatch"),
    "data empty idx file": (T + ["--data", "{t}/d"], lambda t: mnist_dir(t / "d", override={"t10k-labels-idx1-ubyte": b""}),
                            "bad header"),
    "data idx of no images": (T + ["--data", "{t}/d"], lambda t: mnist_dir(t / "d", test=0), "no images"),
    "data too few training images": (T + ["--data", "{t}/d"], lambda t: mnist_dir(t / "d", train=100),
                                     "at least 5,001 are needed"),
    "data exactly the held-out count": (T + ["--data", "{t}/d"], lambda t: mnist_dir(t / "d", train=5000),
                                        "at least 5,001 are needed"),
    "data truncated idx": (T + ["--data", "{t}/d"],
                           lambda t: mnist_dir(t / "d", override={"t10k-labels-idx1-ubyte": idx(0x0801, (10,))[:-3]}),
                           "truncated or padded"),
    "data wrong magic": (T + ["--data", "{t}/d"],
                         lambda t: mnist_dir(t / "d", override={"train-images-idx3-ubyte": idx(0x0801, (6000,))}),
                         "bad header"),
    "data labels over 9": (T + ["--data", "{t}/d"],
                           lambda t: mnist_dir(t / "d", override={"t10k-labels-idx1-ubyte": idx(0x0801, (10,), 12)}),
                           "labels outside 0..9"),
    "data images and labels disagree": (T + ["--data", "{t}/d"],
                                        lambda t: mnist_dir(t / "d", override={"t10k-labels-idx1-ubyte": idx(0x0801, (9,))}),
                                        "10, 28, 28) images for 9 labels"),
    "data idx is a fifo": (T + ["--data", "{t}/d"],
                           lambda t: (mnist_dir(t / "d", override={"t10k-labels-idx1-ubyte": None}),
                                      os.mkfifo(t / "d" / "t10k-labels-idx1-ubyte")), "not a regular file"),
    "data gzip not gzip": (T + ["--data", "{t}/d"],
                           lambda t: (mnist_dir(t / "d"), (t / "d" / "train-images-idx3-ubyte.gz").write_bytes(b"nope")),
                           "not a readable gzip file"),
    "data gzip truncated": (T + ["--data", "{t}/d"],
                            lambda t: (mnist_dir(t / "d"), (t / "d" / "train-labels-idx1-ubyte.gz").write_bytes(
                                gzip.compress(idx(0x0801, (6000,)))[:-20])), "not a readable gzip file"),
    "data gzip bomb": (T + ["--data", "{t}/d"],
                       lambda t: (mnist_dir(t / "d"), gzip_bomb(t / "d" / "train-images-idx3-ubyte.gz", 300 * 2**20)),
                       "decompresses to more than the limit of 256 MiB"),
    "data idx over the cap": (T + ["--data", "{t}/d"],
                              lambda t: (mnist_dir(t / "d"), os.truncate(t / "d" / "train-images-idx3-ubyte", 300 * 2**20)),
                              "over the limit of 256.0 MiB"),
    # export: checkpoints
    "export checkpoint missing": (["export", "--checkpoint", "{t}/none.safetensors", "--export", "{export}/x.json"],
                                  None, "no checkpoint"),
    "export checkpoint fifo": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"],
                               lambda p: os.mkfifo(p), "not a regular file"),
    "export checkpoint dev zero": (["export", "--checkpoint", "/dev/zero", "--export", "{export}/x.json"], None,
                                   "not a regular file"),
    "export checkpoint directory": (["export", "--checkpoint", "{t}", "--export", "{export}/x.json"], None,
                                    "not a regular file"),
    "export checkpoint empty": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"], b"",
                                "shorter than a safetensors header"),
    "export checkpoint huge header": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"],
                                      struct.pack("<Q", 2**40) + b"{}", "checkpoint header: 1048576.0 MiB"),
    "export checkpoint header past end": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"],
                                          struct.pack("<Q", 1000) + b"{}", "header runs past the end"),
    "export checkpoint million units": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"],
                                        safetensors({"layers.0.weight": {"dtype": "F32", "shape": [1000000, 784],
                                                                         "data_offsets": [0, 3136000000]}}),
                                        "over 50,000,000 numbers"),
    "export checkpoint offsets lie": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"],
                                      safetensors({"w": {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 64]}}, b"\0" * 8),
                                      "data offsets do not match"),
    "export checkpoint bad dtype": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"],
                                    safetensors({"w": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 1]}}, b"\0"),
                                    "malformed header entry"),
    "export checkpoint duplicate keys": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"],
                                         lambda p: p.write_bytes(struct.pack("<Q", 20) + b'{"a": {}, "a": {}}  '),
                                         "duplicate key 'a'"),
    "export checkpoint no config": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"],
                                    safetensors({"__metadata__": {"training": "{}"}}), "not a usable checkpoint ('config')"),
    "export checkpoint config too wide": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"],
                                          safetensors({"__metadata__": {"config": json.dumps(
                                              {"sizes": [784, 1000000, 10], "hidden_activation": "sigmoid",
                                               "output_activation": "sigmoid"})}}), "at most 4096 neurons wide"),
    "export checkpoint config NaN": (["export", "--checkpoint", "{bad}", "--export", "{export}/x.json"],
                                     safetensors({"__metadata__": {"config": '{"sizes": NaN}'}}), "NaN is not a number"),
    "export label out of range": (E + ["--digit", "{bad}", "--label", "11"], b"x", "--label must be a digit 0-9"),
    "export label without digit": (E + ["--label", "3"], None, "--label needs --digit"),
    # export: images
    "image missing": (E + ["--digit", "{t}/none.png"], None, "no such image"),
    "image directory": (E + ["--digit", "{t}"], None, "is a directory"),
    "image fifo": (E + ["--digit", "{bad}"], lambda p: os.mkfifo(p), "not a regular file"),
    "image dev zero": (E + ["--digit", "/dev/zero"], None, "not a regular file"),
    "image empty": (E + ["--digit", "{bad}"], b"", "empty file"),
    "image text": (E + ["--digit", "{bad}"], b"just some text", "not a readable image"),
    "image truncated png": (E + ["--digit", "{bad}"], png(np.full((40, 40), 255))[:60], "not a readable image"),
    "image decompression bomb": (E + ["--digit", "{bad}"], png_header_only(20000, 20000),
                                 "too many pixels, over the limit of 64,000,000 pixels"),
    "image over the pixel cap": (E + ["--digit", "{bad}"], png_header_only(9000, 9000),
                                 "9000x9000 pixels, over the limit of 64,000,000"),
    "image too small": (E + ["--digit", "{bad}"], png(np.zeros((4, 4))), "too small to hold a digit"),
    "image blank": (E + ["--digit", "{bad}"], png(np.full((40, 40), 255)), "no ink found"),
    "image over the file cap": (E + ["--digit", "{bad}"], lambda p: (p.touch(), os.truncate(p, 200 * 2**20)), "over the limit of 128.0 MiB"),
})


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Copies of the committed export and checkpoint, and a media folder with a clip's
    worth of files (sidecar, manifest, lock) that no failing command may touch."""
    root = tmp_path_factory.mktemp("bad-input")
    export_dir = root / "export"
    export_dir.mkdir()
    for source in (paths.DEFAULT_EXPORT, paths.RELU_EXPORT):
        shutil.copyfile(source, export_dir / source.name)
    checkpoint = root / "ckpt" / "network.safetensors"
    checkpoint.parent.mkdir()
    shutil.copyfile(paths.DEFAULT_CHECKPOINT, checkpoint)
    media = root / "media"
    (media / "clips" / "low").mkdir(parents=True)
    (media / "clips" / "low" / "ForwardPass.mp4").write_bytes(b"not really a video")
    (media / "clips" / "low" / "ForwardPass.mp4.json").write_text('{"scene": "ForwardPass"}\n')
    (media / "manifest.json").write_text('{"clips": []}\n')
    (media / ".lock").write_text("")
    return {"root": root, "export": export_dir, "ckpt": checkpoint, "media": media}


def tree(*folders) -> dict:
    """Every file under the folders, by path, as a hash of its bytes (links followed)."""
    files = {}
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                files[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def prepare(case: str, workspace: dict, tmp_path: Path) -> list[str]:
    argv, content, _ = CASES[case]
    bad = tmp_path / "bad"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif isinstance(content, str):
        bad = Path(content)
    elif callable(content):  # a maker: of the data folder (its argument is `t`) or of the bad file
        content(tmp_path if content.__code__.co_varnames[:1] == ("t",) else bad)
    names = {"t": tmp_path, "bad": bad, "media": workspace["media"], "export": workspace["export"],
             "ckpt": workspace["ckpt"]}
    return [argument.format(**names) for argument in argv]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_changes_nothing(case, workspace, tmp_path, capsys):
    argv = prepare(case, workspace, tmp_path)
    watched = (workspace["media"], workspace["export"], workspace["ckpt"].parent, paths.ASSETS)
    before = tree(*watched)
    capsys.readouterr()
    code = render.main(argv)
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert code == 2, captured
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert CASES[case][2] in lines[0], lines[0]
    assert tree(*watched) == before


def test_there_are_at_least_100_cases():
    assert len(CASES) >= 100


def test_non_ascii_image_names_get_distinct_ids_and_collisions_are_refused(workspace, tmp_path, capsys):
    """Images named in another script each get their own id (a hash), and a second file
    whose name transliterates to an id already taken is refused, not swapped in."""
    from nn_explainer.model.schema import read_export

    ink = np.full((40, 40), 255)
    ink[10:30, 18:22] = 0
    export = tmp_path / "with-images.json"
    for name in ("三.png", "四.png", "é.png"):
        (tmp_path / name).write_bytes(png(ink))
        assert render.main(["export", "--checkpoint", str(workspace["ckpt"]), "--export", str(export),
                            "--digit", str(tmp_path / name)]) == 0
    ids = [e.id for e in read_export(export).examples if e.source == "image"]
    assert len(ids) == 3 and len(set(ids)) == 3 and "image:e" in ids
    (tmp_path / "e.png").write_bytes(png(ink))
    before = export.read_bytes()
    capsys.readouterr()
    assert render.main(["export", "--checkpoint", str(workspace["ckpt"]), "--export", str(export),
                        "--digit", str(tmp_path / "e.png")]) == 2
    assert "already taken by" in capsys.readouterr().err
    assert export.read_bytes() == before


END_TO_END = {
    "export is a fifo": (["render", "--export", "{fifo}", "--media-dir", "{media}"], "not a regular file"),
    "export is /dev/zero": (["render", "--export", "/dev/zero", "--media-dir", "{media}"], "not a regular file"),
    "deeply nested export": (["render", "--export", "{deep}", "--media-dir", "{media}"], "nested"),
    "media dir is a file": (["gallery", "--media-dir", "{deep}"], "is a file, not a folder"),
    "huge seed": (["train", "--seed", "1" * 30], "seed must be at most"),
}


@pytest.mark.parametrize("case", END_TO_END)
def test_end_to_end(case, workspace, tmp_path):
    fifo, deep = tmp_path / "fifo", tmp_path / "deep.json"
    os.mkfifo(fifo)
    deep.write_bytes(b"[" * 200000 + b"]" * 200000)
    argv, words = END_TO_END[case]
    before = tree(workspace["media"], paths.ASSETS)
    line = assert_clean_failure(run_cli(*[a.format(fifo=fifo, deep=deep, media=workspace["media"]) for a in argv],
                                        timeout=120))
    assert words in line
    assert tree(workspace["media"], paths.ASSETS) == before
