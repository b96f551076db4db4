"""The embed page: every clip loads and plays in a real browser, and a transparent
WebM really shows the page behind it."""
import io

import pytest
from PIL import Image

from conftest import run_cli

PLAY_CHECK = """
async () => {
  const videos = [...document.querySelectorAll("video")];
  const results = [];
  for (const video of videos) {
    video.muted = true;
    await video.play().catch(() => {});
    const start = performance.now();
    while (video.readyState < 3 && performance.now() - start < 15000) await new Promise(r => setTimeout(r, 100));
    const t0 = video.currentTime;
    await new Promise(r => setTimeout(r, 1500));
    results.push({clip: video.dataset.clip, transparent: video.dataset.transparent === "true",
                  readyState: video.readyState, error: video.error && video.error.code,
                  advanced: video.currentTime - t0, width: video.videoWidth});
  }
  return results;
}
"""

PAUSE_AND_LOCATE = """
async () => {
  // Put the pattern behind every video, opaque ones too: then a black corner proves the
  // video itself is drawn, and a patterned one that it lets the page through.
  for (const stage of document.querySelectorAll(".stage")) stage.classList.add("transparent");
  const spots = [];
  for (const video of document.querySelectorAll("video")) {
    video.pause();
    video.currentTime = 2.0;
    await new Promise(r => video.addEventListener("seeked", r, {once: true}));
    video.scrollIntoView();
  }
  window.scrollTo(0, 0);
  await new Promise(r => setTimeout(r, 500));
  for (const video of document.querySelectorAll("video")) {
    const box = video.getBoundingClientRect();
    spots.push({clip: video.dataset.clip, transparent: video.dataset.transparent === "true",
                x: Math.round(box.left + 6), y: Math.round(box.top + 6), ratio: devicePixelRatio});
  }
  return spots;
}
"""


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    # The see-through clip narrated: its voice is muxed in after the video is encoded.
    for flags in ([], ["--format", "webm", "--transparent", "--voice", "joe"]):
        result = run_cli("render", "ParameterCount", "--media-dir", media, *flags)
        assert result.returncode == 0, result.stderr
    result = run_cli("gallery", "--media-dir", media)
    assert result.returncode == 0, result.stderr
    return media / "gallery.html"


@pytest.fixture
def page(chromium, gallery):
    page = chromium.new_page(viewport={"width": 1400, "height": 1800})
    page.goto(gallery.as_uri())
    yield page
    page.close()


def test_gallery_lists_every_clip_with_a_snippet(gallery):
    page = gallery.read_text()
    assert page.count("<video ") == 2
    assert page.count("&lt;video src=&quot;clips/low/ParameterCount") == 2
    assert 'poster="clips/low/ParameterCount.poster.png"' in page


def test_every_video_loads_and_plays(page):
    results = page.evaluate(PLAY_CHECK)
    assert len(results) == 2
    for video in results:
        assert video["error"] is None, video
        assert video["readyState"] >= 3, video        # HAVE_FUTURE_DATA: it can play
        assert video["advanced"] > 0.5, video         # and it does: time moves on
        assert video["width"] == 854


def test_transparent_webm_shows_the_page_behind_it(page):
    page.evaluate(PLAY_CHECK)
    spots = page.evaluate(PAUSE_AND_LOCATE)
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    for spot in spots:
        r, g, b = shot.getpixel((int(spot["x"] * spot["ratio"]), int(spot["y"] * spot["ratio"])))
        if spot["transparent"]:
            assert r + g + b > 150, (spot, (r, g, b))   # the page's pattern shows through
        else:
            assert r + g + b < 40, (spot, (r, g, b))    # an opaque video covers the pattern


def test_captions_show_from_disk(page, gallery):
    """Opened from `file://`, Chromium refuses a page the .vtt beside it ("'file:' URLs are
    treated as unique security origins"): the page carries the cues itself, so the narrated
    clip's track has every cue of its .vtt, which stays beside the clip for players."""
    assert page.url.startswith("file:")
    [vtt] = (gallery.parent / "clips" / "low").glob("*.vtt")  # the narrated (see-through) clip's
    wanted = [block.split("\n", 2)[2] for block in vtt.read_text().split("\n\n")[1:] if " --> " in block]
    assert wanted
    page.wait_for_function("""() => { const v = [...document.querySelectorAll('video')]
                                         .find(v => v.dataset.transparent === 'true');
                                      const t = v.textTracks[0]; t.mode = 'hidden';
                                      return t.cues && t.cues.length > 0; }""", timeout=15000)
    cues = page.evaluate("""() => [...[...document.querySelectorAll('video')]
                              .find(v => v.dataset.transparent === 'true').textTracks[0].cues].map(c => c.text)""")
    assert cues == [text.strip() for text in wanted]
    # The snippet to paste still links the file, for a host to serve beside the clip.
    assert f'src=&quot;clips/low/{vtt.name}&quot;' in gallery.read_text()
