"""How fast is `mlops-audit` on small and large ML repositories, cold and warm, next to repo-review?

Builds synthetic ML repositories of 100, 1,000 and 10,000 files, committed to git: 52 % Python (training entry
points using scikit-learn, MLflow and Hydra 5 %, feature/model library modules 25 %, utilities 12 %, tests
10 %), notebooks with outputs 6 %, YAML configs 12 %, CSV 14 % and binary data 6 %, Markdown docs, plus the
usual project, CI (GitHub Actions, GitLab), pre-commit, Docker and DVC files. Then it times the
`mlops-audit` console script in a fresh process per run:

* cold: empty audit cache (a fresh cache directory per run), warm OS cache;
* warm: the second run, cache in place;
* repo-review with sp-repo-review (pinned, in this benchmark's own virtual environment) on the same tree;
* ruff (`check --no-cache --isolated --select E,F,B,UP`, the linter teams already run; the project's pinned
  dev version) on the same tree, each run right after a cold audit so that both see the same machine state;

plus `mlops-audit --version`, the peak memory of one cold run (the largest process among the run and every
process it started, `getrusage(RUSAGE_CHILDREN)` of a parent that spawns only that run; and the peak of the
summed PSS of all of them, the parse workers included, sampled from /proc), and t(10,000)/t(1,000).
Any checkout given with `--checkout PATH` (for instance an unpacked sdist of scikit-learn or transformers,
`git init && git add -A && git commit`) is timed the same way. Prints Markdown tables (medians, and the spread
of the cold runs and ruff's) with the targets marked met or MISSED: cold ≤ 1.0× ruff on trees of 2,000+ files.

    uv run python benchmarks/auditor_speed.py                     # 100 / 1,000 / 10,000 files
    uv run python benchmarks/auditor_speed.py --checkout /tmp/transformers-5.24.0

Every timed run gets compiled bytecode (this machine sets PYTHONDONTWRITEBYTECODE=1, which would make every
run recompile the auditor): a private PYTHONPYCACHEPREFIX under the work directory, warmed before timing, for
both tools alike.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPO_REVIEW = "repo-review[cli]==1.3.0"
SP_REPO_REVIEW = "sp-repo-review[cli]==2026.8.14"
#: The linter teams already run, timed on the same tree between the cold audits (the issue's yardstick).
RUFF_EXE = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
RUFF_RATIO = 1.0
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

# Targets of issue #5 (2 cores)
VERSION_S = 0.100
SMALL_S = 0.25
COLD_RATIO = 3.0
WARM_RATIO = 1.0
PEAK_MB = 300
SCALING = 12.0
# Target of issue #13
EDIT_S = 0.3
#: The benchmark's edits of one Python file: a comment appended (no answer of the file changes: the last run's
#: results are reused), and an import appended (its imports change: the audit is computed again).
EDITS = {"edit": b"\n# edited by the benchmark\n", "edit_import": b"\nimport benchmark_extra_module\n"}

# ------------------------------------------------------------------------------------------ synthetic repos
GENERATOR = 2  # bump when the generated trees change
MODELS = [
    ("sklearn.ensemble", "RandomForestClassifier"),
    ("sklearn.linear_model", "LogisticRegression"),
    ("sklearn.ensemble", "GradientBoostingRegressor"),
    ("sklearn.svm", "SVC"),
    ("sklearn.neighbors", "KNeighborsClassifier"),
]
WORDS = [
    "churn",
    "price",
    "demand",
    "fraud",
    "click",
    "sales",
    "risk",
    "score",
    "user",
    "item",
    "session",
    "event",
]


def _py_train(rng: random.Random, i: int) -> str:
    mod, cls = rng.choice(MODELS)
    word = rng.choice(WORDS)
    helpers = "\n\n".join(
        f"def {word}_feature_{i}_{k}(df):\n"
        f'    """Feature {k} of the {word} model."""\n'
        f"    out = df.copy()\n"
        f"    out['f{k}'] = out['{word}'].rolling({rng.randint(2, 30)}).mean().fillna(0)\n"
        f"    return out\n"
        for k in range(rng.randint(3, 9))
    )
    return f'''"""Training entry point {i} for the {word} model."""

from __future__ import annotations

import logging
from pathlib import Path

import hydra
import mlflow
import numpy as np
import pandas as pd
from omegaconf import DictConfig
from {mod} import {cls}
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

log = logging.getLogger(__name__)


{helpers}


def load(path: str) -> pd.DataFrame:
    return pd.read_csv(Path(path))


@hydra.main(config_path="../../conf", config_name="config", version_base=None)
def main(cfg: DictConfig) -> float:
    np.random.seed(cfg.seed)
    df = load(cfg.data.path)
    x_train, x_test, y_train, y_test = train_test_split(
        df.drop(columns=["target"]), df["target"], test_size=0.2, random_state=cfg.seed
    )
    mlflow.set_experiment("{word}-{i}")
    with mlflow.start_run():
        mlflow.log_params(dict(cfg.model))
        model = {cls}(random_state=cfg.seed)
        model.fit(x_train, y_train)
        pred = model.predict(x_test)
        acc = accuracy_score(y_test, pred)
        mlflow.log_metric("accuracy", acc)
        mlflow.log_metric("f1", f1_score(y_test, pred, average="macro"))
        mlflow.sklearn.log_model(model, "model", registered_model_name="{word}-{i}")
    log.info("accuracy %.3f", acc)
    return acc


if __name__ == "__main__":
    main()
'''


def _py_lib(rng: random.Random, i: int) -> str:
    """A library module: feature engineering and model code (numpy, pandas, scikit-learn pieces)."""
    word = rng.choice(WORDS)
    mod, cls = rng.choice(MODELS)
    methods = "\n\n".join(
        f"    def transform_{k}(self, df: pd.DataFrame) -> pd.DataFrame:\n"
        f'        """Step {k}: window {rng.randint(2, 40)}."""\n'
        f"        out = df.copy()\n"
        f"        out['{word}_{k}'] = np.log1p(out['{word}'].clip(lower=0)) * {rng.random():.3f}\n"
        f"        return out\n"
        for k in range(rng.randint(3, 10))
    )
    return f'''"""{word.title()} features and model wrapper {i}."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from {mod} import {cls}


@dataclass
class {word.title()}Config{i}:
    window: int = {rng.randint(2, 60)}
    threshold: float = {rng.random():.4f}


class {word.title()}Features{i}(BaseEstimator, TransformerMixin):
    def __init__(self, config: {word.title()}Config{i} | None = None) -> None:
        self.config = config or {word.title()}Config{i}()

    def fit(self, x, y=None):
        return self

{methods}


def build_model_{i}(**params) -> {cls}:
    return {cls}(**params)
'''


def _py_util(rng: random.Random, i: int) -> str:
    word = rng.choice(WORDS)
    funcs = "\n\n".join(
        f"def {word}_{i}_{k}(values: list[float], scale: float = {rng.random():.3f}) -> list[float]:\n"
        f'    """Scale and clip {word} values ({k})."""\n'
        f"    out = []\n"
        f"    for v in values:\n"
        f"        v = v * scale + {rng.randint(0, 9)}\n"
        f"        out.append(min(max(v, 0.0), {rng.randint(10, 99)}.0))\n"
        f"    return out\n"
        for k in range(rng.randint(4, 14))
    )
    return (
        f'"""Utilities {i} ({word})."""\n\nfrom __future__ import annotations\n\nimport math\n\n\n{funcs}\n'
    )


def _py_test(rng: random.Random, i: int) -> str:
    word = rng.choice(WORDS)
    return (
        f'"""Tests {i}."""\n\nimport numpy as np\nimport pytest\n\n\n'
        + "\n\n".join(
            f"def test_{word}_{i}_{k}():\n    rng = np.random.default_rng({k})\n"
            f"    x = rng.normal(size=10)\n    assert x.shape == (10,)\n"
            for k in range(rng.randint(3, 8))
        )
        + "\n\n@pytest.mark.parametrize('n', [1, 2, 3])\ndef test_sizes(n):\n    assert n > 0\n"
    )


def _notebook(rng: random.Random, i: int) -> str:
    cells = []
    for k in range(rng.randint(4, 12)):
        src = rng.choice(
            [
                ["import pandas as pd\n", "import mlflow\n", f"df = pd.read_csv('data/raw/part_{k}.csv')\n"],
                ["from sklearn.ensemble import RandomForestClassifier\n", "m = RandomForestClassifier()\n"],
                ["df.describe()\n"],
                ["%matplotlib inline\n", "df.plot()\n"],
            ]
        )
        cells.append(
            {
                "cell_type": "code",
                "execution_count": k + 1,
                "metadata": {},
                "source": src,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": [f"{rng.random()}\n"] * 5}],
            }
        )
    cells.insert(0, {"cell_type": "markdown", "metadata": {}, "source": [f"# Exploration {i}\n"]})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def _yaml(rng: random.Random, i: int) -> str:
    mod, cls = rng.choice(MODELS)
    return (
        f"# model config {i}\n_target_: {mod}.{cls}\nn_estimators: {rng.randint(10, 500)}\n"
        f"max_depth: {rng.randint(2, 20)}\nlearning_rate: {rng.random():.4f}\n"
        f"features:\n" + "".join(f"  - f{k}\n" for k in range(rng.randint(3, 15)))
    )


def _csv(rng: random.Random, i: int) -> str:
    rows = "\n".join(",".join(f"{rng.random():.5f}" for _ in range(6)) for _ in range(rng.randint(20, 120)))
    return "a,b,c,d,e,target\n" + rows + "\n"


FIXED = {
    "README.md": "# Synthetic ML project\n\nTrains and serves models for the benchmark.\n\n## Usage\n\n"
    "`python -m pkg.train`\n",
    "LICENSE": "MIT License\n\nCopyright (c) benchmark\n",
    "pyproject.toml": '[project]\nname = "pkg"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
    'dependencies = ["scikit-learn>=1.4", "mlflow>=2.10", "hydra-core>=1.3", "pandas>=2", "dvc>=3"]\n\n'
    '[tool.ruff]\nline-length = 100\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
    "uv.lock": "version = 1\n",
    "requirements.txt": "scikit-learn==1.5.0\nmlflow==2.14.1\nhydra-core==1.3.2\npandas==2.2.2\n",
    ".gitignore": "__pycache__/\n*.pyc\n/mlruns/\n/outputs/\n",
    ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
    "    rev: v0.6.0\n    hooks:\n      - id: ruff\n      - id: ruff-format\n",
    ".github/workflows/ci.yml": "name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -e .\n      - run: pytest\n",
    ".github/workflows/train.yml": "name: train\non:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n"
    "  train:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    "      - run: dvc repro\n",
    ".gitlab-ci.yml": "stages: [test]\ntest:\n  image: python:3.11\n  script:\n    - pytest\n",
    "Dockerfile": "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n"
    'CMD ["uvicorn", "pkg.serve:app"]\n',
    "dvc.yaml": "stages:\n  train:\n    cmd: python -m pkg.train\n    deps: [data/raw]\n    outs: [models/model.pkl]\n",
    ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/dvc\n",
    "params.yaml": "seed: 42\nsplit: 0.2\n",
    "conf/config.yaml": "defaults:\n  - model: m0\nseed: 42\ndata:\n  path: data/raw/part_0.csv\n",
    "src/pkg/__init__.py": '"""The package."""\n',
    "src/pkg/serve.py": "from fastapi import FastAPI\nimport mlflow\n\napp = FastAPI()\n"
    "model = mlflow.pyfunc.load_model('models:/churn/Production')\n\n\n@app.post('/predict')\n"
    "def predict(x: dict) -> dict:\n    return {'y': model.predict([x]).tolist()}\n",
}


def build_repo(dest: Path, n_files: int, seed: int = 0) -> Path:
    """A committed synthetic ML repository of exactly ``n_files`` files at ``dest`` (rebuilt if present)."""
    stamp = dest / ".bench-files"
    if (
        (dest / ".git").is_dir()
        and stamp.is_file()
        and stamp.read_text().strip() == f"{n_files} v{GENERATOR}"
    ):
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    rng = random.Random(seed)
    files: dict[str, str | bytes] = dict(FIXED)
    rest = n_files - len(files) - 1  # .bench-files
    shares = [
        ("src", 0.05),
        ("lib", 0.25),
        ("util", 0.12),
        ("tests", 0.10),
        ("nb", 0.06),
        ("yaml", 0.12),
        ("csv", 0.14),
        ("bin", 0.06),
    ]
    counts = {kind: int(rest * share) for kind, share in shares}
    counts["md"] = rest - sum(counts.values())
    for i in range(counts["src"]):
        files[f"src/pkg/models/m{i // 50}/train_{i}.py"] = _py_train(rng, i)
    for i in range(counts["lib"]):
        files[f"src/pkg/features/f{i // 50}/features_{i}.py"] = _py_lib(rng, i)
    for i in range(counts["util"]):
        files[f"src/pkg/utils/u{i // 50}/util_{i}.py"] = _py_util(rng, i)
    for i in range(counts["tests"]):
        files[f"tests/t{i // 50}/test_{i}.py"] = _py_test(rng, i)
    for i in range(counts["nb"]):
        files[f"notebooks/n{i // 50}/explore_{i}.ipynb"] = _notebook(rng, i)
    for i in range(counts["yaml"]):
        files[f"conf/model/m{i}.yaml" if i < 50 else f"conf/experiments/e{i // 50}/exp_{i}.yaml"] = _yaml(
            rng, i
        )
    for i in range(counts["csv"]):
        files[f"data/raw/r{i // 50}/part_{i}.csv"] = _csv(rng, i)
    for i in range(counts["bin"]):
        files[f"data/features/f{i // 50}/feat_{i}.npy"] = rng.randbytes(rng.randint(2_000, 60_000))
    for i in range(counts["md"]):
        files[f"docs/d{i // 50}/page_{i}.md"] = f"# Page {i}\n\n" + "Some documentation text. " * 40 + "\n"
    files[".bench-files"] = f"{n_files} v{GENERATOR}\n"
    assert len(files) == n_files, (len(files), n_files)
    for rel, content in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    git_commit(dest)
    return dest


def git_commit(dest: Path) -> None:
    env = {**os.environ, **GIT_ENV}
    if not (dest / ".git").is_dir():
        subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True, env=env)
    subprocess.run(["git", "-C", str(dest), "add", "-A"], check=True, env=env)
    subprocess.run(
        ["git", "-C", str(dest), "commit", "-q", "--allow-empty", "-m", "benchmark tree"], check=True, env=env
    )


# ------------------------------------------------------------------------------------------------ timing
def run_env(work: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")  # compiled once, then read by every timed run
    env["MLOPS_AUDIT_CACHE_DIR"] = str(cache)
    return env


def timed(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 1)) -> float:
    """Wall time of one run; a crash (a traceback, an exit code not in ``ok``, no JSON report) stops it all."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok or b"Traceback" in proc.stderr:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    if "--format" in cmd or "-f" in cmd:
        report = json.loads(proc.stdout)
        if not (report.get("results") or report.get("checks") or report.get("families")):
            raise SystemExit(f"{' '.join(cmd)}: no results in the report")
    return elapsed


def peak_rss_mb(cmd: list[str], env: dict[str, str]) -> float:
    """Peak RSS of one run (largest of the run and every process it started), from a parent that spawns only
    that run. ``ru_maxrss`` is in KiB on Linux."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd], capture_output=True, text=True, env=env, check=True
    )
    return int(out.stdout.strip()) / 1024


def peak_pss_mb(cmd: list[str], env: dict[str, str]) -> float:
    """Peak of the summed proportional set size (PSS) of the run and all its descendants (the worker
    processes included; pages they share are counted once), sampled every 10 ms from /proc. 0 if unavailable.

    A sample counts only when the same processes exist before and after it is read: a process forked between
    the reading of its parent and its own would count the pages they share twice (the parent's before the fork
    at full weight, the child's share after it), which once showed as an 80 MB peak that never existed."""
    if not Path("/proc/self/smaps_rollup").exists():
        return 0.0
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = 0
    while proc.poll() is None:
        before = _process_tree(proc.pid)
        total = sum(_pss_kb(pid) for pid in before)
        if before and _process_tree(proc.pid) == before:
            peak = max(peak, total)
        time.sleep(0.01)
    return peak / 1024


def _process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (those alive right now)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in out:
            continue
        out.append(pid)
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return sorted(out)


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def ensure_repo_review(venv: Path) -> Path:
    exe = venv / "bin" / "repo-review"
    if exe.exists():
        return exe
    env = {**os.environ, "UV_COMPILE_BYTECODE": "1"}
    subprocess.run(["uv", "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env)
    subprocess.run(
        ["uv", "pip", "install", "-q", "-p", str(venv), REPO_REVIEW, SP_REPO_REVIEW], check=True, env=env
    )
    return exe


def count_files(tree: Path) -> int:
    out = subprocess.run(["git", "-C", str(tree), "ls-files", "-z"], capture_output=True, check=True).stdout
    return out.count(b"\0")


def measure(tree: Path, audit_exe: str, rr_exe: Path, work: Path, repeat: int) -> dict[str, float]:
    cache = work / "audit-cache" / tree.name
    env = run_env(work, cache)
    audit = [audit_exe, str(tree), "-f", "json"]
    review = [str(rr_exe), str(tree), "--format", "json"]
    lint = [
        RUFF_EXE,
        "check",
        "--no-cache",
        "--isolated",
        "--select",
        "E,F,B,UP",
        "--exit-zero",
        "-q",
        str(tree),
    ]
    # warm the OS cache and the bytecode of both tools
    timed([*audit, "--no-cache"], env)
    timed(review, env, ok=(0, 1, 2, 3, 4))
    timed(lint, env, ok=(0,))
    edited = pick_python_file(tree)
    colds, warms, reviews, lints = [], [], [], []
    edits: dict[str, list[float]] = {kind: [] for kind in EDITS}
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(timed(audit, env))
        lints.append(timed(lint, env, ok=(0,)))  # interleaved with the cold audit: the same machine state
        warms.append(timed(audit, env))
        for kind, text in EDITS.items() if edited is not None else ():  # pre-commit: one file changed
            original, st = edited.read_bytes(), edited.stat()
            edited.write_bytes(original + text)
            try:
                edits[kind].append(timed(audit, env))
            finally:
                edited.write_bytes(original)
                os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns))
            timed(audit, env)  # back to the unchanged tree's cache
        reviews.append(timed(review, env, ok=(0, 1, 2, 3, 4)))
    shutil.rmtree(cache, ignore_errors=True)
    peak = peak_rss_mb(audit, env)
    shutil.rmtree(cache, ignore_errors=True)
    pss = peak_pss_mb(audit, env)
    shutil.rmtree(cache, ignore_errors=True)
    return {
        "files": count_files(tree),
        "cold": statistics.median(colds),
        "cold_min": min(colds),
        "cold_max": max(colds),
        "ruff": statistics.median(lints),
        "ruff_min": min(lints),
        "ruff_max": max(lints),
        "warm": statistics.median(warms),
        **{kind: statistics.median(times) if times else float("nan") for kind, times in edits.items()},
        "review": statistics.median(reviews),
        "peak": peak,
        "pss": pss,
    }


def pick_python_file(tree: Path) -> Path | None:
    """A tracked Python file of the tree, about in the middle of the list (the file the benchmark edits)."""
    out = subprocess.run(["git", "-C", str(tree), "ls-files", "-z", "*.py"], capture_output=True, check=True)
    files = [f for f in out.stdout.decode("utf-8", "surrogateescape").split("\0") if f]
    return tree / files[len(files) // 2] if files else None


def version_time(audit_exe: str, work: Path, repeat: int = 20) -> float:
    env = run_env(work, work / "audit-cache" / "version")
    timed([audit_exe, "--version"], env, ok=(0,))
    return statistics.median(timed([audit_exe, "--version"], env, ok=(0,)) for _ in range(repeat))


def verdict(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--checkout", type=Path, action="append", default=[], help="also time this tree")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median reported)")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="synthetic trees, caches, bytecode")
    parser.add_argument("--rr-venv", type=Path, default=HERE / ".venv-rr", help="repo-review's own venv")
    args = parser.parse_args()

    audit_exe = shutil.which("mlops-audit", path=str(Path(sys.executable).parent)) or "mlops-audit"
    rr_exe = ensure_repo_review(args.rr_venv)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    rows: list[tuple[str, dict[str, float]]] = []
    for size in args.sizes:
        tree = build_repo(work / f"synthetic-{size}", size)
        rows.append((f"synthetic {size:,}", measure(tree, audit_exe, rr_exe, work, args.repeat)))
        print(f"# measured {tree}", file=sys.stderr)
    for tree in args.checkout:
        tree = tree.resolve()
        if not (tree / ".git").exists():
            git_commit(tree)
        rows.append((tree.name, measure(tree, audit_exe, rr_exe, work, args.repeat)))
        print(f"# measured {tree}", file=sys.stderr)
    version = version_time(audit_exe, work)

    rr_version = subprocess.run([str(rr_exe), "--version"], capture_output=True, text=True, check=False)
    ruff_version = subprocess.run([RUFF_EXE, "--version"], capture_output=True, text=True, check=False)
    print(f"mlops-audit: {audit_exe}; repo-review: {rr_version.stdout.strip()} with {SP_REPO_REVIEW}")
    print(f"ruff: {ruff_version.stdout.strip()} (check --no-cache --isolated --select E,F,B,UP)")
    print(f"cores: {os.cpu_count()}; python {sys.version.split()[0]}; median of {args.repeat} runs\n")
    print("| tree | files | cold audit (s), median [min–max] | ruff (s), median [min–max] | cold / ruff |")
    print("|---|---:|---:|---:|---:|")
    for name, m in rows:
        print(
            f"| {name} | {m['files']:,} | {m['cold']:.2f} [{m['cold_min']:.2f}–{m['cold_max']:.2f}] "
            f"| {m['ruff']:.2f} [{m['ruff_min']:.2f}–{m['ruff_max']:.2f}] | {m['cold'] / m['ruff']:.2f} |"
        )
    print()
    print(
        "| tree | files | mlops-audit cold (s) | mlops-audit warm (s) | 1 file edited: a comment (s) "
        "| 1 file edited: an import (s) | repo-review (s) | cold / repo-review | warm / repo-review "
        "| peak RSS (MB) | peak PSS, all processes (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, m in rows:
        print(
            f"| {name} | {m['files']:,} | {m['cold']:.3f} | {m['warm']:.3f} | {m['edit']:.3f} "
            f"| {m['edit_import']:.3f} | {m['review']:.3f} "
            f"| {m['cold'] / m['review']:.2f} | {m['warm'] / m['review']:.2f} | {m['peak']:.0f} | {m['pss']:.0f} |"
        )
    print()
    by_size = {int(name.split()[1].replace(",", "")): m for name, m in rows if name.startswith("synthetic")}
    print("| target (2 cores) | measured | verdict |")
    print("|---|---:|---|")
    print(
        f"| `--version` ≤ {VERSION_S * 1000:.0f} ms | {version * 1000:.0f} ms | {verdict(version <= VERSION_S)} |"
    )
    if 100 in by_size:
        t = by_size[100]
        print(
            f"| 100-file repo ≤ {SMALL_S} s | cold {t['cold']:.3f} s, warm {t['warm']:.3f} s "
            f"| {verdict(max(t['cold'], t['warm']) <= SMALL_S)} |"
        )
    if 10000 in by_size:
        t = by_size[10000]
        cold, warm = t["cold"] / t["review"], t["warm"] / t["review"]
        print(
            f"| 10,000 files: cold ≤ {COLD_RATIO:g}× repo-review | {cold:.2f}× | {verdict(cold <= COLD_RATIO)} |"
        )
        print(
            f"| 10,000 files: warm ≤ {WARM_RATIO:g}× repo-review | {warm:.2f}× | {verdict(warm <= WARM_RATIO)} |"
        )
        print(
            f"| 10,000 files: one file edited (a comment) ≤ {EDIT_S} s | {t['edit']:.3f} s "
            f"| {verdict(t['edit'] <= EDIT_S)} |"
        )
    for name, m in rows:
        if m["files"] >= 2000:
            ratio = m["cold"] / m["ruff"]
            print(f"| {name}: cold ≤ {RUFF_RATIO:g}× ruff | {ratio:.2f}× | {verdict(ratio <= RUFF_RATIO)} |")
    peak = max(max(m["peak"], m["pss"]) for _, m in rows)
    print(
        f"| peak memory ≤ {PEAK_MB} MB (largest process, and all processes' PSS) | {peak:.0f} MB | {verdict(peak <= PEAK_MB)} |"
    )
    if 1000 in by_size and 10000 in by_size:
        cold = by_size[10000]["cold"] / by_size[1000]["cold"]
        warm = by_size[10000]["warm"] / by_size[1000]["warm"]
        print(
            f"| t(10,000) / t(1,000) ≤ {SCALING:g} | cold {cold:.1f}, warm {warm:.1f} "
            f"| {verdict(max(cold, warm) <= SCALING)} |"
        )


if __name__ == "__main__":
    main()
