"""The convolution chapter's beats: a CNN's real kernels and feature maps, drawn and
narrated as chapter one draws an MLP (issue 31), one module per beat with its
`play(scene, story)` and its standalone scene, listed in scenes/outline.py.
"""
