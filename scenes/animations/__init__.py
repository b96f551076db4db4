"""How drawn things change: propagation along edges, unrolling, highlighting."""
