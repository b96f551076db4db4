"""KnockOneOut: silence one hidden neuron at a time and measure the test accuracy.

From the export's neuron evidence (model/neuron_evidence.py, re-proved on every read):
a silenced neuron's activation is held at its mean over the 10,000 test digits, and the
network answers every test digit again. One bar per listed neuron of the first two
hidden layers, sorted, its height the accuracy lost; the costliest neuron's accuracy
written. Then the sloppy three's ten outputs with and without that neuron.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, FadeIn, Line, Rectangle, Text, VGroup

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.beat import BeatScene
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.mobjects.layout import fit_width
from nn_explainer.scenes.mobjects.raster import fade_in_as_picture, fade_out_as_picture
from nn_explainer.scenes.speech.narration import say
from nn_explainer.scenes.hidden_neurons.what_excites_a_neuron import check  # noqa: F401  (the same refusal)

BAR_HEIGHT = 2.6  # frame units of the largest loss (the post layout: 2.0, its text is larger)


def percent(correct: int, digits: int) -> str:
    return spoken.percent_text(correct / digits, 2)


def sorted_neurons(layer) -> list[int]:
    """The layer's neurons, the costliest to silence first (ties to the lower index)."""
    return [n for _, n in sorted(zip(layer.knockout_correct.tolist(), layer.neurons))]


def script(story) -> dict[str, str]:
    evidence = story.export.neuron_evidence
    layer = evidence.layers[evidence.knocked_layer - 1]
    worst = int(layer.knockout_correct[layer.row(evidence.knocked_neuron)])
    example = story.export.example(evidence.example_id)
    before, after = spoken.percent(evidence.intact_correct / evidence.digits, 2), spoken.percent(worst / evidence.digits, 2)
    silenced = f"Silencing neuron {spoken.integer(evidence.knocked_neuron)} of layer {spoken.integer(evidence.knocked_layer)}"
    lines = {
        "idea": "Another test: silence one neuron, holding it at its average, and see how often the network is still right.",
        "worst": (f"{silenced} hurts most: accuracy falls from {before} to {after}." if before != after else
                  # the same to three figures: the fall said in points, never "from x to x"
                  f"{silenced} hurts most, though hardly: accuracy falls by "
                  f"{spoken.decimal(100 * (evidence.intact_correct - worst) / evidence.digits, 2)} points, from {before}."),
    }
    if len(evidence.layers) > 1:
        second = evidence.layers[1]
        lines["layers"] = (f"No single neuron of the second layer matters much: the worst costs "
                           f"{spoken.decimal(100 * (evidence.intact_correct - second.knockout_correct.min()) / evidence.digits, 2)} points."
                           if evidence.intact_correct - second.knockout_correct.min() < 0.01 * evidence.digits else
                           f"In the second layer, the costliest neuron takes accuracy down to "
                           f"{spoken.percent(second.knockout_correct.min() / evidence.digits, 2)}.")
    else:
        lines["layers"] = "This network has one hidden layer, so that is the whole story."
    before, after = example.a[-1], evidence.knocked_outputs
    answer_before, answer_after = int(np.argmax(before)), int(np.argmax(after))
    asked = (f"And the sloppy three without neuron {spoken.integer(evidence.knocked_neuron)} "
             f"of layer {spoken.integer(evidence.knocked_layer)}?")
    was, now = spoken.decimal(before[answer_before]), spoken.decimal(after[answer_after])
    if answer_before != answer_after:
        lines["three"] = f"{asked} The answer changes from {spoken.integer(answer_before)} to {spoken.integer(answer_after)}."
    elif was == now:  # the table's two decimals show no change: say so, not "from x to x"
        lines["three"] = f"{asked} The answer stays {spoken.integer(answer_after)}, its output still {now}."
    else:
        lines["three"] = f"{asked} The answer stays {spoken.integer(answer_after)}, its output going from {was} to {now}."
    if example.id != "train:7":
        lines["three"] = lines["three"].replace("the sloppy three", "this digit")
    return lines


def bar_panel(layer, evidence, fonts, scale: float, width: float) -> VGroup:
    """Bars of accuracy lost, costliest first, neuron numbers under them."""
    order = sorted_neurons(layer)
    step = width / len(order)
    bars, names = VGroup(), VGroup()
    for position, neuron in enumerate(order):
        lost = evidence.intact_correct - int(layer.knockout_correct[layer.row(neuron)])
        height = max(fonts.pick(BAR_HEIGHT, 2.0) * max(lost, 0) / scale, 0.02)
        bar = Rectangle(width=step * 0.7, height=height, stroke_width=0)
        bar.set_fill(style.NEGATIVE, opacity=0.85).move_to([position * step, height / 2, 0])
        bar.neuron, bar.lost = neuron, lost
        bars.add(bar)
        rows = fonts.pick(2, 3)  # staggered: two-digit numbers side by side would touch
        names.add(Text(str(neuron), font_size=fonts.small).next_to([position * step, 0, 0], DOWN,
                                                                    0.12 + fonts.pick(0.3, 0.42) * (position % rows)))
    axis = Line([-step / 2, 0, 0], [width - step / 2, 0, 0], stroke_width=2, color=style.PIXEL_STROKE)
    worst = order[0]
    note = Text(f"without {worst}: {percent(int(layer.knockout_correct[layer.row(worst)]), evidence.digits)}",
                font_size=fonts.small).next_to(bars[0], UP, 0.12).align_to(bars[0], LEFT)
    title = Text(f"layer {layer.layer}", font_size=fonts.small).next_to(names, DOWN, 0.15)
    panel = VGroup(axis, bars, names, note, title)
    panel.bars, panel.note = bars, note
    return panel


def outputs_table(name: str, rows, fonts) -> VGroup:
    """The ten outputs in columns under their digits, one row per case (in the post layout
    two blocks of five digits, one above the other), then the answers."""
    blocks = fonts.pick([range(10)], [range(5), range(5, 10)])
    table, y = VGroup(), 0.0
    for digits in blocks:
        cells = [[Text(f"{name}: output", font_size=fonts.small)] + [Text(str(d), font_size=fonts.small) for d in digits]]
        cells += [[Text(label, font_size=fonts.small)] + [Text(fmt(values[d]), font_size=fonts.small) for d in digits]
                  for label, values in rows]
        label_width = max(row[0].width for row in cells)
        column = max(cell.width for row in cells for cell in row[1:]) + 0.25
        for row in cells:
            row[0].move_to([0, y, 0], aligned_edge=LEFT)
            for position, cell in enumerate(row[1:]):
                cell.move_to([label_width + 0.3 + (position + 0.5) * column, y, 0])
            table.add(*row)
            y -= fonts.pick(0.4, 0.55)
    answers = " → ".join(str(int(np.argmax(values))) for _, values in rows)
    table.add(Text(f"answer: {answers}", font_size=fonts.small).move_to([0, y, 0], aligned_edge=LEFT))
    return table


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    evidence = story.export.neuron_evidence
    title = fit_width(Text("silence one neuron (held at its mean):" + fonts.pick(" ", "\n") + "test accuracy, all neurons: "
                           f"{percent(evidence.intact_correct, evidence.digits)}", font_size=fonts.label)).to_edge(UP, buff=0.3)
    caption = Text("bar height: accuracy lost", font_size=fonts.small).next_to(title, DOWN, 0.2)
    scale = max(1, max(evidence.intact_correct - int(layer.knockout_correct.min()) for layer in evidence.layers))
    width = fonts.pick(5.4, 5.6) if len(evidence.layers) > 1 else 8.0
    panels = VGroup(*[bar_panel(layer, evidence, fonts, scale, width) for layer in evidence.layers])
    panels.arrange(RIGHT, buff=0.9, aligned_edge=DOWN).next_to(caption, DOWN, 0.5)
    fit_width(panels)
    with say(scene, lines["idea"]):
        fade_in_as_picture(scene, title, caption, run_time=0.6)
    with say(scene, lines["worst"]):
        fade_in_as_picture(scene, panels[0], run_time=1.0)
        scene.wait(style.READ_SECONDS)
    with say(scene, lines["layers"]):
        if len(panels) > 1:
            fade_in_as_picture(scene, panels[1], run_time=1.0)
        scene.wait(style.READ_SECONDS)
    example = story.export.example(evidence.example_id)
    before, after = example.a[-1], evidence.knocked_outputs
    name = "the sloppy three" if example.id == "train:7" else example.id
    rows = outputs_table(name, [("all neurons", before),
                                (f"without {evidence.knocked_neuron} (layer {evidence.knocked_layer})", after)], fonts)
    fit_width(rows).to_edge(DOWN, buff=0.3).set_x(0)
    with say(scene, lines["three"]):
        if fonts.post:  # no room for both: the table takes the bars' place
            fade_out_as_picture(scene, panels, caption, run_time=0.4)
            rows.next_to(title, DOWN, 0.5)
        fade_in_as_picture(scene, rows, run_time=0.8)
        scene.wait(style.READ_SECONDS)


class KnockOneOut(BeatScene):
    beats = ("KnockOneOut",)
