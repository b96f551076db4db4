"""`--engine ray`: every stale clip one Ray task, on a local instance or a cluster.

The driver (this process) ships with each task what a worker cannot be assumed to have:
the project's code (Ray's runtime_env `working_dir`, without media, the venv, the
networks and git; with MNIST's test digits, which the export reader needs) and the
bytes of the export files the scene draws. The worker writes those bytes to a private
folder, recomputes the clip's inputs key from them and refuses if it
differs from the driver's: the key proves that the worker drew the same export with the
same code. It then runs `clips.produce` and returns the finished files' bytes; the
driver writes them into a work folder beside the clip and runs `clips.publish`, the
same atomic, sidecar-last writes as a local render, under the lock the caller holds.
So the clips, sidecars and manifest are the local engine's, and nothing depends on a
shared file system.

Failures: a worker that dies (killed, out of memory, its node lost) is a system failure
and Ray runs the task again (MAX_RETRIES); an exception in the scene is the clip's own:
reported once with the clip's name, not retried, while the other clips go on.

Ray is an optional extra (`pip install -e .[cluster]`), imported only here and only
when asked for. Its transport pickles task arguments and results: a cluster is trusted
like the machine it runs on (see docs/scaling.md).
"""
from __future__ import annotations

import os
import re
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path

from nn_explainer.model import invocation, limits, paths, strict_json, test_seam
from nn_explainer.model.errors import UserError, full_disk_is_a_user_error

from nn_explainer.scenes.outline import scene_info

from .clips import Clip, Produced, produce, publish, relative, work_folder
from .requests import RenderRequest

MAX_RETRIES = 3  # a dead worker's task runs again up to this many times; a scene error never does
# What workers do not need: the exports travel as bytes with each task, clips come back.
# The export reader re-proves the neuron evidence against MNIST's test digits, so those
# travel (1.6 MB); the networks travel as the task's export bytes, the training digits not at all.
EXCLUDES = ["media/", ".venv", ".git", ".cache/", "assets/checkpoints/", "assets/export/", "assets/mnist/train-*",
            "tests/", "benchmarks/", "docs/", "**/__pycache__", ".pytest_cache", "*.egg-info"]
_NUMBERS = [f.name for f in fields(Produced) if f.name not in ("clip", "poster", "subtitles", "sections")]


@dataclass
class Outcome:
    """What became of one clip: its record, or one line saying why it failed."""

    request: RenderRequest
    clip: Clip | None = None
    error: str | None = None
    traceback: str | None = None  # the worker's, for an error that is a bug (not a UserError)
    seconds: float = 0.0       # from submitting the task to the clip published


def import_ray():
    try:
        import ray
    except ImportError:
        raise UserError(f"--engine ray needs the cluster extra: {invocation.install_extra('cluster')}") from None
    return ray


def render(requests: list[RenderRequest], keys: list[str], jobs: int | None = None, address: str | None = None,
           out=sys.stdout) -> list[Outcome]:
    """Render `requests` (checked, with their inputs keys) as Ray tasks and publish each
    clip as it comes back; returns one Outcome per request, in the order they finished.
    Without `address`, a local Ray instance with `jobs` CPUs (default: all) for this run."""
    from tqdm import tqdm

    ray = import_ray()
    started_here = connect(ray, jobs, address, requests[0].media_dir)
    pending = {}
    try:
        task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=False)(produce_on_worker)
        shipped: dict[Path, object] = {}

        def ship(path: Path):
            """One object in Ray's store per export file, however many clips draw it."""
            path = Path(path).resolve()
            if path not in shipped:
                shipped[path] = ray.put(strict_json.read_capped(path, limits.MAX_EXPORT_BYTES, "export file"))
            return shipped[path]

        for request, key in zip(requests, keys):
            settings = request.settings()
            relu = ship(settings.relu_export) if "relu" in scene_info(request.scene).reads else None
            ref = task.options(name=f"render {request.stem()}").remote(request, key, ship(settings.export), relu)
            pending[ref] = (request, time.perf_counter())
        outcomes = []
        # One bar over all clips; on a terminal only (a log gets the lines below).
        with tqdm(total=len(requests), unit="clip", desc="Ray", file=sys.stderr, disable=None) as bar:
            while pending:
                [ref], _ = ray.wait(list(pending), num_returns=1)
                request, submitted = pending.pop(ref)
                outcome = collect(ray, ref, request)
                outcome.seconds = time.perf_counter() - submitted
                outcomes.append(outcome)
                done = f"[{len(outcomes)}/{len(requests)}] {request.stem():<20}"
                if outcome.clip is not None:
                    line = f"  {done} {outcome.clip.seconds_to_render:6.1f} s  {outcome.clip.path}"
                else:
                    line = f"  {done} FAILED: {outcome.error}"
                    if outcome.traceback:
                        line += "\n" + "\n".join(f"      {text}" for text in outcome.traceback.splitlines())
                bar.write(line, file=out)
                bar.update()
        return outcomes
    finally:
        for ref in pending:  # interrupted: a cluster outlives this run, so stop what it still does
            ray.cancel(ref, force=True)
        if started_here:
            ray.shutdown()


def connect(ray, jobs: int | None, address: str | None, media_dir: Path) -> bool:
    """Start a local Ray instance (no `address`) or join the cluster at `address`; the
    project's code goes to the workers as the job's working_dir. Returns whether this
    run started Ray (and so must shut it down)."""
    if ray.is_initialized():  # a caller (a test, a notebook) already chose the cluster
        return False
    excludes = list(EXCLUDES)
    media = relative(media_dir)
    if not Path(media).is_absolute():  # a --media-dir inside the checkout stays home too
        excludes.append(f"{media}/")
    options = {"runtime_env": {"working_dir": str(paths.REPO_ROOT), "excludes": excludes},
               "log_to_driver": False, "logging_level": "ERROR"}
    try:
        if address:
            check_reachable(address)
            use_token_if_any()
            ray.init(address=address, **options)
        else:
            # "local": a new instance for this run, never a cluster found on this machine
            # (RAY_ADDRESS, or the last `ray start`), which num_cpus could not size.
            ray.init(address="local", num_cpus=jobs or os.cpu_count() or 1, include_dashboard=False, **options)
    except ConnectionError as err:
        raise UserError(f"--address {address}: could not join the Ray cluster there ({err}); if it uses "
                        "token authentication (Ray's default), give this machine its token "
                        "(~/.ray/auth_token or RAY_AUTH_TOKEN): see docs/scaling.md") from None
    return True


def use_token_if_any() -> None:
    """Joining a cluster with a token at hand: send it. Ray 2.60 clusters ask for one by
    default, but a driver joining an address sends it only with RAY_AUTH_MODE=token
    (without, ray.init retries for half a minute, then fails); a cluster without
    authentication accepts a token too. Ray's own switch is this variable, which it
    also sets itself for a local instance; one set by the user is left as it is."""
    if "RAY_AUTH_MODE" in os.environ:
        return
    if os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH") \
            or (Path.home() / ".ray" / "auth_token").is_file():
        os.environ["RAY_AUTH_MODE"] = "token"
        from ray._raylet import Config

        Config.initialize("")  # Ray read its config at import: read it again, as Ray does when it sets this


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Refuse an address nothing listens at, at once: ray.init would retry for minutes,
    logging to stderr. `auto` (the cluster this machine belongs to) is Ray's to find."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise UserError(f"--address {address}: expected HOST:PORT (what `ray start --head` prints), or auto")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as err:
        raise UserError(f"--address {address}: no Ray cluster answers there ({err.strerror or err})") from None


def collect(ray, ref, request: RenderRequest) -> Outcome:
    """The finished files of one task, published; or why there are none."""
    try:
        payload = ray.get(ref)
    except ray.exceptions.RayTaskError as err:  # the scene (or the key check) failed: not retried
        cause = getattr(err, "cause", None) or err
        if isinstance(cause, UserError):
            return Outcome(request, error=" ".join(str(cause).split()))
        # A bug in the scene keeps its traceback, as it would in a local render.
        return Outcome(request, error=" ".join(f"{type(cause).__name__}: {cause}".split()),
                       traceback=re.sub(r"\x1b\[[0-9;]*m", "", str(err)))  # Ray colours it: a log wants text
    except ray.exceptions.RayError as err:  # the worker kept dying: retried MAX_RETRIES times
        return Outcome(request, error=f"its worker died {MAX_RETRIES + 1} times ({type(err).__name__})")
    with work_folder(request) as work:
        return Outcome(request, clip=publish(request, unpack(payload, work)))


def produce_on_worker(request: RenderRequest, key: str, export: bytes, relu: bytes | None) -> dict:
    """On a Ray worker: draw `request` from these exports' bytes; return the finished files."""
    from .keys import inputs_key

    test_seam.reached(f"ray:task:{request.scene}")  # tests count the attempts
    with tempfile.TemporaryDirectory(prefix="nn-explainer-task-") as folder:
        folder = Path(folder)
        drawn_from = (folder / "export.json", folder / "relu-export.json")
        drawn_from[0].write_bytes(export)
        if relu is not None:
            drawn_from[1].write_bytes(relu)
        # The driver's media folder is not here: the worker writes only into `folder`.
        here = replace(request, media_dir=folder / "media", drawn_from=drawn_from)
        here.check()
        if inputs_key(here) != key:
            raise UserError(f"{request.stem()}: the worker's inputs key differs from the driver's "
                            "(another export or other code reached it); refused")
        work = folder / "work"
        work.mkdir()
        with full_disk_is_a_user_error(f"{request.stem()} on the Ray worker"):
            produced = produce(here, work, key)
        test_seam.pause(f"ray:produced:{request.scene}")  # where tests kill the worker
        return pack(produced)


def pack(produced: Produced) -> dict:
    """The finished files as bytes (they cross the network), with their record fields."""
    return {"clip": produced.clip.read_bytes(),
            "poster": produced.poster.read_bytes() if produced.poster else None,
            "subtitles": produced.subtitles.read_bytes() if produced.subtitles else None,
            "sections": [(section.name, section.read_bytes()) for section in produced.sections],
            **{name: getattr(produced, name) for name in _NUMBERS}}


def unpack(payload: dict, work: Path) -> Produced:
    """`pack`'s files written into `work` on the driver, ready for `publish`."""
    def write(name: str, data: bytes | None) -> Path | None:
        if data is None:
            return None
        path = work / name
        path.write_bytes(data)
        return path

    (work / "sections").mkdir()
    sections = []
    for name, data in payload["sections"]:
        if Path(name).name != name or name.startswith("."):  # a name only, as produce makes them
            raise UserError(f"a worker returned a section named {name!r}; refused")
        sections.append(write(f"sections/{name}", data))
    return Produced(clip=write("clip", payload["clip"]), poster=write("poster.png", payload["poster"]),
                    subtitles=write("subtitles.srt", payload["subtitles"]), sections=sections,
                    **{name: payload[name] for name in _NUMBERS})


def summarise(outcomes: list[Outcome], up_to_date: int, started: float, out=sys.stdout) -> None:
    """The run's last line; a failed clip makes the run fail (finished ones are kept)."""
    failed = [outcome for outcome in outcomes if outcome.error is not None]
    print(f"rendered {len(outcomes) - len(failed)}, up to date {up_to_date}, failed {len(failed)} "
          f"({time.perf_counter() - started:.1f} s)", file=out, flush=True)
    if failed:
        names = ", ".join(outcome.request.stem() for outcome in failed)
        raise UserError(f"{len(failed)} clip(s) failed on Ray: {names} (why: above); the others are published")
