"""The convolution chapter (`ChapterConv`): a CNN's real kernels sliding over the digit,
its feature maps, ReLU and pooling, one beat a module, every number from the export."""
