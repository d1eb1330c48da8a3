#!/usr/bin/env bash
# Set up everything the tests need on a fresh Debian machine (as root), then run them.
#   bash scripts/test.sh            all tests (unit, course, integration, browser)
#   bash scripts/test.sh -m 'not browser'   any extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "scripts/test.sh must run as root: the integration tests create unix users and start a real hub." >&2
  exit 2
fi

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
fc-list 2>/dev/null | grep -qi 'noto sans cjk' || need_apt+=(fonts-noto-cjk)
command -v npm >/dev/null || need_apt+=(npm)
command -v bwrap >/dev/null || need_apt+=(bubblewrap)  # the grading sandbox (grader/sandbox.py)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
command -v configurable-http-proxy >/dev/null || npm install --global --silent configurable-http-proxy@5

# PostgreSQL (Debian's server): the database tests and the second integration run use it.
source scripts/postgres.sh
export AIRCLASS_TEST_POSTGRES
AIRCLASS_TEST_POSTGRES=$(ensure_test_postgres)

# The runtime environment the hub and every cadre server run from, with test tools added.
PREFIX=${AIRCLASS_RUNTIME_PREFIX:-/opt/airclass/env}
/usr/bin/python3 - "$PREFIX" "$PWD" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from airclass.system.runtime import ensure_runtime
ensure_runtime(Path(sys.argv[1]), Path(sys.argv[2]), extras="test")
PY

"$PREFIX/bin/ruff" check airclass grader hub_config tests
# The layering contract in pyproject.toml (import-linter): lower layers never import higher ones.
(cd "$PWD" && PYTHONPATH="$PWD" "$PREFIX/bin/lint-imports")
if [ $# -gt 0 ]; then
  # One run on the database AIRCLASS_TEST_DATABASE names (sqlite unless set).
  exec "$PREFIX/bin/python" -m pytest "$@"
fi
# The whole suite on SQLite, then the integration tests again with the hub, the platform DB
# and every gradebook on PostgreSQL. The browser tests drive the same pages over the same
# data paths, so the second pass leaves them out to stay inside CI's time budget.
AIRCLASS_TEST_DATABASE=sqlite "$PREFIX/bin/python" -m pytest
AIRCLASS_TEST_DATABASE=postgresql exec "$PREFIX/bin/python" -m pytest -m "integration and not browser"
