"""Clips for posts: formats, posters, the manifest, and re-rendering only what changed."""
import json
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from conftest import REPO, assert_clean_failure, run_cli
from nn_explainer.model import paths
from nn_explainer.publish.batch import render_all
from nn_explainer.publish.keys import export_content_hash, inputs_key
from nn_explainer.publish.manifest import MANIFEST_NAME, clip_records, read_manifest
from nn_explainer.publish.requests import RenderRequest
from nn_explainer.scenes.outline import CHAPTERS


def mp4_atoms(path):
    data, atoms, at = path.read_bytes(), [], 0
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        atoms.append(kind.decode())
        at += struct.unpack(">Q", data[at + 8:at + 16])[0] if size == 1 else size
    return atoms


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    """ParameterCount (short) in the post formats, rendered once for the module (the GIF
    with its sections too, the see-through webm narrated)."""
    folder = tmp_path_factory.mktemp("media")
    for flags in ([], ["--format", "webm", "--transparent", "--voice", "joe"], ["--format", "gif", "--sections"]):
        result = run_cli("render", "ParameterCount", "--media-dir", folder, *flags)
        assert result.returncode == 0, result.stderr
    return folder


def test_mp4_starts_playing_before_the_download_ends(media):
    clip = media / "clips/low/ParameterCount.mp4"
    atoms = mp4_atoms(clip)
    assert atoms.index("moov") < atoms.index("mdat")  # +faststart: the index comes first
    with av.open(str(clip)) as container:
        assert container.streams.video[0].codec_context.name == "h264"


def test_transparent_webm_has_an_alpha_channel(media):
    """Also once its narration is muxed in: a packet copy lost the track's alpha flag."""
    clip = media / "clips/low/ParameterCount_transparent.webm"
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "vp9" and container.streams.audio
        assert {key.lower(): value for key, value in stream.metadata.items()}.get("alpha_mode") == "1"
        decoder = av.CodecContext.create("libvpx-vp9", "r")   # FFmpeg's own vp9 decoder drops alpha
        packet = next(packet for packet in container.demux(stream) if packet.size)
        assert [frame.format.name for frame in decoder.decode(packet)] == ["yuva420p"]
    poster = Image.open(media / "clips/low/ParameterCount_transparent.poster.png")
    alpha = np.asarray(poster)[..., 3]
    assert poster.mode == "RGBA" and alpha.min() == 0 and alpha.max() == 255  # see-through and solid parts


def test_gif_is_small_and_loops(media):
    gif = Image.open(media / "clips/low/ParameterCount.gif")
    assert gif.size[0] == 480 and gif.n_frames > 10
    assert gif.info["loop"] == 0


def test_a_gif_lasts_what_its_sidecar_and_its_video_say(media):
    """Summed GIF delays against the mp4 of the same scene and the sidecar's duration: a
    GIF whose frames were each rounded to 60 ms played 10 % fast."""
    with Image.open(media / "clips/low/ParameterCount.gif") as gif:
        milliseconds = 0
        for index in range(gif.n_frames):
            gif.seek(index)
            milliseconds += gif.info["duration"]
    with av.open(str(media / "clips/low/ParameterCount.mp4")) as container:
        stream = container.streams.video[0]
        video_seconds = stream.frames / float(stream.average_rate)
    sidecar = json.loads((media / "clips/low/ParameterCount.gif.json").read_text())
    assert abs(milliseconds / 1000 - sidecar["duration"]) <= 0.01
    assert abs(milliseconds / 1000 - video_seconds) <= 0.01


def test_a_gifs_sections_are_gifs_named_so(media):
    sections = sorted((media / "clips/low/ParameterCount.sections").iterdir())
    assert sections and all(path.suffix == ".gif" for path in sections)
    for path in sections:
        with Image.open(path) as image:
            assert image.format == "GIF"
    sidecar = json.loads((media / "clips/low/ParameterCount.gif.json").read_text())
    assert sidecar["sections"] and all(section.endswith(".gif") for section in sidecar["sections"])


def test_the_gif_is_drawn_in_the_post_layout_not_the_mp4_scaled_down(media):
    """Its last frame is not the mp4's last frame made smaller: the post layout's bigger
    text and reflowed lines are what the GIF shows (tests/test_layout.py checks them)."""
    gif = Image.open(media / "clips/low/ParameterCount.gif")
    gif.seek(gif.n_frames - 1)
    last = np.asarray(gif.convert("RGB"), float)
    assert last.shape[:2] == (270, 480)
    with av.open(str(media / "clips/low/ParameterCount.mp4")) as container:
        video = list(container.decode(video=0))[-1].to_image().resize((480, 270), Image.LANCZOS)
    scaled = np.asarray(video, float)
    # Where anything is drawn (text, lines): the two frames disagree on much of it.
    drawn = (last.max(axis=2) > 60) | (scaled.max(axis=2) > 60)
    disagree = np.abs(last - scaled).max(axis=2) > 60
    assert drawn.sum() > 1000 and disagree[drawn].mean() > 0.3
    # Each has its own poster, and the manifest keeps both records whole.
    clips = {c["format"]: c for c in json.loads((media / MANIFEST_NAME).read_text())["clips"]}
    assert clips["gif"]["poster"].endswith("ParameterCount.post.poster.png")
    assert clips["mp4"]["poster"].endswith("ParameterCount.poster.png")
    post_poster = Image.open(media / "clips/low/ParameterCount.post.poster.png").convert("RGB").resize((480, 270))
    assert np.abs(np.asarray(post_poster, float) - last).mean() < 12  # the GIF's last frame, up to its palette


def test_a_gif_request_draws_the_post_layout_under_its_own_key():
    from nn_explainer.scenes.settings import Settings

    gif, mp4 = RenderRequest("ParameterCount", format="gif"), RenderRequest("ParameterCount")
    assert gif.settings().layout == "post"
    assert {RenderRequest("ParameterCount", format=f).settings().layout for f in ("mp4", "webm", "mov", "png")} == {"video"}
    assert inputs_key(gif) != inputs_key(mp4)
    assert gif.poster_path().name == "ParameterCount.post.poster.png" != mp4.poster_path().name
    # The stock manim CLI gets the same choice through the environment.
    assert Settings.from_environment({"NN_EXPLAINER_LAYOUT": "post"}).layout == "post"
    assert Settings.from_environment({}).layout == "video"
    assert gif.settings().environment()["NN_EXPLAINER_LAYOUT"] == "post"


def test_an_unknown_layout_is_refused_in_one_line():
    from nn_explainer.model.errors import UserError
    from nn_explainer.scenes.settings import Settings

    with pytest.raises(UserError, match="layout 'poster' is not one of video, post"):
        Settings.from_environment({"NN_EXPLAINER_LAYOUT": "poster"})


def test_posters_are_the_final_frame(media):
    poster = Image.open(media / "clips/low/ParameterCount.poster.png").convert("RGB")
    with av.open(str(media / "clips/low/ParameterCount.mp4")) as container:
        last = list(container.decode(video=0))[-1].to_image()
    assert poster.size == last.size
    difference = np.abs(np.asarray(poster, float) - np.asarray(last, float)).mean()
    assert difference < 6  # the same picture, up to video compression


def test_manifest_lists_every_clip_with_relative_paths(media):
    clips = json.loads((media / MANIFEST_NAME).read_text())["clips"]
    assert {(c["format"], c["transparent"]) for c in clips} == {("mp4", False), ("webm", True), ("gif", False)}
    export_hash = export_content_hash(paths.DEFAULT_EXPORT)
    for clip in clips:
        path = REPO / clip["path"]
        assert path.stat().st_size == clip["bytes"]
        assert (REPO / clip["poster"]).exists()
        assert clip["export_hash"] == export_hash and clip["scene"] == "ParameterCount"
        assert clip["digit"] == "train:7" and clip["duration"] > 3 and clip["resolution"][0] in (854, 480)


def test_paths_in_the_repo_are_written_relative_to_its_root():
    from nn_explainer.publish.clips import relative

    assert relative(paths.MEDIA_DIR / "clips/low/ForwardPass.mp4") == "media/clips/low/ForwardPass.mp4"


def test_manifest_deleted_or_corrupted_is_rebuilt(media):
    manifest = media / MANIFEST_NAME
    expected = clip_records(media)
    manifest.unlink()
    assert read_manifest(media) == expected
    manifest.write_text('{"clips": [{"path": "nowhere.mp4", "bytes": 1}]}')  # lies about the disk
    assert read_manifest(media) == expected
    manifest.write_text("{not json")
    assert read_manifest(media) == expected
    assert json.loads(manifest.read_text())["clips"] == expected


def test_render_skips_a_clip_that_is_up_to_date_unless_forced(media):
    """`render` keys clips as `all` does: the same request again renders nothing."""
    clip = media / "clips/low/ParameterCount.mp4"
    before = clip.stat().st_mtime_ns
    again = run_cli("render", "ParameterCount", "--media-dir", media)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0].endswith("ParameterCount.mp4") and "up to date" in again.stdout
    assert clip.stat().st_mtime_ns == before
    forced = run_cli("render", "ParameterCount", "--media-dir", media, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "up to date" not in forced.stdout and clip.stat().st_mtime_ns != before


def test_transparent_mp4_names_the_format_that_works():
    line = assert_clean_failure(run_cli("render", "ParameterCount", "--format", "mp4", "--transparent"))
    assert "--format webm" in line


def test_only_what_changed_is_rendered(tmp_path):
    from nn_explainer.model.pipeline import run_training
    from nn_explainer.model.train import TrainConfig

    export = tmp_path / "network.json"
    shutil.copy(paths.DEFAULT_EXPORT, export)
    template = RenderRequest("ForwardPass", export=export, media_dir=tmp_path / "media")
    scenes = ["ForwardPass", "ParameterCount"]
    first = render_all(template, scenes, jobs=2)
    assert sorted(first["rendered"]) == sorted(scenes)
    second = render_all(template, scenes)
    assert second["rendered"] == []  # nothing changed, nothing rendered

    # Retraining with the same seed changes the file (its wall-clock seconds) but
    # nothing that is drawn: the content hash, and so every key, stays the same.
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    run_training(TrainConfig(epochs=1, seed=4), tmp_path / "one.safetensors", one, progress=False)
    run_training(TrainConfig(epochs=1, seed=4), tmp_path / "two.safetensors", two, progress=False)
    assert export_content_hash(one) == export_content_hash(two)

    # New values (another seed): scenes that draw weights re-render, ParameterCount not.
    shutil.copy(one, export)
    third = render_all(template, scenes)
    assert third["rendered"] == ["ForwardPass"]
    assert {c["scene"]: c["export_hash"] for c in read_manifest(tmp_path / "media")}["ForwardPass"] == \
        export_content_hash(one)


def test_retraining_re_renders_what_shows_values_and_the_chapter_shows_the_new_network(tmp_path):
    """`train --seed 1` then `all`: every beat that reads weights or activations, and the
    Chapter (the union of its beats), gets a new key; beats that read only the shapes
    keep theirs; and the Chapter then draws the new network's numbers."""
    from scene_state import numbers, written_by_section
    from nn_explainer.scenes.outline import ALL_BEATS, CHAPTER, GRADIENT_PARTS, SCENES, scene_class

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    shutil.copy(paths.DEFAULT_EXPORT, old)
    result = run_cli("train", "--seed", "1", "--epochs", "1", "--quiet", "--checkpoint", tmp_path / "new.safetensors",
                     "--export", new)
    assert result.returncode == 0, result.stderr
    keys = {path: {name: inputs_key(RenderRequest(name, export=path)) for name in SCENES} for path in (old, new)}
    changed = {name for name in SCENES if keys[old][name] != keys[new][name]}
    values = {beat.name for beat in ALL_BEATS if beat.reads & {"weights", "digit", "examples", "evidence", *GRADIENT_PARTS}}
    # ChapterConv plays none of its beats for an MLP (outline.beats_of): nothing of it changes
    assert changed == values | {"Chapter", "WhatHiddenNeuronsDo", "Chapter2"}
    assert "ParameterCount" not in changed and "weights" in CHAPTER.reads

    # The beat that writes the outputs, drawn from the new export (that the Chapter hands
    # its beats the export it is given: test_chapter.py, with the ReLU network's)
    _, seen = written_by_section(scene_class("NetworkIsAFunction"), export=new)
    outputs = next(s for strings in seen.values() for s in strings if r"\text{this digit}" in s)
    from nn_explainer.model.schema import read_export

    fresh, stale = read_export(new).example("train:7"), read_export(old).example("train:7")
    assert numbers(outputs) == [float(f"{y:.2f}") for y in fresh.a[-1]] != [float(f"{y:.2f}") for y in stale.a[-1]]


def test_source_changes_change_the_key(tmp_path, monkeypatch):
    from nn_explainer.publish import keys as dependencies

    request = RenderRequest("Sigmoid")
    before = inputs_key(request)
    assert inputs_key(RenderRequest("Sigmoid", quality="medium")) != before
    real = dependencies.source_hash
    monkeypatch.setattr(dependencies, "source_hash", lambda scene: real(scene) + "edited")
    assert inputs_key(request) != before
    files = {f.name for f in dependencies.source_files("nn_explainer.scenes.chapter_one.activation_function")}
    assert {"activation_function.py", "beat.py", "style.py", "story.py", "outline.py", "schema.py",
            "activations.py"} <= files


CHAPTER_NAME = "WhatHiddenNeuronsDo"
CHAPTER_BEATS = CHAPTERS[CHAPTER_NAME]


@pytest.fixture(scope="module")
def chapter(tmp_path_factory):
    """`render.py render WhatHiddenNeuronsDo --voice joe` from nothing: (media folder, the
    CLI's result). A chapter of four beats: how a chapter is joined, voiced and subtitled
    is the same code for every chapter, and chapter one's 17 beats cost this suite two
    minutes more (each beat's own clip, voice and layout are tested beat by beat)."""
    folder = tmp_path_factory.mktemp("chapter")
    result = run_cli("render", CHAPTER_NAME, "--voice", "joe", "--media-dir", folder, timeout=1500)
    assert result.returncode == 0, result.stderr
    return folder, result


def decoded(path, only=None):
    """The clip's frames as RGB arrays (those whose index is in `only`, if given), and how many."""
    frames, count = {}, 0
    with av.open(str(path)) as container:
        for count, frame in enumerate(container.decode(video=0), start=1):
            if only is None or count - 1 in only:
                frames[count - 1] = frame.to_ndarray(format="rgb24")
    return frames, count


def test_chapter_is_its_beats_clips_joined_without_re_encoding(chapter):
    """Every beat's clip is in the Chapter, in order, frame for frame: the first and last
    frames of each beat decode to the very same pixels (copied packets, not re-encoded),
    and the frame counts add up."""

    media, _ = chapter
    folder = media / "clips/low"
    starts, total = [], 0
    for beat in CHAPTER_BEATS:
        starts.append(total)
        total += decoded(folder / f"{beat.name}.mp4", only=set())[1]
    wanted = set(starts) | {start - 1 for start in starts[1:]} | {total - 1}
    joined, count = decoded(folder / f"{CHAPTER_NAME}.mp4", only=wanted)
    assert count == total
    for beat, start, end in zip(CHAPTER_BEATS, starts, starts[1:] + [total]):
        own, length = decoded(folder / f"{beat.name}.mp4", only={0, end - start - 1})
        assert np.array_equal(joined[start], own[0]), beat.name
        assert np.array_equal(joined[end - 1], own[length - 1]), beat.name
    record = json.loads((folder / f"{CHAPTER_NAME}.mp4.json").read_text())
    beats = [json.loads((folder / f"{beat.name}.mp4.json").read_text()) for beat in CHAPTER_BEATS]
    assert record["duration"] == pytest.approx(sum(b["duration"] for b in beats), abs=1e-3)
    poster = np.asarray(Image.open(folder / f"{CHAPTER_NAME}.poster.png"))
    assert np.array_equal(poster, np.asarray(Image.open(folder / f"{CHAPTER_BEATS[-1].name}.poster.png")))


def test_chapter_from_up_to_date_beats_renders_nothing_again(chapter):
    media, _ = chapter
    before = {p.name: p.stat().st_mtime_ns for p in (media / "clips/low").glob("*.mp4")}
    again = run_cli("render", CHAPTER_NAME, "--voice", "joe", "--media-dir", media)
    assert again.returncode == 0, again.stderr
    assert "rendering" not in again.stdout + again.stderr and "up to date" in again.stdout
    after = {p.name: p.stat().st_mtime_ns for p in (media / "clips/low").glob("*.mp4")}
    assert after == before  # the Chapter too is up to date: not even joined again
    forced = run_cli("render", CHAPTER_NAME, "--voice", "joe", "--media-dir", media, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "rendering" not in forced.stdout + forced.stderr  # no beat was stale
    after = {p.name: p.stat().st_mtime_ns for p in (media / "clips/low").glob("*.mp4")}
    assert {name for name in before if before[name] != after[name]} == {f"{CHAPTER_NAME}.mp4"}  # joined again


def test_one_pass_chapter_lasts_as_long_as_its_joined_beats(chapter):
    """The stock CLI's Chapter (one scene, every beat) cuts from beat to beat just as the
    joined clip does: the same length, beat for beat."""
    from scene_state import run_scene
    from nn_explainer.scenes.outline import scene_class

    media, _ = chapter
    starts, plays = [], []
    run_scene(scene_class(CHAPTER_NAME), on_section=lambda scene, name: (starts.append(scene.time), plays.append(0)),
              after_play=lambda scene: plays.__setitem__(-1, plays[-1] + 1), voice="joe")
    lengths = [b - a for a, b in zip(starts, starts[1:])]
    beats = [json.loads((media / f"clips/low/{beat.name}.mp4.json").read_text()) for beat in CHAPTER_BEATS]
    assert len(lengths) == len(beats)
    for length, beat, count in zip(lengths, beats, plays):
        # skipped animations last their run_time; drawn ones a whole number of frames each
        assert abs(beat["duration"] - length) <= count / beat["fps"] + 1e-3, beat["scene"]


def test_chapter_subtitles_are_its_beats_spoken_sentences_in_place(chapter):
    """Each beat's cues (its sentences at the voice's times), shifted to where the beat
    starts in the joined video; a <track> in the gallery."""
    from nn_explainer.publish.assemble import parse_srt
    from nn_explainer.publish.audio_track import video_seconds

    tmp_path, result = chapter
    video = REPO / result.stdout.splitlines()[0].strip()
    cues = parse_srt(video.with_suffix(".srt").read_text())
    wanted, start = [], 0.0
    for beat in CHAPTER_BEATS:
        clip = video.parent / f"{beat.name}.mp4"
        wanted += [(start + a, start + b, text) for a, b, text in parse_srt(clip.with_suffix(".srt").read_text())]
        start += video_seconds(clip)
    assert [text for *_, text in cues] == [text for *_, text in wanted]
    assert len(cues) >= 3 * len(CHAPTER_BEATS)  # several sentences a beat
    from test_subtitles import assert_cues_as_platforms_expect

    assert_cues_as_platforms_expect(cues)  # two lines of 42 at most, 1-7 s each
    for (a, b, _), (c, d, _) in zip(cues, wanted):
        assert abs(a - c) <= 0.002 and abs(b - d) <= 0.002
    assert all(a[1] <= b[0] for a, b in zip(cues, cues[1:]))  # no sentence overlaps the next
    assert cues[-1][1] <= video_seconds(video)
    record = json.loads((video.parent / (video.name + ".json")).read_text())
    assert record["subtitles"].endswith(f"{CHAPTER_NAME}.srt")
    vtt = video.with_suffix(".vtt").read_text()  # the same cues for a browser's <track>
    assert vtt.startswith("WEBVTT") and vtt.count(" --> ") == len(cues)
    assert run_cli("gallery", "--media-dir", tmp_path).returncode == 0
    page = (tmp_path / "gallery.html").read_text()
    assert f'kind=&quot;subtitles&quot; src=&quot;clips/low/{CHAPTER_NAME}.vtt&quot;' in page  # the snippet links the file
    assert '<track kind="subtitles" src="data:text/vtt;' in page  # the page carries the cues (from disk too)


def test_chapter_audio_is_its_beats_voices_with_no_gap_at_a_join(chapter):
    """One audio stream as long as the video; at every join the joined track is the two
    beats' tracks end to end (sample for sample, each within half a packet of its
    video), so nothing is dropped or shifted where beats meet; loudness in the band
    over the whole chapter."""
    from nn_explainer.publish.assemble import parse_srt
    from nn_explainer.publish.audio_track import decode, video_seconds
    from test_narration import assert_voice_keeps_to_its_cues, ebur128, voiced_runs

    media, result = chapter
    video = REPO / result.stdout.splitlines()[0].strip()
    with av.open(str(video)) as container:
        assert [s.codec_context.name for s in container.streams.audio] == ["aac"]
        audio_seconds = sum(frame.samples for frame in container.decode(audio=0)) / 48_000
    assert abs(audio_seconds - video_seconds(video)) <= 1 / 15
    joined = decode(video)
    beats = np.concatenate([decode(video.parent / f"{beat.name}.mp4") for beat in CHAPTER_BEATS])
    assert abs(len(joined) - len(beats)) <= 48_000 / 15

    def matches_within_half_a_packet(begin, end):
        """Whether joined[begin:end] is the beats' own sound, decoded alone, played at
        most half a packet (512 samples, 11 ms: under a frame) early or late: packets
        are copied, not re-encoded, so that is how close a beat's sound can sit to
        where its video starts."""
        ours = joined[begin:end]
        return min(np.abs(ours - beats[begin - lag:end - lag]).max() for lag in range(-512, 513)) <= 0.01

    start = 0.0
    for beat in CHAPTER_BEATS[:-1]:  # half a second either side of every join
        start += video_seconds(video.parent / f"{beat.name}.mp4")
        at = round(start * 48_000)
        assert matches_within_half_a_packet(at - 24_000, at) and matches_within_half_a_packet(at, at + 24_000), beat.name
    integrated, peak = ebur128(video)
    assert -17 <= integrated <= -15 and peak <= -1.0
    # In step over the whole chapter: every sentence's voice starts and ends with its cues.
    from nn_explainer.scenes.beat import beat_module, check_beats
    from nn_explainer.scenes.settings import Settings
    from test_subtitles import sentence_spans

    story = check_beats([beat.name for beat in CHAPTER_BEATS], Settings())
    sentences = [line for beat in CHAPTER_BEATS if hasattr(beat_module(beat.name), "script")
                 for line in beat_module(beat.name).script(story).values()]
    spans = sentence_spans(parse_srt(video.with_suffix(".srt").read_text()), sentences)
    assert_voice_keeps_to_its_cues(voiced_runs(joined), spans, 1 / 15 + 0.02)


def test_a_killed_render_leaves_no_clip_and_an_honest_manifest(tmp_path):
    media = tmp_path / "media"
    process = subprocess.Popen([sys.executable, str(REPO / "render.py"), "render", "Chapter",
                                "--media-dir", media], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(8)  # mid-render: the Chapter's beats take a minute
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    final = media / "clips/low/Chapter.mp4"
    assert not final.exists()
    assert not list((media / "clips/low").glob("Chapter*.mp4"))
    # Beats finished before the kill are whole, with their sidecars; nothing else is listed.
    listed = read_manifest(media)
    assert {Path(record["path"]).name for record in listed} == {
        p.name for p in (media / "clips/low").glob("*.mp4") if (p.parent / (p.name + ".json")).exists()}


def test_all_waits_for_a_render_holding_the_media_folder(tmp_path):
    """Issue 32: `all` started while a `render` writes to the same folder used to refuse,
    naming an `all` that was not running. Now it waits, names the real holder, and both
    publish playable clips with no work folders left behind."""
    media = tmp_path / "media"
    render = subprocess.Popen([sys.executable, str(REPO / "render.py"), "render", "Bias", "--media-dir", media],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    lock = media / ".lock"
    while not (lock.exists() and "render.py render" in lock.read_text()):
        assert render.poll() is None and time.monotonic() < deadline, "the render never took the lock"
        time.sleep(0.05)
    everything = run_cli("all", "--media-dir", media, "--scenes", "ParameterCount", "Bias")
    assert render.wait(timeout=300) == 0, render.stderr.read()
    assert everything.returncode == 0, everything.stderr
    waiting = [line for line in everything.stderr.splitlines() if line.startswith("waiting")]
    assert len(waiting) == 1 and "`render.py render` (pid " in waiting[0], everything.stderr
    clips = sorted((media / "clips/low").glob("*.mp4"))
    assert [clip.name for clip in clips] == ["Bias.mp4", "ParameterCount.mp4"]
    for clip in clips:  # playable: every frame decodes
        with av.open(str(clip)) as container:
            assert sum(1 for _ in container.decode(video=0)) > 15
    leftovers = [p for p in media.rglob("*") if p.name.startswith(".") and p.name != ".lock"]
    assert not leftovers


def test_ctrl_c_while_waiting_for_the_lock_leaves_nothing(tmp_path):
    from nn_explainer.publish.media import exclusive

    media = tmp_path / "media"
    with exclusive(media, "render.py render"):
        waiting = subprocess.Popen([sys.executable, str(REPO / "render.py"), "all", "--media-dir", media,
                                    "--scenes", "ParameterCount"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        line = waiting.stderr.readline()
        assert line.startswith("waiting: `render.py render` (pid "), line
        waiting.send_signal(signal.SIGINT)
        assert waiting.wait(timeout=60) == 130
    assert sorted(p.name for p in media.iterdir()) == [".lock"]


def test_snapshots_show_the_same_digit_through_an_earlier_network(tmp_path):
    from nn_explainer.model.schema import read_export
    from scene_state import fills, run_scene
    from nn_explainer.scenes.chapter_one.forward_pass import ForwardPass

    export = tmp_path / "network.json"
    result = run_cli("train", "--epochs", "2", "--snapshots", "0,1,final", "--quiet",
                     "--checkpoint", tmp_path / "network.safetensors", "--export", export)
    assert result.returncode == 0, result.stderr
    early = read_export(tmp_path / "network.epoch0.json")
    final = read_export(export)
    assert early.training["epochs"] == 0 and final.training["epochs"] == 2
    assert not np.allclose(early.network.weights[0], final.network.weights[0])
    scene = run_scene(ForwardPass, export=tmp_path / "network.epoch0.json")
    assert np.allclose(fills(scene)[3], early.example("train:7").a[3], atol=1e-6)
    # through the CLI, by epoch
    rendered = run_cli("render", "ForwardPass", "--snapshot", "1", "--export", export, "--media-dir", tmp_path / "m")
    assert rendered.returncode == 0, rendered.stderr
    network = RenderRequest("ForwardPass", export=export).network()   # another network than ours: named
    assert f"ForwardPass_net-{network}_epoch1.mp4" in rendered.stdout
    missing = assert_clean_failure(run_cli("render", "ForwardPass", "--snapshot", "7", "--export", export))
    assert "train with --snapshots 7" in missing
