"""Chapter one's beats: how the network computes, one module per beat, in the order of
scenes/outline.py's BEATS (from the sloppy three to ReLU). Each module defines the beat's
`play(scene, story)` and its standalone scene (`render.py render ForwardPass`); the
Chapter scene (scenes/chapter.py) plays them in turn.
"""
