#!/usr/bin/env bash
# Run the test suite (CPU, a few minutes), after setting up whatever is missing.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --for-tests
exec .venv/bin/python -m pytest "$@"
