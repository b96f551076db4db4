#!/usr/bin/env bash
# Run the test suite (CPU, a few minutes), after setting up whatever is missing.
# In parallel: one pytest-xdist worker per core, each running whole test files, so that a
# module's fixtures are made once (tests/conftest.py). `./test.sh -n 0` runs in one process.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --for-tests
exec .venv/bin/python -m pytest -n auto --dist loadfile "$@"
