#!/usr/bin/env bash
# Shared setup for scripts/demo.sh and scripts/test.sh: make sure uv is on PATH (installed from PyPI if missing).
set -euo pipefail
if ! command -v uv >/dev/null 2>&1; then
  echo "bootstrap: installing uv from PyPI" >&2
  python3 -m pip install --quiet uv
fi
export UV_COMPILE_BYTECODE=1
export MLFLOW_DISABLE_TELEMETRY=true GX_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
