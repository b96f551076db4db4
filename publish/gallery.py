"""`render.py gallery`: one static HTML page showing every clip of the manifest.

Each clip appears, in the story's order, with its poster as a playing, looping video and, under it, the
`<video>` snippet to paste into a post (copy button included). Transparent clips sit on
a patterned background, so their transparency shows. Paths are relative to the page,
so the media folder can be copied to a web server as it is.
"""
from __future__ import annotations

import html
import os
from pathlib import Path

from nn_explainer.model import paths
from nn_explainer.model.atomic import write_text

from nn_explainer.scenes.outline import SCENES

from .encoding import vtt_data_url
from .manifest import read_manifest
from .media import check_media_dir, inside

GALLERY_NAME = "gallery.html"
VIDEO_FORMATS = ("mp4", "webm", "mov")

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>nn-explainer clips</title>
<style>
  body {{ background: #1b1b1b; color: #eee; font: 15px/1.5 system-ui, sans-serif; margin: 2rem; }}
  h1 {{ font-weight: 500; }}
  .clips {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 2rem; }}
  figure {{ margin: 0; }}
  .stage {{ background: #000; }}
  .stage.transparent {{ background: repeating-conic-gradient(#d0467b 0% 25%, #3b7bd6 0% 50%) 0 0 / 40px 40px; }}
  video, img {{ width: 100%; display: block; }}
  figcaption {{ margin: .4rem 0; color: #bbb; }}
  textarea {{ width: 100%; height: 4.6em; background: #111; color: #9fd; border: 1px solid #444; font: 12px monospace; }}
  button {{ background: #333; color: #eee; border: 1px solid #555; padding: .2rem .8rem; cursor: pointer; }}
</style>
</head>
<body>
<h1>nn-explainer clips</h1>
<p>{count} clips, every value drawn from the trained network. Copy a snippet into a post.</p>
{widget}
<div class="clips">
{figures}
</div>
<script>
  for (const button of document.querySelectorAll("button[data-copy]")) {{
    button.addEventListener("click", () => {{
      const text = document.getElementById(button.dataset.copy).value;
      navigator.clipboard.writeText(text).then(() => {{ button.textContent = "copied"; }});
    }});
  }}
</script>
</body>
</html>
"""


def snippet(src: str, poster: str | None, subtitles: str | None = None, sound: bool = False) -> str:
    """What a post embeds: muted autoplay loops play inline everywhere (browsers allow
    autoplay only muted); a narrated clip adds controls, so a reader can turn the voice on."""
    poster_attribute = f' poster="{html.escape(poster)}"' if poster else ""
    track = (f'<track kind="subtitles" src="{html.escape(subtitles)}" srclang="en" label="English" default>'
             if subtitles else "")
    controls = " controls" if sound else ""
    return (f'<video src="{html.escape(src)}"{poster_attribute} autoplay muted loop playsinline{controls} '
            f'preload="auto">{track}</video>')


QUALITY_ORDER = ("low", "medium", "high", "4k")


def story_order(clips: list[dict]) -> list[dict]:
    """The clips as the story tells them (scenes/outline.py, the Chapter last), each
    scene's by quality, then by what else sets them apart; not alphabetically."""
    def place(clip: dict):
        scene = list(SCENES).index(clip["scene"]) if clip["scene"] in SCENES else len(SCENES)
        quality = QUALITY_ORDER.index(clip["quality"]) if clip.get("quality") in QUALITY_ORDER else len(QUALITY_ORDER)
        return scene, quality, clip["path"]
    return sorted(clips, key=place)


def caption(clip: dict) -> str:
    """Every setting that tells two clips apart (another network, an earlier epoch's, edges drawn
    by w·a, transparency), then the file's size and length."""
    settings = [clip["scene"], clip["digit"]]
    if clip.get("network"):
        settings.append(f"network {clip['network']}")
    if clip.get("snapshot") is not None:
        settings.append(f"network after epoch {clip['snapshot']}")
    if clip.get("edges", "weight") != "weight":
        settings.append("edges by w·a" if clip["edges"] == "contribution" else f"edges by {clip['edges']}")
    settings.append(f"{clip['format']}{' (transparent)' if clip['transparent'] else ''}")
    return " · ".join(settings + [f"{clip['resolution'][0]}x{clip['resolution'][1]}", f"{clip['duration']:.1f} s",
                                  f"{clip['bytes'] / 1e6:.1f} MB"])


def figure(clip: dict, number: int, page_dir: Path) -> str:
    src = os.path.relpath(paths.REPO_ROOT / clip["path"], page_dir)
    poster = os.path.relpath(paths.REPO_ROOT / clip["poster"], page_dir) if clip.get("poster") else None
    title = caption(clip)
    stage_class = "stage transparent" if clip["transparent"] else "stage"
    subtitles = carried = None
    if clip.get("subtitles"):
        vtt = (paths.REPO_ROOT / clip["subtitles"]).with_suffix(".vtt")
        subtitles = os.path.relpath(vtt, page_dir)
        carried = vtt_data_url(vtt)  # the page's own copy of the cues: shown when opened from disk too
    if clip["format"] in VIDEO_FORMATS:
        sound = clip.get("voice", "none") != "none"
        code = snippet(src, poster, subtitles, sound=sound)  # the snippet to paste links the .vtt file
        media = snippet(src, poster, carried or subtitles, sound=sound).replace(
            "<video ", f'<video data-clip="{html.escape(clip["path"])}" '
                       f'data-transparent="{str(clip["transparent"]).lower()}" ', 1)
    else:  # gif or png: an image
        code = f'<img src="{html.escape(src)}" alt="{html.escape(clip["scene"])}">'
        media = code
    return (f'<figure>\n  <div class="{stage_class}">{media}</div>\n  <figcaption>{html.escape(title)}</figcaption>\n'
            f'  <textarea id="snippet{number}" readonly>{html.escape(code)}</textarea>\n'
            f'  <button data-copy="snippet{number}">copy</button>\n</figure>')


def widget_link(media_dir: Path) -> str:
    """A link to the live widget (`render.py widget`), when it has been written here."""
    from .widget import DEFAULT_DIR, PAGE, iframe_snippet

    if not (media_dir / DEFAULT_DIR.name / PAGE).is_file():
        return ""
    code = html.escape(iframe_snippet(DEFAULT_DIR))
    return (f'<p class="widget"><a href="{DEFAULT_DIR.name}/{PAGE}">Draw your own digit</a>: '
            "the same network, live in the page.</p>\n"
            f'<textarea id="snippet-widget" readonly>{code}</textarea>\n'
            '<button data-copy="snippet-widget">copy</button>')


def write_gallery(media_dir: Path = paths.MEDIA_DIR) -> Path:
    media_dir = check_media_dir(media_dir)
    clips = story_order(read_manifest(media_dir))  # sidecars read strictly: a damaged one is left out
    page = inside(media_dir, media_dir / GALLERY_NAME)
    figures = "\n".join(figure(clip, number, media_dir) for number, clip in enumerate(clips))
    write_text(page, PAGE.format(count=len(clips), figures=figures, widget=widget_link(media_dir)))
    return page
