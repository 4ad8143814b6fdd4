#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian machine and run every test:
# Debian chromium (browser tests) and postgresql (the suite runs on SQLite and on a real PostgreSQL server),
# a virtualenv in .venv with the project and its test extras, then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[test]'

# A throwaway PostgreSQL server on 127.0.0.1 for this run; stopped on exit.
TRACKER_TEST_PG_URL=$(bash tests/pg.sh start)
trap 'bash tests/pg.sh stop >/dev/null 2>&1 || true' EXIT
export TRACKER_TEST_PG_URL

# Gates: lint, types, and a model change without an Alembic migration fails the build (on both backends).
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m mypy tracker
check_dir=$(mktemp -d)
TRACKER_DATABASE_URL="sqlite:///$check_dir/check.sqlite" .venv/bin/tracker db check --project "$check_dir"
TRACKER_DATABASE_URL="$TRACKER_TEST_PG_URL" .venv/bin/tracker db check --project "$check_dir"
rm -rf "$check_dir"

.venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
