#!/usr/bin/env bash
# Shared setup for scripts/demo.sh and scripts/test.sh: make sure uv is on PATH (installed from PyPI if missing).
set -euo pipefail
# `uv --version`, not `command -v uv`: on a pyenv machine a `uv` shim exists for every Python version but runs
# only under the one uv was installed for.
if ! uv --version >/dev/null 2>&1; then
  echo "bootstrap: installing uv from PyPI" >&2
  python3 -m pip install --quiet uv
  # the binary's own directory first on PATH, not behind a version's shim
  PATH="$(dirname "$(python3 -c 'import uv; print(uv.find_uv_bin())')"):${PATH}"
  export PATH
fi
export UV_COMPILE_BYTECODE=1
export MLFLOW_DISABLE_TELEMETRY=true GX_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
