"""Killed runs: whatever instant a SIGTERM or SIGKILL lands, the published files are one
run's, whole, and the next run sweeps up what the killed one left.

The runs are stopped at named points through the test seam in model/test_seam.py
(NN_EXPLAINER_TEST_PAUSE=POINT=MARKER): the run writes MARKER when it gets there and
waits; the test then signals it. Training is tiny (1 epoch, one hidden layer of 8).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from nn_explainer.model import paths
from nn_explainer.model.checkpoint import load_checkpoint
from nn_explainer.model.schema import read_export

TRAIN = ["train", "--epochs", "1", "--hidden", "8", "--quiet"]


def start(args, pause: str | None = None, marker: Path | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    if pause:
        env["NN_EXPLAINER_TEST_PAUSE"] = f"{pause}={marker}"
    return subprocess.Popen([sys.executable, str(REPO / "render.py"), *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(marker: Path, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before the pause point: {process.communicate()}")
        assert time.monotonic() < deadline, "the run never reached its pause point"
        time.sleep(0.05)


def published_seed(folder: Path) -> int:
    """The seed of the one run whose set is published; fails if the files disagree."""
    checkpoint, export = folder / "c.safetensors", folder / "e.json"
    metrics, curve = paths.training_outputs(checkpoint)
    _, training, _ = load_checkpoint(checkpoint)
    seeds = {training["seed"], read_export(export).training["seed"],
             json.loads(metrics.read_text())["training"]["seed"]}
    assert len(seeds) == 1, f"a torn set: seeds {seeds}"
    assert curve.stat().st_size > 0
    assert read_export(export).training["dataset_sha256"] == training["dataset_sha256"]
    return seeds.pop()


@pytest.fixture(scope="module")
def trained_once(tmp_path_factory):
    """A published set from seed 1, trained once for the module (in-process: a fresh
    interpreter costs seconds)."""
    from nn_explainer.model.pipeline import run_training
    from nn_explainer.model.train import TrainConfig

    folder = tmp_path_factory.mktemp("seed-1")
    run_training(TrainConfig(hidden=(8,), epochs=1, seed=1), folder / "c.safetensors", folder / "e.json",
                 progress=False)
    return folder


@pytest.fixture
def trained(trained_once, tmp_path):
    """A copy of that set for one test, its links as they are (relative: the copy is a set
    of its own, as test_a_set_copied_without_its_links_is_published_to also checks)."""
    folder = tmp_path / "set"
    shutil.copytree(trained_once, folder, symlinks=True)
    assert published_seed(folder) == 1
    return folder


KILLS = {  # pause point, signal, the seed published afterwards, whether to check the next run's sweep
    "SIGTERM after training, before publishing": ("training:trained", signal.SIGTERM, 1, False),
    "SIGKILL with the checkpoint written": ("generation:wrote:c.safetensors", signal.SIGKILL, 1, True),
    "SIGKILL with the generation built": ("generation:built", signal.SIGKILL, 1, False),
    "SIGKILL just after the switch": ("generation:switched", signal.SIGKILL, 2, False),
    "SIGTERM while publishing (held until the switch)": ("generation:wrote:c.metrics.json", signal.SIGTERM, 2, False),
}


@pytest.mark.parametrize("case", KILLS)
def test_killed_training_leaves_one_whole_set(case, trained, tmp_path):
    point, number, seed_after, check_sweep = KILLS[case]
    marker = tmp_path / "paused"
    process = start([*TRAIN, "--seed", "2", "--checkpoint", trained / "c.safetensors", "--export", trained / "e.json"],
                    point, marker)
    wait_for(marker, process)
    # Paused: the old set, or (just after the switch) already the new one; never a mix.
    assert published_seed(trained) == (2 if point == "generation:switched" else 1)
    process.send_signal(number)
    if number == signal.SIGTERM:
        (tmp_path / "paused.go").touch()  # a held-back SIGTERM is acted on once the run goes on
    _, stderr = process.communicate(timeout=300)
    if number == signal.SIGTERM:
        assert process.returncode == 2
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and "terminated (SIGTERM)" in lines[0], stderr
    else:
        assert process.returncode == -signal.SIGKILL
    assert published_seed(trained) == seed_after
    if not check_sweep:
        return
    generations = trained / "c.generations"
    assert [p for p in generations.iterdir() if p.name.startswith(".building-")]  # the killed run's leftovers
    from nn_explainer.model.pipeline import run_training
    from nn_explainer.model.train import TrainConfig

    run_training(TrainConfig(hidden=(8,), epochs=1, seed=3), trained / "c.safetensors", trained / "e.json",
                 progress=False)
    assert published_seed(trained) == 3
    assert [p.name for p in generations.iterdir() if p.name not in ("current", ".lock")] == \
        [os.readlink(generations / "current")]
    assert not [p for p in trained.iterdir() if p.name.endswith(".tmp")]


def test_committed_assets_are_a_set_published_through_one_switch():
    """paths.DEFAULT_* are links through `current`: one rename switches them all."""
    for path in (paths.DEFAULT_EXPORT, paths.DEFAULT_CHECKPOINT, paths.RELU_EXPORT):
        assert path.is_symlink() and "generations/current/" in os.readlink(path)
    _, training, _ = load_checkpoint(paths.DEFAULT_CHECKPOINT)
    assert read_export(paths.DEFAULT_EXPORT).training["seed"] == training["seed"]


# --- renders ----------------------------------------------------------------------------

RENDER = ["render", "ParameterCount"]


def intact_sidecars(media: Path) -> list[dict]:
    """Every sidecar present must vouch for the clip and poster beside it."""
    from nn_explainer.publish.manifest import intact_record

    records = []
    for sidecar in sorted((media / "clips").glob("*/*.json")):
        record = intact_record(sidecar)
        assert record is not None, f"{sidecar} does not match its clip or poster"
        records.append(record)
    return records


@pytest.fixture(scope="module")
def other_export(tmp_path_factory):
    """A second network, so that a re-render makes a different clip at the same path: of
    another shape, since ParameterCount draws only the shapes (a clip whose inputs did
    not change is not rendered again)."""
    folder = tmp_path_factory.mktemp("other")
    result = subprocess.run([sys.executable, str(REPO / "render.py"), *TRAIN, "--hidden", "12,16", "--seed", "5",
                             "--checkpoint", folder / "c.safetensors", "--export", folder / "e.json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return folder / "e.json"


RENDER_KILLS = {
    "SIGKILL with the clip written": ("render:clip-written", signal.SIGKILL),
    "SIGKILL before the sidecar": ("render:before-sidecar", signal.SIGKILL),
    "SIGTERM before the sidecar": ("render:before-sidecar", signal.SIGTERM),
}


@pytest.mark.parametrize("case", RENDER_KILLS)
def test_killed_render_never_pairs_one_clip_with_another_poster(case, other_export, tmp_path):
    from nn_explainer.publish.manifest import read_manifest

    point, number = RENDER_KILLS[case]
    media = tmp_path / "media"
    # One export path, two networks: a clip is named by its network's path, so the second
    # render replaces the first's clip at the same path with a different one.
    network = tmp_path / "net.json"
    shutil.copyfile(paths.DEFAULT_EXPORT, network)
    first = subprocess.run([sys.executable, str(REPO / "render.py"), *RENDER, "--media-dir", media,
                            "--export", network], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    [before] = intact_sidecars(media)
    shutil.copyfile(other_export, network)
    marker = tmp_path / "paused"
    process = start([*RENDER, "--media-dir", media, "--export", network], point, marker)
    wait_for(marker, process)
    process.send_signal(number)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == (2 if number == signal.SIGTERM else -signal.SIGKILL), stderr
    # No sidecar now (the clip is being replaced), or one that matches clip and poster.
    assert intact_sidecars(media) in ([], [before])
    assert all(record["sha256"] for record in read_manifest(media))
    assert not list((media / "clips" / "low").glob(".work-*")) or number == signal.SIGKILL
    again = subprocess.run([sys.executable, str(REPO / "render.py"), *RENDER, "--media-dir", media,
                            "--export", network], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    [after] = intact_sidecars(media)
    assert after["export_hash"] != before["export_hash"]
    assert not list((media / "clips" / "low").glob(".work-*"))  # the killed run's folder is swept


def test_two_renders_at_once_both_succeed(tmp_path):
    media = tmp_path / "media"
    processes = [start(["render", scene, "--media-dir", media]) for scene in ("ParameterCount", "ParameterCount")]
    for process in processes:
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr
    [record] = intact_sidecars(media)
    assert record["scene"] == "ParameterCount"


def test_all_renders_two_clips_concurrently(tmp_path):
    media = tmp_path / "media"
    result = subprocess.run([sys.executable, str(REPO / "render.py"), "all", "--export", paths.DEFAULT_EXPORT,
                             "--media-dir", media, "--scenes", "ParameterCount", "NetworkIsAFunction", "--jobs", "2"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert sorted(r["scene"] for r in intact_sidecars(media)) == ["NetworkIsAFunction", "ParameterCount"]


def test_all_leaves_a_live_renders_work_folder_alone(tmp_path):
    """`all` sweeps work folders of dead processes only."""
    from nn_explainer.publish.batch import sweep

    low = tmp_path / "media" / "clips" / "low"
    low.mkdir(parents=True)
    live, dead = low / f".work-{os.getpid()}-abc", low / ".work-999999999-abc"
    live.mkdir()
    dead.mkdir()
    sweep(tmp_path / "media", "clips")
    assert live.exists() and not dead.exists()


# --- what a killed run leaves, and the next run ------------------------------------------

KILL_AT_FILESYSTEM_STEP = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from nn_explainer.model import generations
step, folder = int(sys.argv[1]), Path(sys.argv[2])
done = [0]
def killed_at_step(name):
    real = getattr(os, name)
    def call(*args, **kwargs):
        done[0] += 1
        if done[0] == step:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(os, name, call)
for name in ("replace", "rename", "symlink", "link", "chmod", "mkdir", "unlink"):
    killed_at_step(name)
generations.publish(folder / "set.generations", {{folder / "a.json": lambda t: t.write_text("new"),
                                                  folder / "b.json": lambda t: t.write_text("new")}})
print(done[0])
"""


def publish_set(folder: Path, text: str) -> None:
    from nn_explainer.model import generations

    generations.publish(folder / "set.generations", {folder / "a.json": lambda t: t.write_text(text),
                                                     folder / "b.json": lambda t: t.write_text(text)})


def assert_one_clean_set(folder: Path, text: str) -> None:
    assert (folder / "a.json").read_text() == (folder / "b.json").read_text() == text
    generations = folder / "set.generations"
    assert sorted(p.name for p in generations.iterdir() if p.name not in ("current", ".lock")) == \
        [os.readlink(generations / "current")]
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.startswith((".building", ".work"))]


def test_a_publish_killed_at_any_step_is_cleaned_up_by_the_next(tmp_path):
    """SIGKILL at each file-system step of publishing a set (every rename, link, folder):
    the set stays whole, and the next run publishes and leaves no temporary name."""
    script = tmp_path / "kill_at_step.py"
    script.write_text(KILL_AT_FILESYSTEM_STEP.format(repo=str(REPO)))
    publish_set(tmp_path / "count", "old")
    steps = int(subprocess.run([sys.executable, script, "0", tmp_path / "count"], capture_output=True, text=True,
                               check=True).stdout)
    assert steps >= 8  # folders, files, links and the switch: the steps really counted
    for step in range(1, steps + 1):
        folder = tmp_path / f"step{step}"
        publish_set(folder, "old")
        killed = subprocess.run([sys.executable, script, str(step), folder], capture_output=True, text=True)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert (folder / "a.json").read_text() == (folder / "b.json").read_text()  # never a mix
        publish_set(folder, "next")
        assert_one_clean_set(folder, "next")


def leftovers_of(pid: int, folder: Path, media: Path) -> list[Path]:
    """What a run with process id `pid` leaves when killed while publishing: a half-built
    generation, the temporary link of `current` and of a published name, a render's
    work folder and temporary clip."""
    generations = folder / "set.generations"
    made = [generations / f".building-{pid}-x1", generations / f".current.{pid}.123.tmp",
            folder / f".a.json.{pid}.456.tmp", media / "clips" / "low" / f".work-{pid}-x2",
            media / "clips" / "low" / f".ParameterCount.mp4.{pid}.789.tmp"]
    for path in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        if ".building-" in path.name or ".work-" in path.name:
            path.mkdir()
            (path / "half.json").write_text("half")
        elif path.name.startswith(".current."):
            os.symlink(os.readlink(generations / "current"), path)
        else:
            path.write_text("half")
    return made


def test_leftovers_of_a_dead_process_are_recognised_whatever_its_pid_became(tmp_path):
    """A killed process's leftovers are swept by the next train, export, render and all
    when its pid is a zombie's (killed, not yet reaped by its parent) and when its pid has
    been reused since (containers start every command with the same few pids): here the
    pid is this very test's, and the leftovers were written before it started."""
    from nn_explainer.publish.media import sweep

    folder, media = tmp_path / "set", tmp_path / "media"
    publish_set(folder, "old")
    zombie = subprocess.Popen([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"])
    while open(f"/proc/{zombie.pid}/stat").read().split(") ")[1][0] != "Z":
        time.sleep(0.02)  # killed; its parent (this test) has not reaped it
    made = leftovers_of(zombie.pid, folder, media)
    long_ago = time.time() - 3600
    for path in leftovers_of(os.getpid(), folder, media):
        os.utime(path, (long_ago, long_ago), follow_symlinks=False)
        made.append(path)
    publish_set(folder, "next")  # what train and export run
    sweep(media, "clips")        # what render and all run
    assert not [path for path in made if os.path.lexists(path)]
    assert_one_clean_set(folder, "next")
    zombie.wait()


def test_a_live_runs_files_are_left_alone(tmp_path):
    """The other side: what a running process is writing now is not swept."""
    from nn_explainer.publish.media import sweep

    folder, media = tmp_path / "set", tmp_path / "media"
    publish_set(folder, "old")
    made = leftovers_of(os.getpid(), folder, media)  # written after this process started
    publish_set(folder, "next")
    sweep(media, "clips")
    assert all(os.path.lexists(path) for path in made if ".current." not in path.name)


def test_a_set_copied_without_its_links_is_published_to(tmp_path):
    """`current` a real folder (a copy that followed the links): the next run switches
    anyway, instead of failing on `.current.PID.N.tmp: Is a directory`."""
    folder = tmp_path / "set"
    publish_set(folder, "old")
    generations = folder / "set.generations"
    real = generations / os.readlink(generations / "current")
    (generations / "current").unlink()
    real.rename(generations / "current")
    publish_set(folder, "next")
    assert_one_clean_set(folder, "next")


# --- render workers die with their parent --------------------------------------------------

@pytest.mark.parametrize("number", [signal.SIGKILL, signal.SIGTERM])
def test_render_workers_die_with_their_parent(number, tmp_path):
    """`all` killed while its worker renders: the worker ends too, at once, whatever the
    signal, instead of living on with its glyph cache slot and memory."""
    marker = tmp_path / "worker"
    process = start(["all", "--export", paths.DEFAULT_EXPORT, "--media-dir", tmp_path / "media",
                     "--scenes", "ParameterCount", "--jobs", "1"], "render:clip-written", marker)
    wait_for(marker, process)
    worker = int(marker.read_text())  # the seam is reached in the worker, which wrote its pid
    assert worker != process.pid
    process.send_signal(number)
    try:
        process.communicate(timeout=30)
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{worker}") and open(f"/proc/{worker}/stat").read().split(") ")[1][0] != "Z":
            assert time.monotonic() < deadline, "the render worker outlived its parent"
            time.sleep(0.05)
    finally:
        for pid in (worker, process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
