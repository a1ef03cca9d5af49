#!/usr/bin/env bash
# The main job: generate a project from the template with default answers, run its whole pipeline offline,
# and audit it.  Usage: scripts/demo.sh [DEST]   (default DEST: ./build/demo-project; it must not exist)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/bootstrap.sh"
dest="${1:-$here/build/demo-project}"
cd "$here"
uv sync --quiet
echo "==> generating $dest from the template (default answers)"
uv run mlops-audit new "$dest"
cd "$dest"
git init --quiet -b main
git add -A
git -c user.name=demo -c user.email=demo@example.com commit --quiet -m "Initial commit from the mlops-audit template"
echo "==> uv sync (creates .venv and uv.lock)"
uv sync --quiet
git add uv.lock && git -c user.name=demo -c user.email=demo@example.com commit --quiet -m "Lock dependencies"
echo "==> running the pipeline: data -> validate -> train -> evaluate/promote -> drift -> predict"
uv run poe pipeline
if [ -f dvc.yaml ]; then
  echo "==> the same stages under DVC (records dvc.lock), as the project's README says"
  uv run dvc repro --quiet
  git add dvc.lock && git -c user.name=demo -c user.email=demo@example.com commit --quiet -m "Record the pipeline state"
fi
echo "==> auditing the generated project (mlops-audit runs in its own tool environment, from this checkout)"
uv run poe audit
