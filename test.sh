#!/usr/bin/env bash
# Run the test suite (CPU, a few minutes), after setting up whatever is missing.
# In parallel: one pytest-xdist worker per core, each running whole test files, so that a
# module's fixtures are made once (tests/conftest.py). `./test.sh -n 0` runs in one process.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --for-tests
# Each worker and each process it starts on one thread: torch's and BLAS's thread pools
# spin while they wait, and two workers' pools spinning on two cores cost twice the CPU
# for the same work (a torch-heavy quarter of the suite: 147 CPU-s -> 70, 86 s -> 71 s).
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
exec .venv/bin/python -m pytest -n auto --dist loadfile "$@"
