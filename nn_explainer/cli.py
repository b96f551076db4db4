#!/usr/bin/env python3
"""nn-explainer's command line: train the network, export it, render its videos.

    python render.py render  [SCENE ...] [--quality low|medium|high|4k] [--format mp4|webm|gif|png|mov]
    python render.py list
    python render.py script  [SCENE ...] [--digit ...] [--recording-names]   (the narration's words)
    python render.py all     [--retrain] [--quality ...] [--format ...]   (only what changed)
    python render.py all     --engine ray [--address HOST:PORT]           (one Ray task per clip)
    python render.py train   [--epochs N] [--seed S] [--activation sigmoid|relu|tanh] [--hidden 16,16] ...
    python render.py export  [--digit PATH [--label N]]
    python render.py import  MODEL [--activation relu] [--outputs logits] [--normalize 0.1307,0.3081]
                             (a network trained elsewhere: a state_dict or an ONNX graph)
    python render.py widget  [--export PATH] [--out DIR]   (a live embed: draw a digit)
    python render.py slides  [CHAPTER] [--quality ...] [--out DIR]   (a reveal.js deck of the beats' clips)
    python render.py --help

Bad input ends in one line on stderr and exit 2 (Ctrl-C: 130); no traceback, and no
output file is ever left half-written.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130
DEFAULT_EPOCHS = 50


def hidden_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 16,16, got {text!r}") from None
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    from nn_explainer.model import limits
    from nn_explainer.model.errors import UserError
    from nn_explainer.model.shapes import CLASSES, MAX_HIDDEN_LAYERS, PIXELS

    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(sizes)}")
    try:
        limits.check_network_sizes((PIXELS, *sizes, CLASSES), "--hidden")
    except UserError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return sizes


def conv_channels(text: str) -> tuple[int, ...]:
    """`--conv 8,16`: feature maps per 3x3 convolution of our CNN (model/conv_plan.py)."""
    try:
        channels = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected feature maps per convolution like 8,16, got {text!r}") from None
    from nn_explainer.model.conv_plan import check_channels
    from nn_explainer.model.errors import UserError

    try:
        check_channels(channels)
    except UserError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return channels


CONV_EPOCHS = 3   # `train --conv`: a CNN reaches 98.5 % in a few epochs
CONV_BATCH = 128  # as the MLP's; no shifted batches: a convolution sees a digit off centre the same way


def bounded_int(low: int, high: int, what: str):
    """An argparse type: a whole number in [low, high], refused with the range otherwise."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            bound = f"at least {low}" if value < low else f"at most {high}"
            shown = text if len(text) < 30 else text[:27] + "..."
            raise argparse.ArgumentTypeError(f"{what} must be {bound} (range {low}..{high}), got {shown}")
        return value
    parse.__name__ = what  # argparse names the type in its messages
    return parse


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def snapshot_epochs(text: str) -> tuple:
    epochs = []
    for part in text.split(","):
        if part.strip() == "final":
            continue  # the final weights are always kept: they are the checkpoint
        try:
            epochs.append(int(part))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected epochs like 0,1,5,final, got {text!r}") from None
    if any(epoch < 0 for epoch in epochs):
        raise argparse.ArgumentTypeError(f"snapshot epochs must be 0 or more, got {text!r}")
    from nn_explainer.model.limits import MAX_EPOCHS, MAX_SNAPSHOTS

    if any(epoch > MAX_EPOCHS for epoch in epochs) or len(set(epochs)) > MAX_SNAPSHOTS:
        raise argparse.ArgumentTypeError(f"at most {MAX_SNAPSHOTS} snapshot epochs, each 0..{MAX_EPOCHS}, got {text!r}")
    return tuple(sorted(set(epochs)))


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (argparse prints the whole usage)."""

    def error(self, message):
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from nn_explainer.model.activations import HIDDEN_ACTIVATIONS
    from nn_explainer.model.importing.layer_list import OUTPUTS
    from nn_explainer.model.limits import MAX_EPOCHS, MAX_SEED

    epochs = bounded_int(1, MAX_EPOCHS, "epochs")
    seed = bounded_int(0, MAX_SEED, "seed")

    from nn_explainer.model.invocation import program

    parser = Parser(prog=program(), description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    data_help = "MNIST IDX directory, or 'torchvision' to download (default: the copy in assets/mnist)"
    train = commands.add_parser("train", help="train the network on MNIST, then write checkpoint and export")
    train.add_argument("--epochs", type=epochs, default=None, help=f"default: {DEFAULT_EPOCHS} ({CONV_EPOCHS} with --conv)")
    train.add_argument("--seed", type=seed, default=0)
    train.add_argument("--activation", choices=list(HIDDEN_ACTIVATIONS), default=None,
                       help="hidden-layer activation (default: sigmoid, the outputs too; relu with --conv)")
    train.add_argument("--conv", type=conv_channels, default=None, metavar="MAPS",
                       help="train a CNN instead: 3x3 convolutions making these many feature maps, each with its "
                            "activation and 2x2 max pooling, then dense to 10 (e.g. 8,16; writes network-cnn.*)")
    train.add_argument("--hidden", type=hidden_sizes, default=(16, 16), help="hidden layer sizes, e.g. 16,16")
    train.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    train.add_argument("--snapshots", type=snapshot_epochs, default=None,
                       help="also keep the weights at these epochs, e.g. 0,1,5,final "
                            "(default: 0,1,2,5,10, those before the last epoch)")
    train.add_argument("--data", default=None, help=data_help)
    train.add_argument("--checkpoint", type=Path, help="default: assets/checkpoints/network[-relu].safetensors")
    train.add_argument("--export", type=Path, help="default: assets/export/network[-relu].json")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    export = commands.add_parser("export", help="rebuild the export file from a checkpoint")
    export.add_argument("--checkpoint", type=Path, help="default: assets/checkpoints/network.safetensors")
    export.add_argument("--export", type=Path, help="default: beside the others in assets/export/")
    export.add_argument("--digit", type=Path, help="add a digit: an image file, or any MNIST digit by its index "
                                                   "(train:N, test:N)")
    export.add_argument("--label", type=int, help="what the --digit image is meant to be (0-9)")
    export.add_argument("--replace", action="store_true",
                        help="let --digit replace a different image already added under the same name")
    export.add_argument("--remove", metavar="ID", help="remove a digit you added (image:NAME, train:N, test:N)")
    export.add_argument("--data", default=None, help=data_help)
    imported = commands.add_parser("import", help="write an export from a model trained elsewhere: a state_dict "
                                                  "(.safetensors, .pt, .pth) or an ONNX graph (.onnx)")
    imported.add_argument("model", type=Path, metavar="MODEL",
                          help="the model file: a state_dict saved by torch.save(model.state_dict(), ...) as .pt, "
                               ".pth or .bin, or by safetensors as .safetensors; or an ONNX graph (.onnx)")
    imported.add_argument("--activation", choices=list(HIDDEN_ACTIVATIONS),
                          help="a state_dict's hidden activation (an ONNX graph says it by itself)")
    imported.add_argument("--outputs", choices=list(OUTPUTS),
                          help="what the last layer gives: logits (trained with CrossEntropyLoss; drawn as their "
                               "softmax), softmax or sigmoid. An ONNX graph says it by itself (ending in a Linear: "
                               "logits)")
    imported.add_argument("--normalize", metavar="MEAN,STD",
                          help="how its inputs were normalised, as in transforms.Normalize((0.1307,), (0.3081,)): "
                               "0.1307,0.3081; 0,1 for none. Left out, it is measured on MNIST's test digits, "
                               "and a clearly better reading than the pixels as given is refused, naming it")
    imported.add_argument("--export", type=Path, help="default: assets/imported/<MODEL's name>.json")
    imported.add_argument("--data", default=None, help=data_help)
    imported.add_argument("--module", metavar="FILE.py:CLASS",
                          help="the class that defines a state_dict (e.g. net.py:Net; a CNN needs it): built with no "
                               "arguments, its weights loaded with weights_only=True. This runs FILE.py, your own "
                               "code, as Python would: use it only with code you trust")
    render = commands.add_parser("render", help="render scenes to video (default: ForwardPass)")
    render.add_argument("scenes", nargs="*", default=["ForwardPass"], metavar="SCENE", help=f"see `{program()} list`")
    render.add_argument("--quality", choices=["low", "medium", "high", "4k"], default="low",
                        help="low 480p15, medium 720p30, high 1080p60, 4k 2160p60 (default: low)")
    render.add_argument("--format", choices=["mp4", "webm", "gif", "png", "mov"], default="mp4",
                        help="png is the last frame as a still")
    render.add_argument("--transparent", action="store_true", help="transparent background (webm, mov, png)")
    render.add_argument("--digit", help="which example to draw: train:7 (default), test:0, image:NAME; "
                                        "`export --digit` adds others")
    render.add_argument("--export", type=Path, help="default: assets/export/network.json")
    render.add_argument("--edges", choices=["weight", "contribution"], default="weight",
                        help="draw each edge by its weight w, or by its contribution w·a for this digit")
    render.add_argument("--sections", action="store_true", help="also write one clip per section (beat)")
    render.add_argument("--force", action="store_true", help="render even a clip that is up to date")
    render.add_argument("--snapshot", type=int, help="ForwardPass through the network as it was at this epoch "
                                                     "(train with --snapshots first)")
    render.add_argument("--media-dir", type=Path, default=None, help="where clips go (default: media/)")
    render.add_argument("--voice", default=None,
                        help="who narrates: joe (the bundled offline voice), none, recorded:DIR (your own "
                             f"recordings, see `{program()} script --recording-names`), or auto: joe when the "
                             "voice extra is installed, else none (default: $NN_EXPLAINER_VOICE, else auto)")
    render.add_argument("--engine", choices=["local", "ray"], default="local",
                        help="local: this machine; ray: one Ray task per clip (needs the cluster extra)")
    render.add_argument("--address", help="with --engine ray: join the Ray cluster here (default: start one "
                                          "on this machine); see docs/scaling.md")

    everything = commands.add_parser("all", help="train if needed, re-export, re-render only the scenes whose inputs changed")
    everything.add_argument("--retrain", action="store_true", help="train again even if the options are unchanged")
    for flag in ("--quality", "--format", "--transparent", "--digit", "--edges", "--sections", "--media-dir",
                 "--engine", "--address", "--voice"):
        action = next(a for a in render._actions if flag in a.option_strings)
        everything._add_action(action)
    everything.add_argument("--export", type=Path, help="render from this export as it is: no training, no re-export")
    everything.add_argument("--scenes", nargs="+", metavar="SCENE", help="only these scenes (default: all)")
    everything.add_argument("--jobs", type=positive_int, help="worker processes, or a local Ray instance's CPUs "
                                                              "(default: one per core)")
    # No defaults: given, they ask for training; not given, `all` keeps the network there.
    everything.add_argument("--epochs", type=epochs, help="train with this many epochs (default: keep the network)")
    everything.add_argument("--seed", type=seed, help="train with this seed (default: keep the network)")
    everything.add_argument("--hidden", type=hidden_sizes, help="train with these hidden layers (default: keep the network)")
    everything.add_argument("--quiet", action="store_true", help="no training progress bar")

    gallery = commands.add_parser("gallery", help="write media/gallery.html: every clip, with a snippet to embed")
    gallery.add_argument("--media-dir", type=Path, default=None, help="default: media/")

    widget = commands.add_parser("widget", help="write media/widget/: a live page where a reader draws a digit "
                                               "and the same network answers")
    widget.add_argument("--export", type=Path, help="default: assets/export/network.json")
    widget.add_argument("--out", type=Path, help="the folder to write (default: media/widget/)")

    slides = commands.add_parser("slides", help="write media/slides/CHAPTER/: a RevealJS deck for a class, one "
                                               "slide per beat with its clip (rendering only the stale ones)")
    slides.add_argument("chapter", nargs="?", default="Chapter", metavar="CHAPTER",
                        help="Chapter (default), WhatHiddenNeuronsDo, Chapter2 or ChapterConv")
    slides.add_argument("--quality", choices=["low", "medium", "high"], default="low",
                        help="of the clips: low 480p15 (default, as render and all), medium 720p30, high 1080p60")
    slides.add_argument("--out", type=Path, help="the folder to write (default: media/slides/CHAPTER/; "
                                                 "CHAPTER_net-NAME/ for another network's --export)")
    for flag in ("--export", "--digit", "--media-dir", "--voice"):
        slides._add_action(next(a for a in render._actions if flag in a.option_strings))
    slides.add_argument("--jobs", type=positive_int, help="worker processes (default: one per core)")
    slides.set_defaults(format="mp4")  # the clips a deck holds (what --voice auto is decided for)

    script = commands.add_parser("script", help="print the words the narration speaks, beat by beat "
                                                "(for the given export and digit), to read or to record")
    script.add_argument("scenes", nargs="*", default=["Chapter"], metavar="SCENE", help="default: the Chapter")
    for flag in ("--digit", "--export", "--edges"):
        script._add_action(next(a for a in render._actions if flag in a.option_strings))
    script.add_argument("--recording-names", action="store_true",
                        help="put before each sentence the file name --voice recorded:DIR looks for")

    mnist = commands.add_parser("mnist", help="lay the shipped MNIST out as torchvision reads it "
                                              "(DIR/MNIST/raw/), for your own training script, offline")
    mnist.add_argument("root", nargs="?", type=Path, default=Path("data"), metavar="DIR",
                       help="the root to pass to torchvision.datasets.MNIST (default: ./data)")

    commands.add_parser("restore", help="return to the committed networks (undo `train`; your runs are removed)")
    commands.add_parser("list", help="list the scenes, one line each")
    commands.add_parser("video", help="the main output: train if there is no export, then render ForwardPass")
    for command in commands.choices.values():
        command.add_argument("--workdir", type=Path, default=None,
                             help="where training, exports and imports are written, and read before the committed "
                                  "networks (default: assets/ in a clone, else ./nn-explainer/ of this folder)")
    return parser


def command_train(args) -> None:
    from nn_explainer.model.pipeline import run_training
    from nn_explainer.model.train import TrainConfig

    conv = args.conv is not None
    config = TrainConfig(hidden=args.hidden, activation=args.activation or ("relu" if conv else "sigmoid"),
                         epochs=args.epochs or (CONV_EPOCHS if conv else DEFAULT_EPOCHS), seed=args.seed,
                         device=args.device, snapshots=args.snapshots, conv=args.conv,
                         **({"batch_size": CONV_BATCH, "shift_probability": 0.0} if conv else {}))
    path = run_training(config, args.checkpoint, args.export, args.data, progress=not args.quiet)
    _summarise(path)


def command_export(args) -> None:
    from nn_explainer.model.pipeline import run_export

    path, example_id, done = run_export(args.checkpoint, args.export, args.digit, args.label, args.data,
                                        replace=args.replace, remove=args.remove)
    if done == "removed":
        print(f"removed example {example_id}")
    elif done == "unchanged":
        print(f"example {example_id} was already there: {_what_the_network_read(path, example_id)}")
    elif done:
        print(f"{done} example {example_id}: {_what_the_network_read(path, example_id)}")
    if done in ("added", "replaced", "unchanged"):
        from nn_explainer.model.schema import read_export

        doubt = read_export(path).example(example_id).doubt
        if doubt:
            print(f"{_program()}: warning: {example_id} looks little like a digit ({doubt}); it is added all the "
                  "same, and its caption will say so", file=sys.stderr)
    _summarise(path)


def command_import(args) -> None:
    from nn_explainer.model import importing
    from nn_explainer.model.importing import normalisation
    from nn_explainer.model.progress import Steps

    progress = Steps(f"{_program()} import")   # a line on stderr for each step over 2 s
    if args.module is not None:
        _import_with_class(args, progress)
        return
    imported, source = importing.read_model_file(args.model, args.activation, args.outputs,
                                                 importing.parse_normalize(args.normalize))
    path = args.export or importing.default_export(args.model)
    exported = importing.write_import(imported, source, path, args.data, progress=progress)
    for note in imported.notes:
        print(f"folded: {note}")
    if imported.outputs != imported.output_activation:
        print(f"its outputs are {imported.outputs.replace('_', '-')}: drawn as the probabilities {imported.output_activation} "
              "makes of them")
    print(normalisation.sentence(source["normalisation"], exported.training["test_accuracy"]))
    _summarise(path, exported)
    print(f"next: {_command(f'render --export {path}')}")


def _import_with_class(args, progress) -> None:
    """`import MODEL --module net.py:Net`: the state_dict read by the class that defines it."""
    from nn_explainer.model import importing
    from nn_explainer.model.importing import normalisation, read_class
    from nn_explainer.model.errors import UserError

    if args.activation is not None:
        raise UserError("--activation: with --module the class's forward() says it; leave --activation out")
    path = args.export or importing.default_export(args.model)
    exported = read_class.import_with_class(args.model, args.module, args.outputs, path,
                                            importing.parse_normalize(args.normalize), args.data, progress)
    for note in exported.source["notes"]:
        print(f"folded: {note}")
    print(normalisation.sentence(exported.source["normalisation"], exported.training["test_accuracy"]))
    _summarise(path, exported)
    print(f"next: {_command(f'render --export {path}')}")


def _what_the_network_read(path: Path, example_id: str) -> str:
    """`read as 3 (0.94), labelled 3`: the answer the user is about to see drawn."""
    from nn_explainer.model.schema import read_export

    example = read_export(path).example(example_id)
    said = f"labelled {example.label}" if example.label is not None else "no label"
    return f"read as {example.prediction} ({example.a[-1][example.prediction]:.2f}), {said}"


def describe_network(network) -> str:
    """784-32-32-10, the activations and the parameter count, as `list` and `train` print them."""
    return (f"{'-'.join(map(str, network.sizes))}, {network.hidden_activation} hidden layers, "
            f"{network.output_activation} outputs, {network.parameter_count:,} parameters")


def _summarise(path: Path, exported=None) -> None:
    """One line on the export at `path` (`exported`: it, already read and checked)."""
    from nn_explainer.model.schema import read_export

    exported = exported or read_export(path, convolutional=True)
    training = exported.training
    sizes = ("-".join(map(str, exported.network.sizes)) if not exported.convolutional
             else "conv " + "-".join(str(layer.weight.shape[0]) for layer in exported.network.layers if layer.kind == "conv2d"))
    print(f"wrote {path}  ({sizes}, {exported.network.parameter_count:,} parameters, "
          f"test accuracy {100 * training['test_accuracy']:.2f}%, {len(exported.examples)} examples)")


def _request(args, scene):
    from nn_explainer.publish.requests import RenderRequest

    return RenderRequest(scene, quality=args.quality, format=args.format, transparent=args.transparent,
                         digit=args.digit, export=getattr(args, "export", None), edges=args.edges,
                         sections=args.sections, snapshot=getattr(args, "snapshot", None),
                         voice=_voice(args),
                         **({"media_dir": args.media_dir.resolve()} if args.media_dir else {}))


def _voice(args) -> str:
    """--voice, with one line when "auto" finds no voice to speak with."""
    from nn_explainer.publish.audio_track import carries_audio
    from nn_explainer.scenes.settings import asked_voice
    from nn_explainer.scenes.speech.voice import install_hint, resolve

    if args.voice is None:
        args.voice = asked_voice()
    if args.voice == "auto" and carries_audio(args.format) and resolve("auto") == "none" and not _voice.said:
        print(f"{_program()}: narration is silent: the voice is not installed ({install_hint()})", file=sys.stderr)
        _voice.said = True
    return args.voice


_voice.said = False


def _who(args) -> str:
    """The running command as the user typed it, for the media lock's waiters to read."""
    return f"{_program()} {args.command}"


def command_render(args) -> None:
    from nn_explainer.model.errors import UserError
    from nn_explainer.publish.media import exclusive, sweep
    from nn_explainer.publish.requests import CLIPS_DIR

    _check_engine(args)
    if args.force and args.engine == "ray":
        raise UserError("--force goes with the local engine; with --engine ray, delete the clip to render it again")
    requests = [_request(args, scene) for scene in args.scenes]
    for request in requests:  # the options, export and digit; the beats' own checks once a clip is stale
        request.check(drawable=False)
        _say_left_out(request.scene, request.drawn(), request.export_path().name)
    with exclusive(requests[0].media_dir, _who(args)):  # a second command waits its turn
        sweep(requests[0].media_dir, CLIPS_DIR)
        if args.engine == "ray":
            _render_on_ray(requests, args.address)  # renders only the stale clips too
        else:
            _render_each(requests, force=args.force)


def _render_each(requests, force: bool = False) -> None:
    """Render each request whose clip is stale (`force`: each one), printing every clip's
    path, up to date or new."""
    from nn_explainer.publish.manifest import write_manifest

    from nn_explainer.publish.batch import bring_up_to_date, is_current

    stale = [request for request in requests if force or not is_current(request)]
    for request in stale:  # refuse bad input before spending minutes on the good part
        request.check()
    try:
        for request in requests:
            clip = bring_up_to_date(request, force=request in stale)
            print(clip["path"])
            if request not in stale:
                print("  up to date: its inputs have not changed (--force renders it again)")
            if clip["poster"]:
                print(f"  poster: {clip['poster']}")
            if clip["subtitles"]:
                print(f"  subtitles: {clip['subtitles']}")
            for section in clip["sections"]:
                print(f"  section: {section}")
    finally:
        write_manifest(requests[0].media_dir)


def _check_engine(args) -> None:
    """--engine ray without Ray installed: refused before any training or rendering."""
    if args.engine == "ray":
        from nn_explainer.publish.ray_engine import check_reachable, import_ray

        import_ray()
        if args.address:
            check_reachable(args.address)


def _render_on_ray(requests, address) -> None:
    from nn_explainer.publish.batch import render_requests

    render_requests(requests, engine="ray", address=address)


def command_all(args) -> None:
    from nn_explainer.publish.media import exclusive

    _check_engine(args)
    template = _request(args, "ForwardPass")
    template.check(drawable=False)
    with exclusive(Path(template.media_dir), _who(args)):  # waits for a render already writing there
        _train_export_render(args, template)


def _train_export_render(args, template) -> None:
    # torch and manim are imported only if something needs training, exporting or
    # rendering: with nothing changed, `all` is a few file reads and hashes.
    from nn_explainer.model import freshness, generations
    from nn_explainer.model.paths import default_paths, is_shipped
    from nn_explainer.model.shapes import DEFAULT_HIDDEN
    from nn_explainer.publish.batch import render_all

    if args.export is not None:  # the user's own export: drawn as it is, checked on read
        render_all(template, args.scenes, args.jobs, engine=args.engine, address=args.address)
        return
    # The network there is kept, whoever trained it: `all` trains only when asked to.
    given = {"seed": args.seed, "epochs": args.epochs, "hidden": list(args.hidden) if args.hidden else None}
    asked = {option: value for option, value in given.items() if value is not None}
    for activation in ("sigmoid", "relu"):
        checkpoint, export = default_paths(activation)
        defaults = {"seed": 0, "epochs": DEFAULT_EPOCHS, "hidden": list(DEFAULT_HIDDEN), "activation": activation}
        reason, wanted = freshness.training_plan({**asked, "activation": activation}, defaults, checkpoint,
                                                 retrain=args.retrain)
        if reason:
            from nn_explainer.model.pipeline import run_training
            from nn_explainer.model.train import TrainConfig

            print(f"training the {activation} network: {reason}")
            run_training(TrainConfig(hidden=tuple(wanted["hidden"]), activation=activation, epochs=wanted["epochs"],
                                     seed=wanted["seed"]), progress=not args.quiet)
            checkpoint, export = default_paths(activation)  # what was just written
        else:
            print(network_kept(activation, wanted, generations.committed_in_use(checkpoint)))
            if is_shipped(checkpoint):
                continue  # shipped with the package, read-only, exported by the code beside it
            if not freshness.export_is_current(checkpoint, export):
                from nn_explainer.model.pipeline import run_export

                export = run_export(checkpoint)[0]  # the code or data changed since: keep the export in step
        freshness.record_export(checkpoint, export)
    render_all(template, args.scenes, args.jobs, engine=args.engine, address=args.address)


def network_kept(activation: str, trained: dict, committed: bool) -> str:
    """What `all` says of the network it keeps; `restore` is suggested only when there is
    something to restore (the network there is not the committed one)."""
    from nn_explainer.model.shapes import CLASSES, PIXELS

    sizes = "-".join(map(str, (PIXELS, *trained["hidden"], CLASSES)))
    again = "--retrain, --epochs, --seed or --hidden train again"
    return (f"using the {activation} network there: {sizes}, {trained['epochs']} epochs, seed {trained['seed']} "
            + (f"(the committed one; {again})" if committed
               else f"({again}; `{_program()} restore` returns to the committed one)"))


def command_restore(args) -> None:
    from nn_explainer.model.pipeline import restore_committed

    for path in restore_committed():
        print(f"restored {path}")


def command_list(args) -> None:
    from nn_explainer.model import paths
    from nn_explainer.model.errors import UserError
    from nn_explainer.model.schema import read_export
    from nn_explainer.scenes.outline import SCENES

    try:
        network = read_export(paths.DEFAULT_EXPORT).network
        print(f"network ({_shown(paths.DEFAULT_EXPORT)}): {describe_network(network)}")
    except UserError as err:
        print(f"network: none readable yet ({' '.join(str(err).split())}); `{_program()} train` makes one")
    width = max(map(len, SCENES))
    for name, info in SCENES.items():
        print(f"{name:<{width}}  {info.shows}")


def command_script(args) -> None:
    """The narration as words: what each beat would say for this export and digit."""
    from nn_explainer.scenes.beat import beat_module, check_beats
    from nn_explainer.scenes.outline import Drawn, beats_of
    from nn_explainer.scenes.settings import DEFAULT_DIGIT, Settings
    from nn_explainer.scenes.story import load_export
    from nn_explainer.scenes.speech.voice import sentence_key

    settings = Settings(**({"export": args.export} if args.export else {}), digit=args.digit or DEFAULT_DIGIT,
                        edges=args.edges)
    drawn = Drawn.of(load_export(settings.export))
    for scene in args.scenes:
        _say_left_out(scene, drawn, Path(settings.export).name)
    names = [beat for scene in args.scenes for beat in beats_of(scene, drawn)]
    story = check_beats(names, settings)
    for name in names:
        print(f"## {name}")
        for sentence in beat_module(name).script(story).values():
            print(f"{sentence_key(sentence)}.wav  {sentence}" if args.recording_names else sentence)
        print()


def _say_left_out(scene: str, drawn, export_name: str) -> None:
    """One line on stderr naming the beats a chapter goes without for this network, and why;
    a scene that cannot draw it at all (chapter one for a CNN) refused in one line."""
    from nn_explainer.scenes.outline import left_out, refuse_unless_drawable, why_not

    refuse_unless_drawable(scene, drawn, export_name)
    missing = left_out(scene, drawn)
    if missing:
        one = len(missing) == 1
        reasons = dict.fromkeys(why_not(beat, drawn, "draws" if one else "draw") for beat in missing)
        print(f"{_program()}: {scene} goes without {', '.join(missing)}: {'it' if one else 'they'} "
              f"{'; '.join(reasons)}", file=sys.stderr)


def command_video(args) -> None:
    from nn_explainer.model import paths
    from nn_explainer.publish.requests import RenderRequest

    if not paths.DEFAULT_EXPORT.exists():
        print("no export yet: training the default network first (about a minute)")
        from nn_explainer.model.pipeline import run_training
        from nn_explainer.model.train import TrainConfig

        run_training(TrainConfig())
    from nn_explainer.publish.batch import bring_up_to_date
    from nn_explainer.publish.manifest import write_manifest
    from nn_explainer.publish.media import exclusive

    with exclusive(paths.MEDIA_DIR, _who(args)):
        clip = bring_up_to_date(RenderRequest("ForwardPass", quality="medium", voice="auto"))  # unchanged: not rendered again
        write_manifest()
    print(f"the video: {clip['path']}  (poster: {clip['poster']})")


def command_gallery(args) -> None:
    from nn_explainer.model import paths
    from nn_explainer.publish.gallery import write_gallery

    page = write_gallery(args.media_dir.resolve() if args.media_dir else paths.MEDIA_DIR)
    print(page)


def command_widget(args) -> None:
    from nn_explainer.publish.widget import iframe_snippet, write_widget

    folder = write_widget(args.export, args.out)
    print(folder)
    print("embed it (copy the folder beside the post):")
    print(f"  {iframe_snippet(folder)}")


def command_slides(args) -> None:
    from nn_explainer.model import paths
    from nn_explainer.publish.slides import check_chapter, write_slides

    check_chapter(args.chapter)  # before --voice auto's note, or any work
    deck = write_slides(args.chapter, args.quality, args.out, export=args.export, digit=args.digit,
                        voice=_voice(args), media_dir=args.media_dir or paths.MEDIA_DIR, jobs=args.jobs,
                        who=_who(args))
    print(deck)
    print(f"open {deck / 'index.html'} in a browser (no network needed): → or space moves to the next slide")


def command_mnist(args) -> None:
    from nn_explainer.model.mnist_for_torchvision import lay_out

    root = lay_out(args.root)
    print(root)
    print(f"torchvision.datasets.MNIST({str(root)!r}, train=True, download=False) reads it (60,000 training, "
          "10,000 test digits)")


COMMANDS = {"mnist": command_mnist, "gallery": command_gallery, "widget": command_widget, "slides": command_slides, "train": command_train, "export": command_export, "render": command_render,
            "list": command_list, "video": command_video, "all": command_all, "script": command_script,
            "restore": command_restore, "import": command_import}


def main(argv=None) -> int:
    """Run one command. Every expected failure ends here as one line on stderr:
    bad input, an out-of-limit size, a file we cannot read or write, a missing tool,
    memory or nesting exhausted by the input -> exit 2; SIGTERM -> exit 2 too, after the
    same clean-up as Ctrl-C, which keeps the shell's 130. Anything else is a bug and
    keeps its traceback."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "address", None) and args.engine != "ray":
            parser.error("--address goes with --engine ray")
    except SystemExit as stop:  # argparse: --help (0) or a usage error, already one line
        return stop.code if isinstance(stop.code, int) else EXIT_USER_ERROR
    except ModuleNotFoundError as err:
        return _missing_dependency(err)
    from nn_explainer.model.errors import Terminated, UserError, disk_full, disk_full_message

    with sigterm_raises(Terminated):
        try:
            _use_workdir(args)
            check_given_paths(args)
            COMMANDS[args.command](args)
            sys.stdout.flush()  # a closed pipe shows here, where it is handled, not at exit
        except BrokenPipeError:
            return _reader_gone()
        except ModuleNotFoundError as err:
            return _missing_dependency(err)
        except UserError as err:
            return _fail(str(err))
        except Terminated:
            return _fail("terminated (SIGTERM); files already written are complete, nothing was half-written")
        except KeyboardInterrupt:
            print(f"{_program()}: interrupted; files already written are complete, nothing was half-written",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
        except MemoryError:
            return _fail("out of memory: the input is too large for this machine")
        except RecursionError:
            return _fail("the input is nested too deeply to read")
        except OSError as err:  # a path the user gave that cannot be read or written, a full disk, a missing tool
            where = f"{err.filename}: " if err.filename else ""
            return _fail(f"{where}{err.strerror or err}")
        except Exception as err:  # a full disk wrapped by a library (manim's video writer): one line too
            if disk_full(err):
                return _fail(disk_full_message(f"{_program()} {args.command}"))
            raise  # anything else is a bug: its traceback
    return 0


PROJECT_PACKAGE = "nn_explainer"
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE   # what a shell reports for a tool ended by SIGPIPE


def _reader_gone() -> int:
    """Our output's reader went away (`render.py list | head -1`): end quietly, as other
    tools do. Whatever is still buffered goes nowhere, not into a second error at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


def _missing_dependency(err: ModuleNotFoundError) -> int:
    """A library missing from this Python (the system python3 rather than the project's
    venv): one line saying which Python to use. A project module missing is a bug."""
    if (err.name or "").split(".")[0] == PROJECT_PACKAGE:
        raise err
    try:
        from nn_explainer.model.paths import is_clone
    except ModuleNotFoundError:  # what is missing is needed to say more
        is_clone = lambda: True  # noqa: E731
    if not is_clone():
        return _fail(f"{err.name} is not installed for this Python ({sys.executable}): pip install "
                     "nn-explainer installs it with the tool")
    return _fail(f"{err.name} is not installed for this Python ({sys.executable}): run ./video.sh once (it sets up "
                 f".venv), then use .venv/bin/python render.py")


# Every path a user can give, by command: what it is for (model/paths.check_given_path).
GIVEN_PATHS = {
    "train": {"checkpoint": "WRITE_FILE", "export": "WRITE_FILE", "data": "FOLDER"},
    "export": {"checkpoint": "READ_FILE", "export": "WRITE_FILE", "digit": "READ_FILE", "data": "FOLDER"},
    "import": {"model": "READ_FILE", "export": "WRITE_FILE", "data": "FOLDER"},
    "render": {"export": "READ_FILE", "media_dir": "FOLDER"},
    "all": {"export": "READ_FILE", "media_dir": "FOLDER"},
    "gallery": {"media_dir": "FOLDER"},
    "widget": {"export": "READ_FILE", "out": "FOLDER"},
    "slides": {"export": "READ_FILE", "out": "FOLDER", "media_dir": "FOLDER"},
}


def check_given_paths(args) -> None:
    """Each path the command was given, refused in one line before any work if it is a
    link loop, a dangling link, a device, or a folder for a file (or the reverse)."""
    from nn_explainer.model import paths

    for name, wanted in GIVEN_PATHS.get(args.command, {}).items():
        value = getattr(args, name, None)
        if value is None or (name == "data" and str(value) == "torchvision"):
            continue
        paths.check_given_path(Path(value), "--" + name.replace("_", "-"), getattr(paths, wanted))


def _program() -> str:
    """render.py from a clone, nn-explainer as the console script (model/invocation.py)."""
    try:
        from nn_explainer.model.invocation import program
    except ModuleNotFoundError:  # a dependency missing: saying so matters more than the name
        return "nn-explainer"
    return program()


def _command(words: str) -> str:
    from nn_explainer.model.invocation import command

    return command(words)


def _use_workdir(args) -> None:
    """--workdir (or none: the layout's own) before any command reads a path."""
    from nn_explainer.model import paths

    if args.workdir is not None:
        paths.check_given_path(args.workdir, "--workdir", paths.FOLDER)
    paths.use_workdir(args.workdir)


def _shown(path: Path) -> str:
    """A path as `list` shows it: relative to the clone or the current folder when inside it."""
    from nn_explainer.model import paths

    try:
        return str(Path(path).absolute().relative_to(paths.REPO_ROOT if paths.LAYOUT.clone else Path.cwd()))
    except ValueError:
        return str(path)   # the committed network, inside the installed package


def _fail(message: str) -> int:
    message = " ".join(message.split())  # one line, whatever the cause said
    print(f"{_program()}: error: {message}", file=sys.stderr)
    return EXIT_USER_ERROR


@contextmanager
def sigterm_raises(exception):
    """While a command runs, SIGTERM raises `exception` (a KeyboardInterrupt), so a
    terminated run unwinds through the same clean-up as Ctrl-C. Only the main thread can
    set a handler; elsewhere (a test's worker thread) the default stays."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_it(number, frame):
        raise exception()

    previous = signal.signal(signal.SIGTERM, raise_it)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
