#!/usr/bin/env python3
"""nn-explainer's command line (`python render.py --help`); the same as the `nn-explainer`
console script. The commands live in nn_explainer/cli.py."""
import sys

from nn_explainer.cli import main

if __name__ == "__main__":
    sys.exit(main())
