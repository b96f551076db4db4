"""The convolution chapter's beats: a CNN's real kernels and feature maps, one module per beat."""
