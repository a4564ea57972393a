#!/usr/bin/env bash
# Quick start 1: set up, run every experiment and theorem check, write report/index.html.
# Extra arguments go to `kernelrich reproduce` (e.g. --full).
set -euo pipefail
source "$(dirname "$0")/_setup.sh" all  # every extra (and not this script's arguments)
kernelrich reproduce "$@"
