"""`render.py all`: bring every clip up to date, rendering only what changed.

1. Train only when asked (`--retrain`) or when the training options differ from what
   the checkpoint was trained with; then rebuild the exports from the checkpoints.
2. For each scene, compute the key of its inputs (dependencies.py); a clip whose
   sidecar holds the same key, and whose file is intact, is up to date.
3. Render the rest in worker processes, as many as there are cores (manim is
   single-threaded per scene), printing a line as each starts and ends, or as Ray tasks
   (`--engine ray`, ray_engine.py); the Chapter is not rendered but joined from its
   beats' clips afterwards (assemble.py).
4. Rebuild the manifest from the sidecars.
The media folder's lock (media.py) keeps two runs from writing the same clips at once.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from multiprocessing import active_children, get_context
from pathlib import Path

from nn_explainer.model import paths
from nn_explainer.model.errors import full_disk_is_a_user_error

from nn_explainer.scenes.outline import SCENES, drawable, is_chapter
from .assemble import beat_requests, join_chapter
from .clips import Clip, render_clip, sidecar_path
from .keys import inputs_key
from .manifest import intact_record, write_manifest
from .media import sweep
from .requests import CLIPS_DIR, RenderRequest


def up_to_date(request: RenderRequest, key: str) -> bool:
    record = intact_record(sidecar_path(request.clip_path()))
    return record is not None and record.get("inputs_key") == key


def is_current(request: RenderRequest) -> bool:
    """Whether the request's clip is on disk, intact, made from the same inputs (the key
    `all` uses: keys.py)."""
    return up_to_date(request, inputs_key(request))


def bring_up_to_date(request: RenderRequest, force: bool = False) -> dict:
    """The clip's record: the one on disk when it is up to date, else a new render's
    (`render.py render`, the Python API). The caller holds the media folder's lock."""
    if not force and is_current(request):
        return intact_record(sidecar_path(request.clip_path()))
    return vars(render_one(request))


def _render(request: RenderRequest, key: str):
    """In a worker process: one clip, timed."""
    started = time.perf_counter()
    with full_disk_is_a_user_error(request.scene):
        clip = render_clip(request, key)
    return request.scene, clip.path, time.perf_counter() - started


def render_all(template: RenderRequest, scenes: list[str] | None = None, jobs: int | None = None,
               out=sys.stdout, engine: str = "local", address: str | None = None) -> dict:
    """Render every scene of `scenes` (default: all) whose inputs changed. The caller
    holds the lock (`exclusive`) for the whole run, training included. `engine`: "local"
    (this machine's process pool) or "ray" (ray_engine.py; `address`: a cluster's)."""
    started = time.perf_counter()
    media_dir = Path(template.media_dir)
    sweep(media_dir, CLIPS_DIR)  # only what killed runs left: a live render's work folder stays
    # Every scene that can draw the network (not our training run's beats for an imported one).
    scenes = scenes or list(drawable(tuple(SCENES), template.drawn()))
    requests = [replace(template, scene=name) for name in scenes]
    for request in requests:
        request.check(drawable=False)  # the beats' checks only for what is stale (render_set)
    return render_requests(requests, jobs, out, engine, address, started)


def render_requests(requests: list[RenderRequest], jobs: int | None = None, out=sys.stdout,
                    engine: str = "local", address: str | None = None, started: float | None = None) -> dict:
    """The stale beats among `requests` on the engine, then each stale Chapter joined from
    its beats' clips (assemble.py); then the manifest, rebuilt."""
    started = started if started is not None else time.perf_counter()
    chapters = [request for request in requests if is_chapter(request.scene)]
    beats = [request for request in requests if request not in chapters]
    for chapter in chapters:  # a Chapter needs its beats' clips, asked for or not
        beats += [beat for beat in beat_requests(chapter) if beat not in beats]
    try:
        result = render_set(beats, jobs, out, engine, address)
        for chapter in chapters:
            key = inputs_key(chapter)
            if up_to_date(chapter, key):
                continue
            chapter_started = time.perf_counter()
            clip = join_chapter(chapter, key)  # its beats are among those just brought up to date
            result["rendered"].append(chapter.scene)
            result["render_seconds"][chapter.scene] = took = time.perf_counter() - chapter_started
            print(f"  joined {chapter.scene} from {len(beat_requests(chapter))} beat clips in {took:.1f} s  "
                  f"{clip.path}", file=out, flush=True)
    finally:
        write_manifest(Path(requests[0].media_dir))  # whatever happened, it lists exactly what is on disk
    wall = time.perf_counter() - started
    if not result["rendered"]:
        print(f"nothing changed: all {len(requests)} clips are up to date ({wall:.1f} s)", file=out)
    else:
        print(f"made {len(result['rendered'])} clips in {wall:.1f} s (their render times add up to "
              f"{sum(result['render_seconds'].values()):.1f} s)", file=out)
    return {**result, "seconds": wall}


def render_one(request: RenderRequest, out=sys.stderr) -> Clip:
    """One clip of `render.py render`: a beat rendered (clips.py), or a Chapter joined
    from its beats' clips, the stale ones rendered first in parallel (assemble.py). This
    is the one place that tells the two apart, so imports run one way: batch -> assemble
    -> clips."""
    if not is_chapter(request.scene):
        return render_clip(request)
    request.check()
    render_set(beat_requests(request), out=out)  # raises if a beat fails: nothing is joined
    return join_chapter(request)


def render_set(requests: list[RenderRequest], jobs: int | None = None, out=sys.stdout,
               engine: str = "local", address: str | None = None) -> dict:
    """Render the stale clips among `requests` (beats, not a Chapter): in worker
    processes, as many as there are cores (manim draws on one), printing a line as each
    ends; or one Ray task each (`engine="ray"`), which ends the run with an error if any
    failed, the finished ones published."""
    keys = {request: inputs_key(request) for request in requests}
    stale = [request for request in requests if not up_to_date(request, keys[request])]
    rendered, seconds = [], {}
    if not stale:
        return {"rendered": rendered, "render_seconds": seconds, "failed": []}
    for request in stale:
        request.check()  # every beat can draw this network: refused now, not minutes in
    if engine == "ray":
        return _render_on_ray(stale, keys, len(requests), jobs, address, out)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(stale)))
    print(f"rendering {len(stale)} of {len(requests)} clips with {jobs} worker(s); "
          f"{len(requests) - len(stale)} up to date", file=out, flush=True)
    with worker_pool(jobs) as pool:
        futures = {pool.submit(_render, request, keys[request]): request for request in stale}
        order = [request.scene for request in stale]  # the pool starts them in this order

        def now_rendering() -> str:
            running = [scene for scene in order if scene not in rendered][:jobs]
            return f"  rendering: {', '.join(running)}" if running else ""

        print(now_rendering(), file=out, flush=True)
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                scene, path, took = future.result()
                rendered.append(scene)
                seconds[scene] = took
                print(f"  [{done}/{len(stale)}] {scene:<20} {took:6.1f} s  {path}", file=out, flush=True)
                if done < len(stale):
                    print(now_rendering(), file=out, flush=True)
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (render.py raises Terminated, a KeyboardInterrupt)
            for worker in active_children():  # stop now, not after the renders in flight
                worker.kill()                 # (their work folders are swept by the next run)
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # one failed: start no more
            raise
    return {"rendered": rendered, "render_seconds": seconds, "failed": []}


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def worker_pool(jobs: int) -> ProcessPoolExecutor:
    """Render workers: fresh interpreters (manim's config is global) that read and write
    where this process does (its layout: --workdir, model/paths.py) and end with it."""
    return ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=start_worker,
                               initargs=(os.getpid(), paths.LAYOUT))


def start_worker(parent: int, layout) -> None:
    paths.use(layout)   # a spawned worker decides no layout of its own: the export drawn is the one keyed
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """A render worker's first act: end when `parent` (render.py) ends, however it ends.
    A SIGKILLed parent runs no clean-up, and a worker left behind would hold its glyph
    cache slot (glyph_cache.py) and hundreds of MB for as long as its render takes, or
    forever if it waits on a pipe. On Linux the kernel sends the worker SIGKILL when the
    parent dies (prctl PR_SET_PDEATHSIG); elsewhere a thread watches the parent's pid."""
    try:
        told_kernel = ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        told_kernel = False
    if not told_kernel:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os.kill(os.getpid(), signal.SIGKILL)

        threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
    if os.getppid() != parent:  # it died before the line above took effect
        os.kill(os.getpid(), signal.SIGKILL)


def _render_on_ray(stale, keys, total, jobs, address, out) -> dict:
    from . import ray_engine

    started = time.perf_counter()
    where = f"the Ray cluster at {address}" if address else "a local Ray instance"
    print(f"rendering {len(stale)} of {total} clips on {where}; {total - len(stale)} up to date",
          file=out, flush=True)
    outcomes = ray_engine.render(stale, [keys[request] for request in stale], jobs, address, out)
    ray_engine.summarise(outcomes, total - len(stale), started, out)  # raises if any failed
    return {"rendered": [o.request.scene for o in outcomes], "failed": [],
            "render_seconds": {o.request.scene: o.clip.seconds_to_render for o in outcomes}}
