"""The picture several beats start from: the digit on the left, the network on the right."""
from __future__ import annotations

from manim import LEFT, RIGHT, UP, Text

from scenes import style

from .network_diagram import NetworkDiagram
from .pixel_grid import PixelGrid


def describe(example) -> str:
    """Where the digit comes from, in words for a caption."""
    if example.source == "image":
        name = example.path.rsplit("/", 1)[-1]
        return f"your digit ({name})" + (f", meant as {example.label}" if example.label is not None else "")
    split = "training" if example.source == "mnist-train" else "test"
    return f"MNIST {split} image #{example.index}, labelled {example.label}"


def digit_beside_network(story, network_height: float, export_story=None):
    """(grid, caption, diagram) laid out, nothing shown yet. `export_story`: draw another
    export's network (the ReLU beat) with the same settings."""
    story = export_story or story
    diagram = NetworkDiagram(story.network, story.example, edge_mode=story.settings.edges)
    diagram.scale_to_fit_height(min(diagram.height, network_height)).to_edge(RIGHT, buff=1.1)
    grid = PixelGrid(story.example.pixels).to_edge(LEFT, buff=0.6)
    caption = Text(describe(story.example), font_size=style.CAPTION_FONT_SIZE)
    caption.scale_to_fit_width(min(caption.width, grid.width + 0.6)).next_to(grid, UP, 0.3)
    return grid, caption, diagram
