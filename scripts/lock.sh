#!/usr/bin/env bash
# Refresh requirements.lock on purpose: resolve pyproject.toml's dependencies
# (with the postgresql and test extras) afresh in a throwaway virtualenv and
# pin every package, pip and setuptools included, to what was resolved.
# Commit the new lock on its own; its CI run is what proves the new set.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip setuptools
"$work/venv/bin/python" -m pip install -q -e '.[postgresql,test]'
{
  echo "# Every Python package intake and its tests run with, pinned: scripts/setup.sh installs exactly these."
  echo "# Refresh on purpose with 'make lock' (scripts/lock.sh) and commit it alone; CI then proves the new set."
  "$work/venv/bin/python" -m pip freeze --all --exclude-editable | LC_ALL=C sort -f
} > requirements.lock
echo "requirements.lock：已按今天的发布版本重新锁定 $(grep -vc '^#' requirements.lock) 个软件包。"
