#!/usr/bin/env bash
# Run the test suite (CPU, a few minutes), after setting up whatever is missing.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
