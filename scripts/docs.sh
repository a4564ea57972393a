#!/usr/bin/env bash
# Build the documentation site (mkdocs-material) into site/, failing on any warning.
# Extra arguments go to `mkdocs build` (e.g. --site-dir /tmp/site).
set -euo pipefail
source "$(dirname "$0")/_setup.sh" docs
export NO_MKDOCS_2_WARNING=1  # mkdocs-material 9.x banner
python -m mkdocs build --strict "$@"
