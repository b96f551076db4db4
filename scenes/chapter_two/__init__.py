"""Chapter two's beats: how the network learns, every number from its real gradients, in
the order of scenes/outline.py's CHAPTER_TWO (the cost of one digit to the training run),
one module per beat with its `play(scene, story)` and standalone scene; gradient_story.py
holds what they share (the digits, the backward pass, the chapter's checks).
"""
