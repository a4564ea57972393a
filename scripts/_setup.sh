# Sourced by the Quick start scripts: create .venv (once) and install kernelrich into it.
# Usage: source scripts/_setup.sh [EXTRAS]   e.g. EXTRAS=test
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
spec="."
[ -n "${1:-}" ] && spec=".[$1]"
.venv/bin/python -m pip install --quiet -e "$spec"
export PATH="$ROOT/.venv/bin:$PATH"
