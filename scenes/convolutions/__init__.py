"""The beats that draw a convolutional network (issue 31): its feature maps, kernels and
pooling, from a CNN export (model/conv_schema.py)."""
