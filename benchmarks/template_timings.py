"""Wall-clock timings of the copier template.

Measures
  1. ``copier copy --defaults`` of the template (target: <= 3 s), and
  2. the generated project's whole pipeline, ``uv run poe pipeline``, on the default dataset
     (target: <= 20 s), both on a fresh MLflow store (first run: the sqlite schema is created)
     and on an existing one (every later run),
and prints a table. ``uv sync`` of the generated project is timed too, for information.

Usage (from the repository root):
    uv run python benchmarks/template_timings.py [--runs 3] [--skip-pipeline] [--keep]

The template sources (copier.yml + template/) are copied into a temporary git repository first, so the
measurement covers the working tree. The generated project installs mlops-audit from this checkout.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
COPY_TARGET_S = 3.0
PIPELINE_TARGET_S = 20.0
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def sh(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Run ``command``; return its wall time in seconds; exit with its output when it fails."""
    full_env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "MLFLOW_TRACKING_URI"}}
    full_env.update(GIT_ENV)
    full_env.update(env or {})
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return elapsed


def tool(name: str) -> str:
    for candidate in (Path(sys.executable).parent / name, shutil.which(name)):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    sys.exit(f"{name} not found: run this script with `uv run` from the repository root")


def template_repo(root: Path) -> Path:
    repo = root / "template-src"
    repo.mkdir()
    shutil.copy2(REPO_ROOT / "copier.yml", repo / "copier.yml")
    shutil.copytree(REPO_ROOT / "template", repo / "template", ignore=shutil.ignore_patterns("__pycache__"))
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "t"], ["tag", "v0.1.0"]):
        sh(["git", *args], repo)
    return repo


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="repetitions of each measurement (median reported)"
    )
    parser.add_argument("--skip-pipeline", action="store_true", help="only time copier copy")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="template-timings-"))
    copier, uv = tool("copier"), tool("uv")
    rows: list[tuple[str, list[float], float | None]] = []
    try:
        repo = template_repo(work)
        requirement = f"mlops_audit_requirement=mlops-audit @ {REPO_ROOT.as_uri()}"
        copies = []
        for i in range(args.runs):
            copies.append(
                sh(
                    [
                        copier,
                        "copy",
                        "--defaults",
                        "--quiet",
                        "--vcs-ref",
                        "HEAD",
                        "-d",
                        requirement,
                        str(repo),
                        f"p{i}",
                    ],
                    work,
                )
            )
        rows.append(("copier copy --defaults", copies, COPY_TARGET_S))

        if not args.skip_pipeline:
            project = work / "p0"
            env = {
                "UV_COMPILE_BYTECODE": "1",
                "MLFLOW_DISABLE_TELEMETRY": "true",
                "GX_ANALYTICS_ENABLED": "false",
            }
            sync = sh([uv, "sync", "--python", sys.executable], project, env)
            rows.append(("uv sync (warm uv cache; info)", [sync], None))
            for command in (
                ["git", "init", "-q", "-b", "main"],
                ["git", "add", "-A"],
                ["git", "commit", "-q", "-m", "i"],
            ):
                sh(command, project)
            pipeline = [uv, "run", "--no-sync", "poe", "pipeline"]
            fresh, warm = [], []
            for _ in range(args.runs):
                for leftover in ("mlflow.db", "mlruns", "artifacts", "reports", "outputs"):
                    target = project / leftover
                    if target.is_dir():
                        shutil.rmtree(target)
                    elif target.exists():
                        target.unlink()
                fresh.append(sh(pipeline, project, env))
                warm.append(sh(pipeline, project, env))
            rows.append(("poe pipeline, new MLflow store", fresh, PIPELINE_TARGET_S))
            rows.append(("poe pipeline, existing store", warm, PIPELINE_TARGET_S))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} cpus, Python {platform.python_version()}")
    print(f"{'measurement':<34} {'runs':>4} {'median s':>9} {'max s':>7} {'target s':>9}  verdict")
    for name, values, target in rows:
        median = statistics.median(values)
        verdict = "-" if target is None else ("ok" if median <= target else "OVER")
        target_text = "-" if target is None else f"{target:.0f}"
        print(f"{name:<34} {len(values):>4} {median:>9.2f} {max(values):>7.2f} {target_text:>9}  {verdict}")


if __name__ == "__main__":
    main()
