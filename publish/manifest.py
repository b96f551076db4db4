"""`media/manifest.json`: every clip made, rebuilt from the clips' sidecars.

The sidecar written beside each finished clip is the record of truth; the manifest is
their sum, checked against the disk (a clip or poster whose file is gone, or has
another size or hash than its sidecar records, is left out). So a manifest that was
deleted or corrupted is simply rebuilt, never trusted, and a killed render cannot leave
it claiming a clip that is not there. Sidecars are read strictly (capped, no duplicate
keys, every field of the right type, every path inside the media folder): a damaged or
hand-made one is ignored, and its clip made again.
"""
from __future__ import annotations

import json
from pathlib import Path

from nn_explainer.model import limits, paths, strict_json
from nn_explainer.model.atomic import write_text
from nn_explainer.model.errors import UserError
from nn_explainer.model.paths import file_sha256

from .media import inside
from .requests import CLIPS_DIR

MANIFEST_NAME = "manifest.json"
# What gallery and `all` read from a record, with its type: anything else is not a sidecar of ours.
RECORD_FIELDS = {"scene": str, "digit": str, "format": str, "quality": str, "transparent": bool,
                 "resolution": list, "fps": (int, float), "duration": (int, float), "bytes": int, "path": str,
                 "poster": (str, type(None)), "sections": list, "subtitles": (str, type(None)),
                 "inputs_key": str, "sha256": str, "poster_bytes": (int, type(None)),
                 "poster_sha256": (str, type(None))}




def _media_dir_of(sidecar: Path) -> Path:
    return Path(sidecar).parent.parent.parent  # media/clips/<quality>/NAME.json


def _same_file(path: Path, size, sha256) -> bool:
    return path.is_file() and path.stat().st_size == size and file_sha256(path) == sha256


def intact_record(sidecar: Path, media_dir: Path | None = None) -> dict | None:
    """The sidecar's record if its clip and poster are on disk, inside the media folder,
    at the sizes and hashes it records; else None (the clip will be made again)."""
    media_dir = Path(media_dir) if media_dir is not None else _media_dir_of(sidecar)
    try:
        record = strict_json.loads(strict_json.read_capped(sidecar, limits.MAX_SIDECAR_BYTES, "sidecar"), str(sidecar))
        if not isinstance(record, dict) or not all(
                isinstance(record.get(key), kind) and (kind is not int or strict_json.exact_int(record[key]))
                for key, kind in RECORD_FIELDS.items()):
            return None
        if not (len(record["resolution"]) == 2 and all(strict_json.exact_int(n) for n in record["resolution"])
                and all(isinstance(p, str) for p in record["sections"])):
            return None
        clip = inside(media_dir, paths.REPO_ROOT / record["path"])
        if not _same_file(clip, record["bytes"], record["sha256"]):
            return None
        if record["poster"] is not None:
            poster = inside(media_dir, paths.REPO_ROOT / record["poster"])
            if not _same_file(poster, record["poster_bytes"], record["poster_sha256"]):
                return None
        for other in (*record["sections"], *([record["subtitles"]] if record["subtitles"] else [])):
            inside(media_dir, paths.REPO_ROOT / other)
        return record
    except (UserError, OSError, ValueError):
        return None


def clip_records(media_dir: Path = paths.MEDIA_DIR) -> list[dict]:
    """Every clip under media/clips whose sidecar and file agree."""
    records = (intact_record(sidecar, media_dir) for sidecar in sorted((Path(media_dir) / CLIPS_DIR).glob("*/*.json")))
    return [record for record in records if record is not None]


def write_manifest(media_dir: Path = paths.MEDIA_DIR) -> Path:
    path = inside(media_dir, Path(media_dir) / MANIFEST_NAME)
    write_text(path, json.dumps({"clips": clip_records(media_dir)}, indent=2) + "\n")
    return path


def read_manifest(media_dir: Path = paths.MEDIA_DIR) -> list[dict]:
    """The manifest's clips if it is sound and matches the disk; else it is rebuilt."""
    path = Path(media_dir) / MANIFEST_NAME
    records = clip_records(media_dir)
    try:
        doc = strict_json.loads(strict_json.read_capped(path, limits.MAX_MANIFEST_BYTES, "manifest"), str(path))
        if isinstance(doc, dict) and doc.get("clips") == records:
            return records
    except UserError:
        pass
    write_manifest(media_dir)
    return records
