"""A full disk while rendering: one line on stderr and exit 2, on every path, with what
was published before (clip, poster, sidecar, manifest) unchanged and no partial file.

The media folder is a small tmpfs mounted for these tests (they run as root, as
./test.sh does here); the disk fills while manim's writer encodes (its RuntimeError
wraps PyAV's ENOSPC), or while the gallery and widget are written.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from conftest import assert_clean_failure, run_cli
from nn_explainer.model import paths

OTHER_EXPORT = paths.RELU_EXPORT  # another network: the same clip path, drawn anew


@pytest.fixture(scope="module")
def small_disk(tmp_path_factory):
    mount = tmp_path_factory.mktemp("small_disk")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Fill `disk` until only about `leave` bytes are free."""
    with open(disk / f"filler-{leave}", "wb") as filler:
        try:
            while True:
                free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
                if free <= leave:
                    break
                filler.write(b"\0" * min(65536, free - leave))
                filler.flush()
        except OSError:
            pass  # full already


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def no_partial_files(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.startswith((".work-", ".widget"))]


def test_a_full_disk_says_one_line_and_keeps_what_was_published(small_disk):
    media = small_disk / "media"
    first = run_cli("render", "ParameterCount", "--media-dir", media)
    assert first.returncode == 0, first.stderr
    before = snapshot(media)
    assert {"clips/low/ParameterCount.mp4", "clips/low/ParameterCount.poster.png",
            "clips/low/ParameterCount.mp4.json", "manifest.json"} <= set(before)
    fill(small_disk, leave=200_000)  # room to start encoding, not to finish
    for command in (["render", "ParameterCount"], ["all", "--scenes", "ParameterCount", "--jobs", "1"]):
        result = run_cli(*command, "--media-dir", media, "--export", OTHER_EXPORT)
        line = assert_clean_failure(result)
        assert "no space left on device" in line, line
        assert result.returncode == 2
        assert snapshot(media) == before, command  # the earlier clip, poster, sidecar, manifest
        assert not no_partial_files(small_disk), command
    fill(small_disk, leave=0)
    for command in (["gallery", "--media-dir", media], ["widget", "--out", small_disk / "widget"]):
        result = run_cli(*command)
        line = assert_clean_failure(result)
        assert "No space left on device" in line or "no space left on device" in line, line
        assert snapshot(media) == before, command
        assert not no_partial_files(small_disk) and not (small_disk / "widget").exists(), command
