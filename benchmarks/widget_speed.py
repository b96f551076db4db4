"""Benchmark: how fast the live widget answers, in headless Chromium.

Writes the widget for an export (default: the committed 784-16-16-10 network) into a
temporary folder, opens it in Debian's chromium through Playwright, and times inside
the page, with performance.now():
- `forward`: one forward pass over every layer, the figure the issue targets (under
  16 ms, one frame at 60 Hz), per call, averaged over many calls on the examples;
- `preprocess`: the drawing pad's 280x280 picture to 28x28 (crop, Lanczos, centre);
- `update`: what one pointer move costs the page in all: preprocess, forward, and
  redrawing the diagram, bars and pixel grid.

    .venv/bin/python benchmarks/widget_speed.py [--export PATH] [--calls 2000]

A script to run by hand, not a test: times depend on the machine.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FRAME_MS = 1000 / 60
TARGET_MS = 16   # the target for one forward pass: within a 60 Hz frame

TIMINGS = """(calls) => {
  const examples = nnExplainer.network.examples.map(e => Float64Array.from(e.pixels));
  const widget = window.nnExplainerWidget;
  const pad = widget.pad.getContext("2d").getImageData(0, 0, widget.pad.width, widget.pad.height);
  function time(work, count) {
    for (let i = 0; i < Math.min(count, 50); i++) work(i);      // let the JIT settle first
    const start = performance.now();
    for (let i = 0; i < count; i++) work(i);
    return (performance.now() - start) / count;
  }
  return {
    forward: time(i => nnExplainer.forward(examples[i % examples.length]), calls),
    preprocess: time(() => nnExplainer.preprocess(pad), Math.max(calls / 20, 20)),
    update: time(i => widget.showExample(nnExplainer.network.examples[i % examples.length]),
                 Math.max(calls / 20, 20)),
  };
}"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    from nn_explainer.model import paths
    from nn_explainer.publish.widget import write_widget

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--export", type=Path, default=paths.DEFAULT_EXPORT)
    parser.add_argument("--calls", type=int, default=2000, help="forward passes to average over")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        widget = write_widget(args.export, Path(folder) / "widget")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 960, "height": 640})
        page.goto((widget / "index.html").as_uri())
        page.wait_for_selector("[data-ready=true]")
        sizes = page.evaluate("() => nnExplainer.network.sizes.join('-')")
        # The pad holds the sloppy three (shown first), so preprocess has a digit to crop.
        figures = page.evaluate(TIMINGS, args.calls)
        browser.close()
    print(f"network {sizes}, Chromium {CHROMIUM}")
    for name, milliseconds in figures.items():
        print(f"{name:<11} {milliseconds:8.3f} ms per call  ({milliseconds / FRAME_MS:.1%} of a 60 Hz frame)")
    verdict = "meets" if figures["forward"] < TARGET_MS else "MISSES"
    print(f"forward pass {verdict} the target of {TARGET_MS} ms")


if __name__ == "__main__":
    main()
