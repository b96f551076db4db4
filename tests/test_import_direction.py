"""The packages import one way (model -> scenes -> publish -> render.py), and inside
publish/ the modules form no circle either: read from the source, imports inside
functions included, since those are how a circle hides."""
from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def publish_imports() -> dict[str, set[str]]:
    """Each publish module -> the publish modules it imports, anywhere in its source."""
    graph = {}
    for source in sorted((REPO / "publish").glob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1:  # from .x import y / from . import x
                    imported |= {node.module} if node.module else {alias.name for alias in node.names}
                elif node.module and node.module.startswith("publish."):
                    imported.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("publish.")}
        graph[source.stem] = imported - {source.stem}
    return graph


def test_publish_modules_import_without_a_circle():
    graph = publish_imports()
    assert graph["batch"] >= {"assemble", "clips"}  # the reader sees real edges, not an empty graph

    def circle_from(module, trail):
        for imported in sorted(graph.get(module, ())):
            if imported in trail:
                return trail[trail.index(imported):] + [imported]
            found = circle_from(imported, trail + [imported])
            if found:
                return found
        return None

    for module in graph:
        circle = circle_from(module, [module])
        assert circle is None, " -> ".join(circle)


def test_one_clips_renderer_does_not_know_the_chapter():
    """clips.py renders one scene; what is joined rather than drawn is batch.py's call."""
    clips = (REPO / "publish" / "clips.py").read_text()
    assert "assemble" not in publish_imports()["clips"]
    assert "is_chapter" not in clips
