"""Learning: learning is finding these weights, shown with the real training run.

The original shimmered random weights; ours steps through the snapshots that
training keeps (`network.epochN.json` beside the export, e.g. epochs 0, 1, 2, 5, 10)
and the export itself at its last epoch. At each: the featured neuron's incoming
weights as a heatmap, the digit's pass through the network as it was then (every
fill that snapshot's activations), and the held-out accuracy after every epoch (the
run's history, kept in the snapshots) with a dot at this snapshot's own test accuracy.
An export with no snapshots of its run says so and shows the final weights only.
"""
from __future__ import annotations

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, Axes, Dot, FadeIn, ReplacementTransform, Text, Transform,
                   VGroup, VMobject, Write)

from nn_explainer.scenes.speech import spoken
from nn_explainer.scenes import style
from nn_explainer.scenes.mobjects.equations import fmt
from nn_explainer.scenes.beat import BeatScene, begin_section
from nn_explainer.scenes.mobjects.heatmap import WeightHeatmap
from nn_explainer.scenes.mobjects.layout import keep_inside
from nn_explainer.scenes.mobjects.network_diagram import NetworkDiagram
from nn_explainer.scenes.mobjects.raster import cross_fade, fade_in_as_picture
from nn_explainer.scenes.speech.narration import say

HEATMAP_SIZE = 2.3
DIAGRAM_HEIGHT = 4.9
DIAGRAM_MAX_WIDTH = 5.8  # between the heatmap and the curve, whatever the depth
DIAGRAM_LABEL_SIZE = 18  # the diagram is drawn small: its digits and count are set back to legible
AXES_WIDTH, AXES_HEIGHT = 3.2, 2.6
# The post layout (bigger text): a smaller diagram, moved right of the heatmap's caption,
# without the output digits 0-9 (at a legible size they would pile onto each other; the
# readout line names the answer and its activation).
POST_HEATMAP_SIZE = 2.0
POST_DIAGRAM_HEIGHT, POST_DIAGRAM_MAX_WIDTH, POST_DIAGRAM_X = 4.0, 4.0, -0.5
STEP_SECONDS = 1.4      # one snapshot to the next


def check(story):
    story.check_drawable("Learning")


def usable_snapshots(story):
    """(epoch, export) of the run that hold the story's digit, last one the export."""
    return [(epoch, snapshot) for epoch, snapshot in story.snapshots
            if any(e.id == story.example.id for e in snapshot.examples)]


def history_of(snapshots) -> list[dict]:
    """The run's per-epoch record, from the first snapshot that carries it."""
    for _, snapshot in snapshots:
        if snapshot.training.get("history"):
            return snapshot.training["history"]
    return []


def accuracy_axes(epochs: int, fonts=style.VIDEO) -> tuple[Axes, VGroup]:
    """Axes for accuracy 0-1 over epochs 0-N, and their tick labels (legible Text)."""
    axes = Axes(x_range=[0, epochs, max(1, epochs // 5)], y_range=[0, 1, 0.25], x_length=AXES_WIDTH,
                y_length=AXES_HEIGHT, axis_config={"stroke_width": 2, "include_tip": False})
    ticks = VGroup(*[Text(str(x), font_size=fonts.small).next_to(axes.c2p(x, 0), DOWN, 0.15)
                     for x in sorted({0, epochs // 2, epochs})],
                   *[Text(f"{y:.0%}", font_size=fonts.small).next_to(axes.c2p(0, y), LEFT, 0.15)
                     for y in (0, 0.5, 1)])
    return axes, ticks


def readout(epoch: int, snapshot, digit_id: str, fonts=style.VIDEO) -> Text:
    example = snapshot.example(digit_id)
    answer = int(example.prediction)
    return Text(f"epoch {epoch}: test accuracy {spoken.percent_text(snapshot.training['test_accuracy'])}\n"
                f"the digit: it says {answer} (a = {fmt(example.a[-1][answer])})",
                font_size=fonts.caption, line_spacing=0.8)


def glyph_changes(old: Text, new: Text):
    """(animations, glyphs that stay): `ReplacementTransform(old, new)` as it looks, with
    only the glyphs that differ redrawn on each frame. With as many glyphs in both, manim
    pairs them one to one, and a glyph equal to its pair interpolates to itself: it can
    be left still (42 of a readout's 48 are). Otherwise the whole transform."""
    if len(old.submobjects) != len(new.submobjects):
        return [ReplacementTransform(old, new)], []
    animations, still = [], []
    for before, after in zip(old.submobjects, new.submobjects):
        if (before.points.shape == after.points.shape and np.allclose(before.points, after.points, atol=1e-9)
                and np.allclose(before.get_fill_rgbas(), after.get_fill_rgbas())):
            still.append(before)
        else:
            animations.append(Transform(before, after))
    return animations, still


def script(story) -> dict[str, str]:
    snapshots = usable_snapshots(story)
    neuron = spoken.integer(story.featured.index)
    if len(snapshots) < 2:
        return {
            "title": "Learning is finding these weights.",
            "fact": (("This network was trained without snapshots" if len(story.snapshots) < 2 else
                      "Its training snapshots do not keep this digit")
                     + f", so here are hidden neuron {neuron}'s weights as training left them."),
        }

    def accuracy(snapshot):
        return spoken.percent(snapshot.training["test_accuracy"], 1)

    def reading(snapshot):
        example = snapshot.example(story.example.id)
        answer = int(example.prediction)
        return f"it reads this digit as {spoken.integer(answer)}, at {spoken.decimal(float(example.a[-1][answer]))}"

    cap = style.MAX_DRAWN_NEURONS
    lines = {"title": ("Learning is finding these weights. Here is how ours found them, snapshot by snapshot: "
                       f"hidden neuron {neuron}'s weights, and the digit's pass.")}
    if max(story.network.sizes[1:]) > cap:
        lines["title"] += f" Layers wider than {spoken.integer(cap)} show their {spoken.integer(cap)} most active neurons."
    lines["curve"] = ("On the right, the accuracy on held-out digits after every epoch. "
                      "The dot marks each snapshot's own test accuracy.")
    (first_epoch, first), (last_epoch, last) = snapshots[0], snapshots[-1]
    when = "before any training" if first_epoch == 0 else f"after epoch {spoken.integer(first_epoch)}"
    lines[f"epoch_{first_epoch}"] = (f"{when[0].upper()}{when[1:]}, the network gets {accuracy(first)} of the test "
                                     f"digits right, and {reading(first)}.")
    for epoch, snapshot in snapshots[1:-1]:
        lines[f"epoch_{epoch}"] = f"After epoch {spoken.integer(epoch)}: {accuracy(snapshot)}."
    lines[f"epoch_{last_epoch}"] = (f"And after epoch {spoken.integer(last_epoch)}, the end of training, it gets "
                                    f"{accuracy(last)} right, and {reading(last)}.")
    return lines


def play(scene, story) -> None:
    lines = script(story)
    fonts = story.typography
    snapshots = usable_snapshots(story)
    neuron = story.featured.index
    title = Text("learning is finding these weights", font_size=fonts.title).to_edge(UP, 0.3)
    if len(snapshots) < 2:
        _no_snapshots(scene, story, title, lines)
        return
    history = history_of(snapshots)
    last_epoch = snapshots[-1][0]
    scale = max(float(np.abs(s.network.weights[0][neuron]).max()) for _, s in snapshots)  # one scale: growth shows

    def heatmap(snapshot):
        return WeightHeatmap(snapshot.network.weights[0][neuron], size=fonts.pick(HEATMAP_SIZE, POST_HEATMAP_SIZE),
                             scale=scale)

    def network(snapshot):
        example = snapshot.example(story.example.id)
        diagram = NetworkDiagram(snapshot.network, example, edge_mode=story.settings.edges, typography=fonts)
        if fonts.post:
            diagram.decorations.remove(diagram.output_labels)
        diagram.scale_to_fit_height(fonts.pick(DIAGRAM_HEIGHT, POST_DIAGRAM_HEIGHT))
        if diagram.width > fonts.pick(DIAGRAM_MAX_WIDTH, POST_DIAGRAM_MAX_WIDTH):
            diagram.scale_to_fit_width(fonts.pick(DIAGRAM_MAX_WIDTH, POST_DIAGRAM_MAX_WIDTH))
        diagram.move_to(RIGHT * fonts.pick(-0.9, POST_DIAGRAM_X) + DOWN * 0.1)
        for neuron_, label in zip(diagram.layers[-1].neurons, diagram.output_labels):
            label.scale(fonts.text(DIAGRAM_LABEL_SIZE) / label.font_size).next_to(neuron_, RIGHT, 0.1)
        diagram.input_count.scale(fonts.text(DIAGRAM_LABEL_SIZE) / diagram.input_count.font_size)
        diagram.input_count.next_to(diagram.input_brace, LEFT, 0.08)
        # Drawn this small, a wide layer's index labels and notes would be unreadable:
        # one legible line (`wide_note`) says what is drawn of such layers instead.
        diagram.decorations.remove(diagram.elided)
        for index in range(len(diagram.layers)):
            diagram.layers[index].set_activations(diagram.drawn_values(index))
        return diagram

    first_epoch, first = snapshots[0]
    cap = style.MAX_DRAWN_NEURONS
    wide_note = VGroup()
    if max(story.network.sizes[1:]) > cap:
        wide_note.add(Text(f"layers wider than {cap}:" + fonts.pick(" ", "\n") + f"their {cap} most active neurons drawn",
                           font_size=fonts.small, color=style.INDEX_COLOUR, line_spacing=0.8)
                      .move_to(LEFT * 0.9 + UP * fonts.pick(2.8, 2.6)))
    weights = heatmap(first).to_edge(LEFT, buff=0.45).shift(UP * 0.1)
    if fonts.post and len(wide_note):  # the note about wide layers from the left edge, the heatmap under it
        wide_note.to_edge(LEFT, buff=0.45)
        weights.shift(DOWN * 0.5)
    weights_caption = Text(f"hidden neuron {neuron}'s\nweights", font_size=fonts.small,
                           line_spacing=0.8).next_to(weights, UP, 0.2)
    if fonts.post:  # wider than the heatmap at this size: from the frame's edge, not centred
        weights_caption.align_to(weights, LEFT)
    diagram = network(first)
    axes, ticks = accuracy_axes(last_epoch, fonts)
    VGroup(axes, ticks).to_edge(RIGHT, buff=0.5).shift(UP * 0.2)
    axes_caption = Text("held-out accuracy\nafter each epoch", font_size=fonts.small, line_spacing=0.8,
                        color=style.POSITIVE).next_to(axes, UP, 0.25)
    x_label = Text("epoch", font_size=fonts.small).next_to(ticks, DOWN, 0.1).match_x(axes)
    curve = VMobject(stroke_color=style.POSITIVE, stroke_width=3)
    if history:
        curve.set_points_as_corners([axes.c2p(h["epoch"], h["validation_accuracy"]) for h in history])
    legend = Text("dot: this snapshot's\ntest accuracy", font_size=fonts.small, line_spacing=0.8,
                  color=style.HIGHLIGHT).next_to(x_label, DOWN, 0.2).match_x(axes)
    if fonts.post:
        keep_inside(legend)

    def dot_at(epoch, snapshot):
        return Dot(axes.c2p(epoch, snapshot.training["test_accuracy"]), radius=0.08, color=style.HIGHLIGHT)

    dot = dot_at(first_epoch, first)
    text = readout(first_epoch, first, story.example.id, fonts).to_corner(DOWN + LEFT, buff=0.35)

    begin_section(scene, f"epoch_{first_epoch}")
    # The edges are hundreds of crossing strokes, ~10 ms a frame each bundle for Cairo,
    # and glyphs are paths too: whatever fades in or changes here is drawn as a picture
    # of itself (raster.py, the same pixels) and stands again as vectors once still.
    with say(scene, lines["title"]):
        fade_in_as_picture(scene, title, weights, weights_caption, diagram, wide_note, run_time=style.APPEAR_SECONDS)
    with say(scene, lines["curve"]):
        fade_in_as_picture(scene, axes, ticks, axes_caption, x_label, legend, others=[Write(curve)], run_time=1.2)
    with say(scene, lines[f"epoch_{first_epoch}"]):
        scene.play(FadeIn(dot, scale=2), FadeIn(text), run_time=0.6)
        scene.wait(style.PAUSE_SECONDS)
    for epoch, snapshot in snapshots[1:]:
        begin_section(scene, f"epoch_{epoch}")
        new_weights = heatmap(snapshot).move_to(weights)
        new_diagram = network(snapshot)
        new_text = readout(epoch, snapshot, story.example.id, fonts).move_to(text, aligned_edge=LEFT)
        # Only the edges, the neurons' fills, the heatmap, the dot and the readout change:
        # edges and neurons cross-fade as one picture (a fill's opacity changing over the
        # black background is that same blend), the diagram's labels stay still under what
        # moves (they overlap none of it), and the new diagram's vectors take over after.
        picture, change = cross_fade(VGroup(diagram.bundles, diagram.layers),
                                     VGroup(new_diagram.bundles, new_diagram.layers))
        retyped, still = glyph_changes(text, new_text)
        scene.remove(diagram, text)
        scene.add(diagram.decorations, *still, weights, picture, dot)
        with say(scene, lines[f"epoch_{epoch}"]):
            scene.play(ReplacementTransform(weights, new_weights), change, dot.animate.move_to(dot_at(epoch, snapshot)),
                       *retyped, run_time=STEP_SECONDS)
            scene.remove(diagram.decorations, picture, text, *text.submobjects, new_text).add(new_diagram, new_text)
            scene.wait(style.PAUSE_SECONDS)
        weights, diagram, text = new_weights, new_diagram, new_text
    scene.wait(style.HOLD_SECONDS)


def no_snapshots_text(story) -> str:
    """What is true when there is no trajectory to draw, and what would give one, in words
    for the screen (no code quoting): the run kept no snapshots, or kept them with only
    some digits (the sloppy three, and the digits added before it trained)."""
    ending = f"here are hidden neuron {story.featured.index}'s\nweights as training left them\n"
    kept = story.snapshots[:-1]   # the last is the export itself
    if not kept:
        return f"this network was trained\nwithout snapshots:\n{ending}(training again keeps them:\nrender.py train)"
    held = [e.id for e in kept[0][1].examples if all(any(other.id == e.id for other in s.examples) for _, s in kept)]
    named = ", ".join(held[:3]) + (f" and {len(held) - 3} more" if len(held) > 3 else "")  # one line's worth
    return (f"its training snapshots keep\n{named or 'no digit'} only, not {story.example.id}:\n{ending}"
            f"(to see {story.example.id} learn: add it with\nexport --digit {story.example.id}, then train)")


def _no_snapshots(scene, story, title, lines) -> None:
    """No trajectory to draw for this digit: say why, and show where training ended."""
    fonts = story.typography
    weights = WeightHeatmap(story.featured.weights, size=HEATMAP_SIZE).move_to(LEFT * 3.5 + DOWN * 0.3)
    fact = Text(no_snapshots_text(story), font_size=fonts.small, line_spacing=0.8).next_to(weights, RIGHT, 0.6)
    with say(scene, lines["title"]):
        scene.play(FadeIn(title), FadeIn(weights), run_time=style.APPEAR_SECONDS)
    with say(scene, lines["fact"]):
        scene.play(FadeIn(fact, shift=UP * 0.2), run_time=style.APPEAR_SECONDS)
    scene.wait(style.HOLD_SECONDS)


class Learning(BeatScene):
    beats = ("Learning",)
