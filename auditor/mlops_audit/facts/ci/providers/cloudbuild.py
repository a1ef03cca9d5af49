"""Google Cloud Build: ``cloudbuild.yaml`` (any directory, any ``cloudbuild*`` name) and build configurations
kept under other names (``build/pipeline-deployment.yaml``, ``cloudbuild/pr-checks.yaml``) recognised by their
content: a top-level ``steps`` list of builder steps (``name`` image with ``args`` / ``entrypoint`` /
``script``) and only Cloud Build keys, in a file that shows it is meant for Cloud Build — it sits in a
``cloudbuild``/``cloud-build`` directory, uses the Cloud Build builders (``gcr.io/cloud-builders/...``) or
Cloud Build's substitutions (``$COMMIT_SHA``, ``${_USER_VARIABLE}``...) or logging options.

A build runs its steps in order; each step becomes one job step whose command is its ``entrypoint`` (or the
builder's tool: ``gcr.io/cloud-builders/docker`` -> ``docker``) followed by its ``args``, or its ``script``
(``bash -c`` arguments are read as the script they are). Cloud Build triggers live in the Google Cloud project,
not in the repository: the pipeline declares no trigger and is marked ``external_triggers``. When the
repository itself submits the configuration by hand (``gcloud builds submit --config build/x.yaml`` in a
notebook, a README, a Makefile or a script), the pipeline gets a ``manual`` trigger at that place.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from .... import lazyre
from ....repo import Repo
from ...yamlfile import line_of, load_config, load_yaml
from ..model import Job, Pipeline, Step, Trigger
from ..shell import script_commands

#: top-level keys of a Cloud Build configuration (https://cloud.google.com/build/docs/build-config-file-schema)
CLOUDBUILD_KEYS = frozenset(
    {"steps", "timeout", "queueTtl", "logsBucket", "options", "substitutions", "tags", "serviceAccount",
     "secrets", "availableSecrets", "artifacts", "images", "dependencies"}
)  # fmt: skip
_MARKERS = (
    b"gcr.io/cloud-builders", b"cloudsdktool", b"cloud-builders-community", b"CLOUD_LOGGING_ONLY", b"${_",
    b"$COMMIT_SHA", b"${COMMIT_SHA}", b"$SHORT_SHA", b"${SHORT_SHA}", b"$TAG_NAME", b"${TAG_NAME}",
    b"$BUILD_ID", b"${BUILD_ID}",
)  # fmt: skip
#: directory names that hold Cloud Build configurations (``cloudbuild/``, ``cloud-build/``, ``cloud_build/``)
_DIRS = lazyre.compile(r"(^|/)cloud[-_]?build[^/]*/", re.IGNORECASE)
_SHELLS = ("bash", "sh", "/bin/bash", "/bin/sh")


def is_cloudbuild_name(path: str) -> bool:
    name = path.lower().rsplit("/", 1)[-1]
    return name.startswith("cloudbuild") and name.endswith((".yml", ".yaml"))


def _looks_like_build(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) or not data["steps"]:
        return False
    if not set(data) <= CLOUDBUILD_KEYS:
        return False
    return all(
        isinstance(s, dict) and isinstance(s.get("name"), str) and ({"args", "entrypoint", "script"} & set(s))
        for s in data["steps"]
    )


def cloudbuild_files(repo: Repo) -> list[str]:
    """Cloud Build configurations: ``cloudbuild*.yaml`` files and YAML files in a ``cloudbuild/`` directory
    with builder steps, and YAML files of the same shape under any name that use the Cloud Build builders
    (``gcr.io/cloud-builders/...``) or substitutions."""
    candidates = [
        path
        for path, entry in repo.entries.items()
        if entry.suffix in (".yml", ".yaml")
        and not path.startswith((".github/", ".gitlab", ".circleci/"))
        and repo.smaller_than(path, 1_000_000)
    ]
    named = [p for p in candidates if is_cloudbuild_name(p) or _DIRS.search(p)]
    found = set(named) | set(repo.grep([p for p in candidates if p not in named], *_MARKERS))
    return sorted(p for p in found if _looks_like_build(load_yaml(repo, p)))


_SUBMIT = lazyre.compile(r"gcloud\s+(?:beta\s+)?builds\s+submit\b[^\n]*?--config[=\s]+[\"']?([\w./${}-]+)")
_SUBMIT_FILES = (".md", ".rst", ".ipynb", ".sh", ".py", ".txt", ".mk")


def _manual_submits(repo: Repo) -> dict[str, tuple[str, int]]:
    """Build configurations the repository submits by hand: file name -> (where, line)."""

    def compute() -> dict[str, tuple[str, int]]:
        paths = [p for p, e in repo.entries.items()
                 if (e.suffix in _SUBMIT_FILES or e.name in ("Makefile", "justfile")) and repo.smaller_than(p, 2_000_000)]  # fmt: skip
        out: dict[str, tuple[str, int]] = {}
        for path in repo.grep(paths, b"builds submit"):
            text = repo.read_text(path) or ""
            for m in _SUBMIT.finditer(text):
                name = m.group(1).rsplit("/", 1)[-1]
                out.setdefault(name, (path, text.count("\n", 0, m.start()) + 1))
        return out

    return repo.memo("ci.cloudbuild.manual_submits", compute)


def _step_script(step: dict[str, Any]) -> str | None:
    script = step.get("script")
    if isinstance(script, str):
        return script
    args = step.get("args")
    args = [str(a) for a in args] if isinstance(args, list) else ([args] if isinstance(args, str) else [])
    entry = step.get("entrypoint")
    if isinstance(entry, str) and entry in _SHELLS and len(args) >= 2 and args[0] == "-c":
        return " ".join(args[1:])
    if not isinstance(entry, str) or not entry:
        builder = str(step.get("name", "")).rsplit("/", 1)[-1].split(":", 1)[0]
        entry = builder if builder and not builder.startswith("$") else ""
    if not entry:
        return None
    return " ".join([entry, *(shlex.quote(a) if " " in a else a for a in args)])


def parse(repo: Repo, path: str) -> Pipeline:
    """The build declared in ``path`` as one job (``parsed=False`` when it cannot be read)."""
    data = load_config(repo, path)
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        return Pipeline("cloudbuild", path, parsed=False)
    pipe = Pipeline("cloudbuild", path, external_triggers=True)
    submitted = _manual_submits(repo).get(path.rsplit("/", 1)[-1])
    if submitted:
        pipe.triggers.append(Trigger("manual", submitted[0], submitted[1]))
    job = Job("build", line_of(data, "steps"), name=path)
    steps = data["steps"]
    for i, spec in enumerate(steps):
        if not isinstance(spec, dict):
            continue
        line = line_of(steps, i)
        name = str(spec.get("id") or spec.get("name") or f"step {i + 1}")
        step = Step(name, line, uses=str(spec.get("name", "")) or None, uses_line=line)
        script = _step_script(spec)
        if script:
            step.run, step.run_line = script, line
            step.commands = script_commands(repo, path, script, line, job=job.id, step=name)
        job.steps.append(step)
    pipe.jobs.append(job)
    return pipe
