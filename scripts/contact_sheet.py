#!/usr/bin/env python3
"""docs/chapter.png: the chapter at a glance, the last frame of every beat in order.

    .venv/bin/python scripts/contact_sheet.py [--out docs/chapter.png] [--export PATH]
        [--layout video|post] [--beats NAME ...]

Each beat is played to its final state (no video is written) at 854x480 and drawn
from the export like any render; the tiles are laid out four to a row, named.
`--layout post` draws the GIF preset's layout instead, each tile at the GIF's own
size (480x270, publish/encoding.GIF_WIDTH): what a reader of a post sees.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COLUMNS = 4
TILE = (640, 360)  # pixels: half of 720p, enough to read the captions
POST_TILE = (480, 270)  # the GIF's size: the post layout is judged where it is shown


def last_frame(name: str, settings):
    from manim import tempconfig

    from nn_explainer.scenes.outline import scene_class

    with tempconfig({"format": "none", "quality": "low_quality", "verbosity": "ERROR", "progress_bar": "none"}):
        scene = scene_class(name)(settings=settings, skip_animations=True)
        scene.render()
        scene.renderer.update_frame(scene)
        return scene.renderer.get_frame()


def main() -> None:
    from PIL import Image, ImageDraw

    from nn_explainer.model import paths
    from nn_explainer.model.atomic import atomic_path
    from nn_explainer.model.schema import read_export
    from nn_explainer.scenes.outline import ALL_BEATS as BEATS, Drawn, why_not
    from nn_explainer.scenes.settings import LAYOUTS, Settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=paths.REPO_ROOT / "docs" / "chapter.png")
    parser.add_argument("--export", type=Path, default=paths.DEFAULT_EXPORT)
    parser.add_argument("--layout", choices=LAYOUTS, default="video", help="post: the GIF preset's layout, at its size")
    parser.add_argument("--beats", nargs="+", metavar="NAME", help="only these beats (default: all that apply to the network)")
    args = parser.parse_args()
    settings = Settings(export=args.export, layout=args.layout)
    # By default the sheet goes without the beats that cannot draw this network (a CNN's
    # kind, or our training run for an imported one).
    drawn = Drawn.of(read_export(args.export, convolutional=True))
    beats = [beat for beat in BEATS if beat.name in args.beats] if args.beats else \
        [beat for beat in BEATS if why_not(beat.name, drawn) is None]
    unknown = set(args.beats or ()) - {beat.name for beat in BEATS}
    if unknown:
        parser.error(f"unknown beats: {', '.join(sorted(unknown))}")
    tile_size = POST_TILE if args.layout == "post" else TILE
    rows = -(-len(beats) // COLUMNS)
    sheet = Image.new("RGB", (min(COLUMNS, len(beats)) * tile_size[0], rows * (tile_size[1] + 28)), "#202020")
    draw = ImageDraw.Draw(sheet)
    for number, beat in enumerate(beats):
        tile = Image.fromarray(last_frame(beat.name, settings)).convert("RGB").resize(tile_size, Image.LANCZOS)
        x, y = (number % COLUMNS) * tile_size[0], (number // COLUMNS) * (tile_size[1] + 28)
        sheet.paste(tile, (x, y + 28))
        draw.text((x + 8, y + 6), f"{BEATS.index(beat) + 1}. {beat.name}", fill="#f0f0f0")
        print(f"{beat.name}: done", flush=True)
    with atomic_path(args.out) as tmp:
        sheet.save(tmp, format="PNG", optimize=True)
    print(args.out)


if __name__ == "__main__":
    main()
