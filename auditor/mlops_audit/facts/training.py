"""Where a repository trains a model: training code or a pipeline stage that trains (facts shared by the
testing and continuous-training checks)."""

from __future__ import annotations

import re

from ..model import Evidence
from ..repo import Repo, memoized
from . import testing
from .yamlfile import LineDict, load_config

_PIPELINE_FILES = ("dvc.yaml", "MLproject", "kedro.yml", ".kedro.yml")


@memoized
def training_evidence(repo: Repo) -> list[Evidence]:
    """Training code or a training pipeline definition: what makes the CT checks applicable."""
    out = [Evidence(p, line, "training code") for p, line in testing.training_code(repo)[:3]]
    for path in _PIPELINE_FILES:
        if path in repo.entries:
            data = load_config(repo, path) if path.endswith(".yaml") else None
            stages = data.get("stages") if isinstance(data, dict) else None
            if isinstance(stages, LineDict):
                for name in stages:
                    if re.search(r"train|fit", str(name), re.I):
                        out.append(Evidence(path, stages.line_of(name), f"stage {name}"))
                        break
            elif path == "MLproject":
                out.append(Evidence(path, 1, "MLflow project"))
    return out
