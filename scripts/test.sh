#!/usr/bin/env bash
# Quick start 2: set up (with test extras), lint, and run the test suite.
# Extra arguments go to pytest (e.g. -m slow, -k diagonal).
set -euo pipefail
source "$(dirname "$0")/_setup.sh" test
ruff check src tests bench
python -m pytest -n 2 -p no:cacheprovider "$@"
