#!/usr/bin/env bash
# The test suite, everything included (unit, format goldens, browser, the template rendered and its generated
# projects fully run). Installs what it needs: uv (PyPI) and Chromium (Debian) for the HTML report test.
# Extra arguments go to pytest, e.g. scripts/test.sh -m "not e2e" for a quick local run. Ends with the coverage
# of the auditor (mlops_audit), measured in the test process and in the `mlops-audit` processes it starts.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/bootstrap.sh"
if [ -z "${MLOPS_AUDIT_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing Chromium (Debian package) for the browser test" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test: Chromium is required for the browser test: install the 'chromium' package" >&2
    exit 2
  fi
fi
cd "$here"
uv sync --quiet --frozen
exec uv run --frozen pytest --cov --cov-report=term "$@"
