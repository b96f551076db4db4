"""Benchmark: how long the offline voice takes to say the chapter, against how long it speaks.

Synthesizes every sentence of the chapter's script (the committed export, the sloppy
three) with the bundled voice into an empty cache, one sentence at a time as a render
does, and prints synthesis seconds per second of speech (target: at most 0.15x), the
preparation's share (resampling to 48 kHz, loudness normalisation, limiting), and a
second pass over the same sentences, which must synthesize nothing.

    .venv/bin/python benchmarks/narration_speed.py
A script to run by hand, not a test: times depend on the machine and on what else runs.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    from nn_explainer.scenes.speech import voice as voices
    from nn_explainer.scenes.beat import beat_module, check_beats
    from nn_explainer.scenes.outline import beats_of
    from nn_explainer.scenes.settings import Settings

    names = beats_of("Chapter")
    story = check_beats(names, Settings())
    sentences = [text for name in names for text in beat_module(name).script(story).values()]
    speaker = voices.voice_for("joe")
    speaker.samples("Warm up.")  # loads the model (about 0.3 s), as the first sentence of a render would
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        spoken = [voices.speak(speaker, text, Path(cache)) for text in sentences]
        cold = time.perf_counter() - started
        before = speaker.synthesized
        started = time.perf_counter()
        for text in sentences:
            voices.speak(speaker, text, Path(cache))
        warm = time.perf_counter() - started
        again = speaker.synthesized - before
    started = time.perf_counter()
    for text in sentences[:10]:
        speaker.samples(text)
    engine_only = (time.perf_counter() - started) / 10 * len(sentences)
    speech = sum(item.seconds for item in spoken)
    words = sum(len(text.split()) for text in sentences)
    print(f"chapter script: {len(sentences)} sentences, {words} words, {speech:.1f} s of speech")
    print(f"  synthesized into an empty cache: {cold:5.1f} s = {cold / speech:.3f}x the speech (target <= 0.15x)")
    print(f"    of which the engine alone (estimated from 10 sentences): {engine_only:5.1f} s")
    print(f"  again, from the cache: {warm:5.2f} s, sentences synthesized: {again}")


if __name__ == "__main__":
    main()
