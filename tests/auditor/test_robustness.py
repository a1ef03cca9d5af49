"""Property-based robustness: every parser of the auditor fed random and malformed input never raises.

The parsers are not named here: each example writes a whole tree of random configuration files (YAML, TOML,
requirements, notebooks, Dockerfiles, every CI provider's files, pre-commit, DVC, Hydra, Python with syntax
errors, non-UTF-8 bytes) and runs the complete audit, so whatever fact modules and checks exist at the time
parse them. The audit must return a report, no fact or check may crash (the engine would turn a crash into a
"could not run" note: that counts as a failure here), and every report format must render.

Hypothesis runs with the bounded ``ci`` profile below (set ``HYPOTHESIS_PROFILE=dev`` for a longer search).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import string
import tempfile
from pathlib import Path
from typing import Any

import mlops_audit.facts as facts_pkg
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mlops_audit.engine import audit
from mlops_audit.formats import FORMATS, render

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,  # the same examples on every CI run: a failure is reproducible
    database=None,  # nothing written into the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    database=None,
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Crash notes the engine makes when a fact, an inventory or a check raised.
CRASH_MARKERS = ("could not run", "could not be decided", "failed:", "returned ")

# Keys the fact modules look for, so that random structures reach deep into their parsers (with wrong types).
KEYS = [
    "jobs", "steps", "run", "uses", "with", "on", "name", "runs-on", "script", "stages", "stage", "image",
    "services", "variables", "include", "extends", "trigger", "pool", "pipeline", "workflows", "orbs",
    "executors", "repos", "repo", "rev", "hooks", "id", "args", "entry", "files", "cmd", "deps", "outs",
    "params", "metrics", "plots", "foreach", "do", "vars", "defaults", "_target_", "hydra", "seed",
    "model", "data", "path", "url", "remote", "core", "project", "dependencies", "optional-dependencies",
    "tool", "poetry", "requires-python", "build-system", "requires", "scripts", "channels", "pip",
    "cells", "cell_type", "source", "outputs", "execution_count", "metadata", "nbformat", "kernelspec",
    "version", "environment", "matrix", "strategy", "needs", "if", "env", "python-version", "cache",
    "artifacts", "rules", "only", "except", "before_script", "after_script", "tags", "default",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        ["pytest", "python -m pytest", "dvc repro", "pip install -r requirements.txt", "${{ x }}"]
    ),
    st.sampled_from(["actions/checkout@v4", "mlflow", "sklearn", "numpy==1.2", "python:3.11", "*", "~", ""]),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=12))
structures = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)),
    max_leaves=25,
)
raw_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=600)
raw_bytes = st.binary(max_size=600)


def _yaml(value: Any) -> str:
    try:
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError, TypeError):
        return str(value)


def _toml_value(value: Any, depth: int = 0) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value).replace("inf", "inf").replace("nan", "nan")
    if isinstance(value, str) or value is None:
        return json.dumps(value or "")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v, depth + 1)}" for k, v in value.items())
            + "}"
        )
    return json.dumps(str(value))


def _toml(value: Any) -> str:
    if not isinstance(value, dict):
        return f"value = {_toml_value(value)}\n"
    lines = []
    for key, val in value.items():
        if isinstance(val, dict):
            lines.append(f"[{json.dumps(str(key))}]")
            lines += [f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in val.items()]
        else:
            lines.insert(0, f"{json.dumps(str(key))} = {_toml_value(val)}")
    return "\n".join(lines) + "\n"


# Valid seeds that mutations start from.
SEEDS = {
    "yaml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    "      - run: pytest -q\n",
    "toml": '[project]\nname = "x"\ndependencies = ["mlflow>=2", "scikit-learn"]\n[tool.ruff]\nline-length = 100\n',
    "python": "import mlflow\nimport numpy as np\nnp.random.seed(0)\n\n@hydra.main(config_path='conf')\ndef main(cfg):\n"
    "    mlflow.log_param('a', cfg.a)\n    model.fit(X, y, random_state=0)\n",
    "notebook": json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": 1,
                    "source": ["import mlflow\n", "!pip install x\n"],
                    "outputs": [{"output_type": "stream", "text": ["hi"]}],
                    "metadata": {},
                },
                {"cell_type": "markdown", "source": "# t", "metadata": {}},
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    ),
    "requirements": "numpy==1.26.4\nmlflow>=2.0 ; python_version>'3.8'\n-r other.txt\n--hash=sha256:abc\n-e .\n",
    "dockerfile": "FROM python:3.11-slim AS base\nARG X=1\nRUN pip install --no-cache-dir -r requirements.txt\n"
    'COPY . /app\nUSER app\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\nCMD ["python", "serve.py"]\n',
    "ini": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/x\n[tox]\nenvlist = py311\n",
}


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    """A valid seed file with random edits: truncations, insertions, deletions, byte flips."""
    data = bytearray(SEEDS[kind].encode())
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if not data:
            break
        at = draw(st.integers(min_value=0, max_value=len(data)))
        op = draw(st.sampled_from(["cut", "insert", "delete", "flip", "dup"]))
        if op == "cut":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(
                st.one_of(
                    st.binary(max_size=8),
                    st.sampled_from([b"\t", b"- ", b": ", b"[", b"{", b"\xff", b"\x00", b'"', b"\n  "]),
                )
            )
        elif op == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=10))]
        elif op == "flip" and at < len(data):
            data[at] ^= draw(st.integers(min_value=1, max_value=255))
        else:
            data[at:at] = data[max(0, at - 20) : at]
    return bytes(data)


def content(kind: str) -> st.SearchStrategy[bytes]:
    """Random content for a file of ``kind``: structured with wrong types, mutated valid, or raw garbage."""
    structured: dict[str, st.SearchStrategy[bytes]] = {
        "yaml": structures.map(lambda v: _yaml(v).encode()),
        "toml": structures.map(lambda v: _toml(v).encode()),
        "notebook": structures.map(lambda v: json.dumps(v, default=str).encode()),
        "python": st.lists(
            st.sampled_from(
                [
                    "import mlflow",
                    "from sklearn import *",
                    "def f(:",
                    "x = (",
                    "np.random.seed(",
                    "@app.get('/')",
                    "class A(Base):",
                    "    pass",
                    "if __name__ == '__main__':",
                    "'''",
                    "f'{x!r:>{w}}'",
                    "\\",
                    "\t\tx=1",
                    "lambda: (yield)",
                    "print(*a, **k)",
                    "x: int = 1",
                    "match x:\n    case 1: pass",
                    "async def g(): await h()",
                ]
            ),
            max_size=12,
        ).map(lambda lines: "\n".join(lines).encode()),
        "requirements": st.lists(
            st.one_of(
                st.sampled_from(
                    [
                        "numpy",
                        "mlflow>=2",
                        "-r x.txt",
                        "-e .",
                        "--index-url http://x",
                        "pkg @ file:///x",
                        "a[b,c]==1.0 ; python_version<'3'",
                        "# c",
                        "\\",
                        "git+https://g/x.git#egg=x",
                    ]
                ),
                st.text(string.printable, max_size=30),
            ),
            max_size=8,
        ).map(lambda lines: "\n".join(lines).encode()),
        "dockerfile": st.lists(
            st.one_of(
                st.sampled_from(
                    [
                        "FROM",
                        "FROM python:3.11 AS b",
                        "RUN \\",
                        "COPY --from=b / /",
                        "USER 0",
                        "ENV A=1 B",
                        "CMD",
                        'CMD ["x"',
                        "ENTRYPOINT python",
                        "# syntax=docker/dockerfile:1",
                        "ARG",
                        "EXPOSE x",
                    ]
                ),
                st.text(string.printable, max_size=30),
            ),
            max_size=8,
        ).map(lambda lines: "\n".join(lines).encode()),
        "ini": st.lists(st.text(string.printable, max_size=30), max_size=8).map(
            lambda ls: "\n".join(ls).encode()
        ),
    }
    return st.one_of(
        structured[kind], mutated(kind), raw_text.map(lambda t: t.encode("utf-8", "surrogatepass")), raw_bytes
    )


#: Every file name a fact module looks at, by the kind of content it expects.
FILES: dict[str, str] = {
    ".github/workflows/ci.yml": "yaml",
    ".github/workflows/train.yaml": "yaml",
    ".github/actions/setup/action.yml": "yaml",
    ".gitlab-ci.yml": "yaml",
    ".circleci/config.yml": "yaml",
    "azure-pipelines.yml": "yaml",
    "bitbucket-pipelines.yml": "yaml",
    "Jenkinsfile": "ini",
    ".pre-commit-config.yaml": "yaml",
    "dvc.yaml": "yaml",
    "dvc.lock": "yaml",
    "params.yaml": "yaml",
    "data/raw.dvc": "yaml",
    ".dvc/config": "ini",
    "conf/config.yaml": "yaml",
    "conf/model/rf.yaml": "yaml",
    "configs/train.yml": "yaml",
    "environment.yml": "yaml",
    "docker-compose.yml": "yaml",
    "bentofile.yaml": "yaml",
    "MLproject": "yaml",
    "pyproject.toml": "toml",
    "uv.lock": "toml",
    "poetry.lock": "toml",
    "Pipfile": "toml",
    "mise.toml": "toml",
    "setup.cfg": "ini",
    "tox.ini": "ini",
    "requirements.txt": "requirements",
    "requirements-dev.in": "requirements",
    "constraints.txt": "requirements",
    "Dockerfile": "dockerfile",
    "serve.Dockerfile": "dockerfile",
    "Makefile": "ini",
    "notebooks/eda.ipynb": "notebook",
    "src/pkg/train.py": "python",
    "src/pkg/serve.py": "python",
    "tests/test_train.py": "python",
    "setup.py": "python",
    "noxfile.py": "python",
    "README.md": "ini",
    ".gitignore": "ini",
    ".python-version": "ini",
}


@st.composite
def trees(draw: st.DrawFn) -> dict[str, bytes]:
    """A subset of the known files (at least three), each with random content."""
    names = draw(st.lists(st.sampled_from(sorted(FILES)), min_size=3, max_size=len(FILES), unique=True))
    return {name: draw(content(FILES[name])) for name in names}


def _audit_tree(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        report = audit(root, use_cache=False)
        crashes = [n.message for n in report.notes if any(m in n.message for m in CRASH_MARKERS)]
        assert not crashes, crashes
        for fmt in FORMATS:
            assert isinstance(render(fmt, [report]), str)


def test_every_fact_module_imports():
    """The fact modules present now are the parsers exercised below (a module that fails to import would
    silently take its parsers out of the audit)."""
    names = [m.name for m in pkgutil.iter_modules(facts_pkg.__path__)]
    assert "python" in names
    for name in names:
        importlib.import_module(f"mlops_audit.facts.{name}")


@PROFILE
@given(trees())
def test_random_trees_never_crash_the_audit(files):
    _audit_tree(files)


@settings(PROFILE, max_examples=min(PROFILE.max_examples, 25))
@given(st.dictionaries(st.sampled_from(sorted(FILES)), raw_bytes, min_size=1))
def test_raw_bytes_everywhere(files):
    """Non-UTF-8 bytes, NULs, BOMs and truncated multi-byte sequences in every kind of file."""
    _audit_tree(
        {name: b"\xef\xbb\xbf" + data if i % 3 == 0 else data for i, (name, data) in enumerate(files.items())}
    )


@settings(PROFILE, max_examples=min(PROFILE.max_examples, 25))
@given(st.sampled_from(sorted(SEEDS)), st.data())
def test_mutated_valid_files(kind, data):
    """Each kind of valid file, damaged, under every name that holds that kind."""
    names = [name for name, k in FILES.items() if k == kind]
    _audit_tree({name: data.draw(mutated(kind)) for name in names})
