"""What is drawn: the pixel grid, the network diagram, heatmaps, input blocks, equations."""
