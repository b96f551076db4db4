"""`--engine ray` (publish/ray_engine.py) on a local Ray instance of 2 CPUs: the same
clips, sidecars, manifest and gallery as the local engine; nothing re-rendered when nothing
changed; a killed worker's clip made anyway; a scene error reported once, by name.

A few cheap beats at the lowest quality, from the committed export. Skipped (with the
reason in pytest's summary) only where the cluster extra is not installed; CI installs it.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, assert_clean_failure, run_cli
from nn_explainer.model import paths

needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                               reason="ray is not installed: pip install -e .[cluster] (CI installs it)")

SCENES = ["NeuronHoldsANumber", "NetworkIsAFunction"]  # two of the cheapest beats
# What differs from one render of a clip to the next, whichever the engine: the wall-clock
# time it was made and the seconds it took. Everything else must be the same, byte for byte.
PER_RUN_FIELDS = ("made", "seconds_to_render")


def all_command(media: Path, *flags, scenes=SCENES):
    return ["all", "--export", paths.DEFAULT_EXPORT, "--scenes", *scenes, "--media-dir", media, "--jobs", "2", *flags]


def sidecars_without_per_run_fields(media: Path) -> dict[str, str]:
    """Each sidecar's text, byte for byte, less the lines of PER_RUN_FIELDS."""
    texts = {}
    for sidecar in sorted((media / "clips/low").glob("*.json")):
        lines = sidecar.read_text().splitlines(keepends=True)
        kept = [line for line in lines if not any(line.lstrip().startswith(f'"{name}"') for name in PER_RUN_FIELDS)]
        assert len(lines) - len(kept) == len(PER_RUN_FIELDS), sidecar
        texts[sidecar.name] = "".join(kept)
    return texts


def manifest_without_per_run_fields(media: Path) -> list[dict]:
    clips = json.loads((media / "manifest.json").read_text())["clips"]
    return [{key: value for key, value in clip.items() if key not in PER_RUN_FIELDS} for clip in clips]


def gallery(media: Path) -> str:
    result = run_cli("gallery", "--media-dir", media)
    assert result.returncode == 0, result.stderr
    return (media / "gallery.html").read_text()


@needs_ray
def test_ray_publishes_what_the_local_engine_does_and_then_nothing(tmp_path):
    media = tmp_path / "media"
    local = run_cli(*all_command(media))
    assert local.returncode == 0, local.stderr
    local_sidecars, local_manifest = sidecars_without_per_run_fields(media), manifest_without_per_run_fields(media)
    local_gallery = gallery(media)
    assert sorted(local_sidecars) == sorted(f"{scene}.mp4.json" for scene in SCENES)
    shutil.rmtree(media)  # the same folder again, so the paths in the records are the same

    on_ray = run_cli(*all_command(media, "--engine", "ray"))
    assert on_ray.returncode == 0, on_ray.stderr
    assert "Traceback" not in on_ray.stderr
    assert "on a local Ray instance" in on_ray.stdout
    assert "rendered 2, up to date 0, failed 0" in on_ray.stdout
    # The sidecars hold the clip's and poster's sha256: equal sidecars, byte-identical files.
    assert sidecars_without_per_run_fields(media) == local_sidecars
    assert manifest_without_per_run_fields(media) == local_manifest
    assert len(local_manifest) == len(SCENES)
    assert gallery(media) == local_gallery  # the page the reader sees: byte for byte

    sidecar_times = {p: p.stat().st_mtime_ns for p in (media / "clips/low").iterdir()}
    again = run_cli(*all_command(media, "--engine", "ray"))
    assert again.returncode == 0, again.stderr
    assert "nothing changed: all 2 clips are up to date" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in (media / "clips/low").iterdir()} == sidecar_times


def wait_for(marker: Path, process: subprocess.Popen, timeout: float = 180) -> int:
    deadline = time.monotonic() + timeout
    while not (marker.exists() and marker.read_text()):
        if process.poll() is not None:
            raise AssertionError(f"the run ended before the pause point: {process.communicate()}")
        assert time.monotonic() < deadline, "no worker reached the pause point"
        time.sleep(0.05)
    return int(marker.read_text())


@needs_ray
def test_a_worker_killed_mid_task_is_retried_and_the_run_succeeds(tmp_path):
    """The worker is stopped after rendering, before returning its files (the test seam,
    model/test_seam.py), and killed there; Ray runs the task again in a new worker."""
    media, marker = tmp_path / "media", tmp_path / "worker.pid"
    scene = SCENES[0]
    attempts = tmp_path / "attempts.log"
    env = dict(os.environ, NN_EXPLAINER_TEST_PAUSE=f"ray:produced:{scene}={marker}",
               NN_EXPLAINER_TEST_LOG=str(attempts))
    process = subprocess.Popen([sys.executable, str(REPO / "render.py"),
                                *map(str, all_command(media, "--engine", "ray", scenes=[scene]))],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = wait_for(marker, process)
        marker.unlink()
        os.kill(first, signal.SIGKILL)
        second = wait_for(marker, process)  # the task again, in another worker process
        assert second != first
        Path(f"{marker}.go").touch()
        stdout, stderr = process.communicate(timeout=180)
    finally:
        if process.poll() is None:
            process.terminate()  # SIGTERM: the run shuts its Ray instance down
            process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "rendered 1, up to date 0, failed 0" in stdout
    assert [line.split() for line in attempts.read_text().splitlines()] == [
        [f"ray:task:{scene}", str(first)], [f"ray:task:{scene}", str(second)]]  # killed once, run twice
    from nn_explainer.publish.manifest import read_manifest

    assert [clip["scene"] for clip in read_manifest(media)] == [scene]


@needs_ray
def test_a_failing_clip_is_reported_once_by_name_and_the_others_are_kept(tmp_path, monkeypatch):
    """A task that raises (here: the worker's inputs key is not the driver's, as when
    another export reached it) fails its clip alone: not retried, the run goes on."""
    import ray

    from nn_explainer.model.errors import UserError
    from nn_explainer.publish import ray_engine
    from nn_explainer.publish.keys import inputs_key
    from nn_explainer.publish.manifest import read_manifest
    from nn_explainer.publish.requests import RenderRequest

    good, bad = (RenderRequest(scene, export=paths.DEFAULT_EXPORT, media_dir=tmp_path) for scene in SCENES)
    attempts = tmp_path / "attempts.log"
    monkeypatch.setenv("NN_EXPLAINER_TEST_LOG", str(attempts))  # before Ray starts: its workers inherit it
    ray_engine.connect(ray, 2, None, tmp_path)
    try:
        out = tmp_path / "out.txt"
        with open(out, "w") as handle:
            outcomes = ray_engine.render([good, bad], [inputs_key(good), "0" * 64], out=handle)
    finally:
        ray.shutdown()
    by_scene = {outcome.request.scene: outcome for outcome in outcomes}
    assert by_scene[good.scene].clip is not None and by_scene[good.scene].error is None
    assert by_scene[bad.scene].clip is None
    assert "inputs key differs" in by_scene[bad.scene].error and bad.stem() in by_scene[bad.scene].error
    lines = out.read_text().splitlines()
    assert len([line for line in lines if "FAILED" in line]) == 1  # reported once
    ran = [line.split()[0] for line in attempts.read_text().splitlines()]
    assert sorted(ran) == sorted(f"ray:task:{scene}" for scene in SCENES)  # each ran once: no retry
    assert [clip["scene"] for clip in read_manifest(tmp_path)] == [good.scene]  # the finished one is kept
    with pytest.raises(UserError, match=f"1 clip.*failed.*{bad.stem()}"):
        ray_engine.summarise(outcomes, 0, time.perf_counter(), out=open(os.devnull, "w"))


def test_without_ray_the_engine_is_refused_in_one_line(tmp_path):
    """Where the cluster extra is missing (here: an import of ray that fails), one line."""
    shadow = tmp_path / "shadow" / "ray"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named ray')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(shadow.parent), str(REPO)]))
    for command in (all_command(tmp_path / "media", "--engine", "ray"),
                    ["render", *SCENES, "--engine", "ray", "--media-dir", tmp_path / "media"]):
        result = subprocess.run([sys.executable, str(REPO / "render.py"), *map(str, command)],
                                env=env, capture_output=True, text=True, timeout=120)
        line = assert_clean_failure(result)
        assert line.endswith("--engine ray needs the cluster extra: pip install -e .[cluster]")
        assert not (tmp_path / "media" / "clips").exists()


@needs_ray
def test_an_address_where_no_cluster_listens_is_refused_at_once(tmp_path):
    import socket

    with socket.socket() as unused:  # a port nothing listens at: bound, never listening
        unused.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{unused.getsockname()[1]}"
        started = time.monotonic()
        line = assert_clean_failure(run_cli(*all_command(tmp_path / "media", "--engine", "ray", "--address", address)))
    assert f"--address {address}: no Ray cluster answers there" in line
    assert time.monotonic() - started < 30  # not Ray's minutes of retries
    assert not (tmp_path / "media" / "clips").exists()


def test_address_without_the_ray_engine_is_a_usage_error():
    line = assert_clean_failure(run_cli("all", "--address", "127.0.0.1:6379"))
    assert "--address goes with --engine ray" in line
