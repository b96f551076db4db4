"""The convolution chapter (`ChapterConv`): a CNN's real kernels and feature maps,
drawn and narrated as chapter one draws an MLP (issue 31): the kernel sliding over the
digit, its feature maps, ReLU and pooling, one module per beat with its
`play(scene, story)` and its standalone scene, listed in scenes/outline.py; every
number from the export."""
