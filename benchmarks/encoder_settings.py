"""Benchmark: which H.264 settings should the project render with?

For each candidate (x264 preset, tune, crf, manim's in-flight encoders) and each scene,
renders the scene with the stock `manim render -q<quality> --disable_caching`, from a
scratch folder whose `manim.cfg` holds the candidate (so this also checks that the
settings reach manim the way the project's own `manim.cfg` does), and measures:
- wall seconds per second of video (the whole process, as a user waits for it), and
  CPU seconds (all threads: what two renders side by side compete for);
- the file's bytes;
- quality against a lossless encoding (crf 0) of the very same frames (rendering is
  deterministic), every `--every`-th frame: PSNR of each plane, Y (luma), U and V
  (chroma, where thin blue and red lines live: a luma figure alone misses what
  encoding does to them), and of the RGB picture a viewer sees (all three channels);
  the minimum over the frames of Y's, and the SSIM of the luma plane.
Renders are interleaved (candidate by candidate within each scene, `--runs` rounds) so
that a drift in machine speed hits every candidate alike. The bar (issue 12): mean PSNR at
most 0.3 dB below manim's default on every scene, and at most 1.2x its bytes; since
issue 21, on every plane (Y, U, V and RGB).

    .venv/bin/python benchmarks/encoder_settings.py                       # the sweep
    .venv/bin/python benchmarks/encoder_settings.py --candidates default,project \
        --scenes all                                                      # every beat
A script to run by hand, not a test: times depend on the machine.
"""
from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nn_explainer.publish import encoding  # noqa: E402  (the project's own choice is a candidate)

ANIMATION = "deblock=1,1:psy-rd=0.4,0:aq-strength=0.6:bframes=5"
# name -> (x264 options, in-flight encoders). "default" is manim 0.22's own.
CANDIDATES = {
    "default": ({"crf": "23", "preset": "medium"}, 1),
    "default+2": ({"crf": "23", "preset": "medium"}, 2),
    "veryfast": ({"crf": "23", "preset": "veryfast"}, 1),
    "veryfast+2": ({"crf": "23", "preset": "veryfast"}, 2),
    "veryfast-crf20+2": ({"crf": "20", "preset": "veryfast"}, 2),
    "veryfast-crf20-anim+2": ({"crf": "20", "preset": "veryfast", "tune": "animation"}, 2),
    # tune=animation spelled as its x264 parameters (at preset veryfast), which VP9 ignores
    # where it refuses `tune`: what manim.cfg can hold for every format.
    "veryfast-crf20-animparams+2": ({"crf": "20", "preset": "veryfast", "x264-params": ANIMATION}, 2),
    "veryfast-crf20.5-animparams+2": ({"crf": "20.5", "preset": "veryfast", "x264-params": ANIMATION}, 2),
    "veryfast-crf21-animparams+2": ({"crf": "21", "preset": "veryfast", "x264-params": ANIMATION}, 2),
    "faster-crf21+2": ({"crf": "21", "preset": "faster"}, 2),
    "superfast-crf18+2": ({"crf": "18", "preset": "superfast"}, 2),
    "project": (dict(encoding.X264_OPTIONS), encoding.INFLIGHT_ENCODERS),
    # Issue 21: chroma. x264 lowers the chroma QP by 2 by itself where psy-rd is active
    # (subme >= 6: preset medium, manim's default), not at veryfast (subme 2), so our
    # thin coloured lines lost 1-1.7 dB of U and V; these set it by hand, or drop psy
    # (which veryfast leaves inactive anyway: the same file).
    "veryfast-crf21-animparams-cqp-2+2": ({"crf": "21", "preset": "veryfast",
                                          "x264-params": ANIMATION + ":chroma-qp-offset=-2"}, 2),
    "veryfast-crf21-animparams-cqp-4+2": ({"crf": "21", "preset": "veryfast",
                                          "x264-params": ANIMATION + ":chroma-qp-offset=-4"}, 2),
    "veryfast-crf21-animparams-nopsy+2": ({"crf": "21", "preset": "veryfast",
                                          "x264-params": ANIMATION.replace("psy-rd=0.4,0", "psy=0")}, 2),
    "veryfast-crf21+2": ({"crf": "21", "preset": "veryfast"}, 2),
}
REFERENCE = ({"crf": "0", "preset": "ultrafast"}, 2)  # lossless: the frames themselves


def scene_files(names: list[str], bench: Path) -> dict[str, tuple[Path, str]]:
    from nn_explainer.scenes.outline import BEATS, scene_info

    files = {"Floor": (bench / "floor_scene.py", "Floor")} if "Floor" in names or names == ["all"] else {}
    if names == ["all"]:
        names = [beat.name for beat in BEATS]
    for name in names:
        if name == "Floor":
            continue
        module = scene_info(name).module
        files[name] = (REPO / Path(*module.split("."))).with_suffix(".py"), name
    return files


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def render(file: Path, scene: str, quality: str, options: dict, inflight: int, out: Path) -> tuple[float, float, Path]:
    """Wall and CPU seconds of one stock `manim render` with these settings; the video's path."""
    with tempfile.TemporaryDirectory() as folder:
        cfg = "[CLI]\nmax_inflight_encoders = %d\n\n[video_encoder.options]\n%s\n" % (
            inflight, "\n".join(f"{key} = {value}" for key, value in options.items()))
        Path(folder, "manim.cfg").write_text(cfg)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        started, cpu = time.perf_counter(), children_cpu()
        subprocess.run([sys.executable, "-m", "manim", "render", f"-q{quality}", "--disable_caching",
                        "--media_dir", str(out), "--progress_bar", "none", "-v", "WARNING", str(file), scene],
                       check=True, cwd=folder, env=env)
        wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    return wall, cpu, max(out.rglob(f"{scene}.mp4"), key=lambda p: p.stat().st_mtime)


PLANES = ("Y", "U", "V", "RGB")


def frames(path: Path, every: int):
    """Every `every`-th frame as its planes: {"Y", "U", "V": the yuv420p planes as
    stored, "RGB": the picture as a player shows it}, float64."""
    import av

    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index % every:
                continue
            height = frame.height
            yuv = frame.to_ndarray(format="yuv420p").astype("float64")  # Y rows, then U, then V
            chroma = yuv[height:].reshape(2, height // 2, -1)
            yield {"Y": yuv[:height], "U": chroma[0], "V": chroma[1],
                   "RGB": frame.to_ndarray(format="rgb24").astype("float64")}


def psnr(a, b) -> float:
    mse = float(((a - b) ** 2).mean())
    return math.inf if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def ssim(a, b) -> float:
    """SSIM of two luma planes with an 8x8 box window (the constants of Wang et al. 2004)."""
    import numpy as np

    def box(x):
        s = np.cumsum(np.cumsum(np.pad(x, ((1, 0), (1, 0))), 0), 1)
        return (s[8:, 8:] - s[:-8, 8:] - s[8:, :-8] + s[:-8, :-8]) / 64

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = box(a), box(b)
    var_a, var_b, cov = box(a * a) - mu_a ** 2, box(b * b) - mu_b ** 2, box(a * b) - mu_a * mu_b
    value = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    return float(value.mean())


def quality(video: Path, reference: Path, every: int) -> dict[str, float]:
    """Mean PSNR of each plane (PLANES), the minimum of Y's ("Y min") and the mean luma
    SSIM ("SSIM") of `video` against the lossless `reference`."""
    psnrs = {plane: [] for plane in PLANES}
    ssims = []
    for ours, lossless in zip(frames(video, every), frames(reference, every)):
        for plane in PLANES:
            psnrs[plane].append(min(psnr(ours[plane], lossless[plane]), 99.0))
        ssims.append(ssim(ours["Y"], lossless["Y"]))
    return {**{plane: statistics.mean(values) for plane, values in psnrs.items()},
            "Y min": min(psnrs["Y"]), "SSIM": statistics.mean(ssims)}


def video_seconds(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        return container.duration / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", default="h", help="manim quality letter: l, m, h (1080p60), k (4K)")
    parser.add_argument("--scenes", default="Floor,ForwardPass", help="comma-separated, or 'all' for every beat")
    parser.add_argument("--candidates", default=",".join(CANDIDATES), help="comma-separated names")
    parser.add_argument("--runs", type=int, default=1, help="rounds; the median wall time is used")
    parser.add_argument("--every", type=int, default=10, help="compare every N-th frame")
    parser.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench")
    args = parser.parse_args()
    candidates = {name: CANDIDATES[name] for name in args.candidates.split(",")}
    scenes = scene_files(args.scenes.split(","), args.bench)
    print(f"quality -q{args.quality}, {args.runs} round(s); project: {encoding.X264_OPTIONS}, "
          f"{encoding.INFLIGHT_ENCODERS} in flight", flush=True)
    print(f"{'scene':<18} {'candidate':<22} {'s/video s':>9} {'vs default':>10} {'CPU s/s':>7} {'MB':>7} {'bytes x':>7} "
          f"{'PSNR Y/U/V/RGB dB (vs default)':>44} {'Y min':>5} {'SSIM':>7}", flush=True)
    per_second: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for scene, (file, cls) in scenes.items():
            _, _, reference = render(file, cls, args.quality, *REFERENCE, Path(scratch, scene, "reference"))
            length = video_seconds(reference)
            walls, cpus = {name: [] for name in candidates}, {name: [] for name in candidates}
            videos = {}
            for round_ in range(args.runs):
                for name, (options, inflight) in candidates.items():
                    wall, cpu, videos[name] = render(file, cls, args.quality, options, inflight,
                                                     Path(scratch, scene, f"{name}-{round_}"))
                    walls[name].append(wall)
                    cpus[name].append(cpu)
            base_bytes = videos["default"].stat().st_size if "default" in videos else None
            base = statistics.median(walls["default"]) / length if "default" in walls else None
            measured = {name: quality(videos[name], reference, args.every) for name in candidates}
            for name in candidates:
                per_second[scene, name] = statistics.median(walls[name]) / length
                size = videos[name].stat().st_size
                ratio = f"{per_second[scene, name] / base:.2f}x" if base else "-"
                size_ratio = f"{size / base_bytes:.2f}" if base_bytes else "-"
                cpu = statistics.median(cpus[name]) / length
                planes = " / ".join(
                    f"{measured[name][plane]:.2f}" + (f" ({measured[name][plane] - measured['default'][plane]:+.2f})"
                                                      if "default" in measured else "") for plane in PLANES)
                print(f"{scene:<18} {name:<22} {per_second[scene, name]:9.2f} {ratio:>10} {cpu:7.2f} {size / 1e6:7.2f} "
                      f"{size_ratio:>7} {planes:>44} {measured[name]['Y min']:5.1f} {measured[name]['SSIM']:7.4f}",
                      flush=True)
    if "Floor" in scenes:
        print("\nper second of video, each scene / Floor with the same settings:")
        for name in candidates:
            ratios = [f"{scene} {per_second[scene, name] / per_second['Floor', name]:.2f}x"
                      for scene in scenes if scene != "Floor"]
            print(f"  {name:<22} {', '.join(ratios)}")


if __name__ == "__main__":
    main()
