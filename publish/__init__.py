"""Publishing: render requests, clip keys, encoding, batches, the manifest and the gallery.

This package imports the scenes; the scenes never import it.
"""
