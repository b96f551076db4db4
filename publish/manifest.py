"""`media/manifest.json`: every clip made, rebuilt from the clips' sidecars.

The sidecar written beside each finished clip is the record of truth; the manifest is
their sum, checked against the disk (a clip whose file is gone or has another size is
left out). So a manifest that was deleted or corrupted is simply rebuilt, never
trusted, and a killed render cannot leave it claiming a clip that is not there.
"""
from __future__ import annotations

import json
from pathlib import Path

from model import paths
from model.atomic import write_text

from .requests import CLIPS_DIR

MANIFEST_NAME = "manifest.json"


def intact_record(sidecar: Path) -> dict | None:
    """The sidecar's record if its clip is on disk at the size it records, else None
    (a damaged sidecar or a missing clip: the clip will be made again)."""
    try:
        record = json.loads(Path(sidecar).read_text())
        clip = paths.REPO_ROOT / record["path"]
        return record if clip.exists() and clip.stat().st_size == record["bytes"] else None
    except (ValueError, KeyError, TypeError, OSError):
        return None


def clip_records(media_dir: Path = paths.MEDIA_DIR) -> list[dict]:
    """Every clip under media/clips whose sidecar and file agree."""
    records = (intact_record(sidecar) for sidecar in sorted((Path(media_dir) / CLIPS_DIR).glob("*/*.json")))
    return [record for record in records if record is not None]


def write_manifest(media_dir: Path = paths.MEDIA_DIR) -> Path:
    path = Path(media_dir) / MANIFEST_NAME
    write_text(path, json.dumps({"clips": clip_records(media_dir)}, indent=2) + "\n")
    return path


def read_manifest(media_dir: Path = paths.MEDIA_DIR) -> list[dict]:
    """The manifest's clips if it is sound and matches the disk; else it is rebuilt."""
    path = Path(media_dir) / MANIFEST_NAME
    try:
        clips = json.loads(path.read_text())["clips"]
        if isinstance(clips, list) and clips == clip_records(media_dir):
            return clips
    except (OSError, ValueError, KeyError, TypeError):
        pass
    write_manifest(media_dir)
    return clip_records(media_dir)
