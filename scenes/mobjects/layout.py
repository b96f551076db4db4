"""The picture several beats start from: the digit on the left, the network on the right."""
from __future__ import annotations

from manim import LEFT, RIGHT, UP, Text, config

from scenes import style

from .network_diagram import NetworkDiagram
from .pixel_grid import PixelGrid

NETWORK_RIGHT_MARGIN = 1.1  # frame units: room for the output labels and the answer's box
GAP = 0.5                   # between the digit and the network's input brace


def describe(example) -> str:
    """Where the digit comes from, in words for a caption."""
    if example.source == "image":
        name = example.path.rsplit("/", 1)[-1]
        return f"your digit ({name})" + (f",\nmeant as {example.label}" if example.label is not None else "")
    split = "training" if example.source == "mnist-train" else "test"
    return f"MNIST {split} image #{example.index},\nlabelled {example.label}"


def digit_beside_network(story, network_height: float, export_story=None):
    """(grid, caption, diagram) laid out, nothing shown yet. `export_story`: draw another
    export's network (the ReLU beat) with the same settings."""
    fonts = story.typography
    story = export_story or story
    grid = PixelGrid(story.example.pixels).to_edge(LEFT, buff=0.6)
    diagram = NetworkDiagram(story.network, story.example, edge_mode=story.settings.edges, typography=story.typography)
    diagram.scale_to_fit_height(min(diagram.height, network_height))
    room = config.frame_width / 2 - NETWORK_RIGHT_MARGIN - (grid.get_right()[0] + GAP)
    if diagram.width > room:  # a deep network: narrower, never over the digit
        diagram.scale_to_fit_width(room)
    diagram.to_edge(RIGHT, buff=NETWORK_RIGHT_MARGIN).set_y(0)
    caption = Text(describe(story.example), font_size=fonts.caption, line_spacing=0.8)
    caption.scale_to_fit_width(min(caption.width, grid.width + 0.6)).next_to(grid, UP, 0.3)
    return grid, caption, diagram


def fit_width(mobject, margin: float = 0.5):
    """Shrink a mobject that would run past the frame's sides (long sums, long captions)."""
    room = config.frame_width - 2 * margin
    if mobject.width > room:
        mobject.scale_to_fit_width(room)
    return mobject
