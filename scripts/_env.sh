# Shared by scripts/start and scripts/test: make .venv with the pinned app dependencies.
# Re-installs only when a requirements file changed (a stamp of their hash in .venv).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
VENV="$ROOT/.venv"

ensure_venv() {  # $1: requirements file
  local req="$1" stamp want
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV"
    "$PY" -m venv "$VENV"
  fi
  stamp="$VENV/.installed-$(basename "$req" .txt)"
  want="$(cat requirements/*.txt pyproject.toml | sha256sum | cut -c1-16)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> installing pinned dependencies from $req"
    # /opt/wheels (where present) holds the CPU build of torch; without it pip would fetch a CUDA build.
    local extra=()
    [ -d /opt/wheels ] && extra+=(--find-links /opt/wheels)
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${extra[@]}" -r "$req"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
    # simplemma's dictionaries as memory-mapped tries, built once here so no app process waits for them
    "$VENV/bin/python" -c "from grading.features.lemmas import build_all; build_all()"
    echo "$want" > "$stamp"
  fi
}
