#!/usr/bin/env bash
# Quick start 2: set up (with test extras), lint, and run the test suite.
# Extra arguments go to pytest (e.g. -m slow, -k diagonal).
set -euo pipefail
source "$(dirname "$0")/_setup.sh" test
ruff check src tests bench examples
# Two pytest workers on two cores: one BLAS thread each (more threads only spin).
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# The browser test (headless Chromium) may skip on a developer's machine without Chromium,
# never in CI (CI set): see tests/_browser.py.
if [ -z "${CI:-}" ]; then
  export KERNELRICH_BROWSER_TEST="${KERNELRICH_BROWSER_TEST:-optional}"
fi
python -m pytest -n 2 -p no:cacheprovider "$@"
