#!/usr/bin/env bash
# The main command: set up what is missing, train if there is no export yet, and
# render the trained network classifying the sloppy three. Prints where the video is.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/python render.py video "$@"
