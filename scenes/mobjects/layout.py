"""The picture several beats start from: the digit on the left, the network on the right."""
from __future__ import annotations

from manim import LEFT, RIGHT, UP, Text, config

from nn_explainer.scenes import style

from .network_diagram import NetworkDiagram
from .pixel_grid import PixelGrid

NETWORK_RIGHT_MARGIN = 1.1  # frame units: room for the output labels and the answer's box
POST_RIGHT_MARGIN = 1.7     # the post layout's labels and answer are bigger
POST_GRID_SIZE = 2.8        # the post layout's digit: smaller, to leave room for its bigger captions
GAP = 0.5                   # between the digit and the network's input brace


def describe(example, lines: int = 2) -> str:
    """Where the digit comes from, in words for a caption, on two lines (or three, for
    the post layout's bigger text)."""
    if example.source == "image":
        name = example.path.rsplit("/", 1)[-1]
        where = f"your digit\n({name})" if lines > 2 else f"your digit ({name})"
        where += f",\nmeant as {example.label}" if example.label is not None else ""
        # An image little like a digit is drawn all the same, but not passed off as one
        # (the post layout's bigger text has room for the fact, not its reason).
        if example.doubt:
            where += "\n(little like a digit)" if lines > 2 else f"\n(little like a digit:\n{example.doubt})"
        return where
    split = "training" if example.source == "mnist-train" else "test"
    if lines > 2:
        return f"MNIST {split}\nimage #{example.index},\nlabelled {example.label}"
    return f"MNIST {split} image #{example.index},\nlabelled {example.label}"


def digit_beside_network(story, network_height: float, export_story=None):
    """(grid, caption, diagram) laid out, nothing shown yet. `export_story`: draw another
    export's network (the ReLU beat) with the same settings."""
    story = export_story or story
    fonts = story.typography
    grid = PixelGrid(story.example.pixels, **({"size": POST_GRID_SIZE} if fonts.post else {})).to_edge(LEFT, buff=0.6)
    diagram = NetworkDiagram(story.network, story.example, edge_mode=story.settings.edges, typography=fonts)
    diagram.scale_to_fit_height(min(diagram.height, network_height))
    margin = fonts.pick(NETWORK_RIGHT_MARGIN, POST_RIGHT_MARGIN)
    room = config.frame_width / 2 - margin - (grid.get_right()[0] + GAP)
    if diagram.width > room:  # a deep network: narrower, never over the digit
        diagram.scale_to_fit_width(room)
    diagram.to_edge(RIGHT, buff=margin).set_y(0)
    diagram.settle_labels()
    if fonts.post:
        caption = Text(describe(story.example, lines=3), font_size=fonts.caption, line_spacing=0.8)
        keep_inside(caption.next_to(grid, UP, 0.3).align_to(grid, LEFT), margin=0.1)  # a fourth line fits too
        return grid, caption, diagram
    caption = Text(describe(story.example), font_size=fonts.caption, line_spacing=0.8)
    caption.scale_to_fit_width(min(caption.width, grid.width + 0.6)).next_to(grid, UP, 0.3)
    return grid, caption, diagram


def keep_inside(mobject, margin: float = 0.2):
    """Shift a mobject back inside the frame (never scaling it: its text stays legible)."""
    half_w, half_h = config.frame_width / 2 - margin, config.frame_height / 2 - margin
    dx = max(0.0, -half_w - mobject.get_left()[0]) - max(0.0, mobject.get_right()[0] - half_w)
    dy = max(0.0, -half_h - mobject.get_bottom()[1]) - max(0.0, mobject.get_top()[1] - half_h)
    return mobject.shift(RIGHT * dx + UP * dy)


def fit_width(mobject, margin: float = 0.5):
    """Shrink a mobject that would run past the frame's sides (long sums, long captions)."""
    room = config.frame_width - 2 * margin
    if mobject.width > room:
        mobject.scale_to_fit_width(room)
    return mobject
