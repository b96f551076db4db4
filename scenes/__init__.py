"""The Manim side of nn-explainer: scenes drawn from the export file."""
