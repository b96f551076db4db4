"""Copies of mobjects that share what never changes.

manim copies a mobject (`Mobject.copy`, a deep copy) as nearly every animation begins: a
FadeIn copies what fades in three times. Two things in every copy never change once they
are made, and copying them was most of the cost of a copy:

- the parsed SVG path each glyph of a `Text` or `MathTex` was built from (svgelements
  objects, one Python object per point). It is read once, when the glyph's own points
  are made (`VMobjectFromSVGPath.generate_points`); those points are a numpy array and
  are still copied.
- colours (`ManimColor`). manim itself shares one colour's values between colours made
  from each other, and changes no colour in place.

Sharing them took a skipped play of every beat for one network from 17.5 s to 10.6 s
(the test suite plays hundreds) and makes each animation's start cheaper in a render;
the frames drawn are the same, byte for byte (checked on rendered clips when this was
written). manim is pinned (0.22.0), so the two attributes this relies on stay put.
"""
from __future__ import annotations

_shared = False


def share_what_never_changes() -> None:
    """Make copies share glyph paths and colours (once per process)."""
    global _shared
    if _shared:
        return
    from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath
    from manim.utils.color.core import ManimColor

    copy_glyph = VMobjectFromSVGPath.__deepcopy__

    def deepcopy_sharing_its_path(self, memo):
        memo[id(self.path_obj)] = self.path_obj   # as if already copied: the copy points at it
        return copy_glyph(self, memo)

    VMobjectFromSVGPath.__deepcopy__ = deepcopy_sharing_its_path
    ManimColor.__deepcopy__ = lambda self, memo: self
    _shared = True
