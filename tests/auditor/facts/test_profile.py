"""Profile detection: the kind of project decides which checks apply when the configuration names none."""

from __future__ import annotations

from mlops_audit import audit
from mlops_audit.facts.profile import detect
from mlops_audit.model import Status
from mlops_audit.repo import Repo

TRAIN = "from sklearn.linear_model import LogisticRegression\nLogisticRegression().fit(X, y)\n"
APP = "from fastapi import FastAPI\napp = FastAPI()\n\n@app.post('/predict')\ndef predict(x: dict):\n    return x\n"


def test_service_pipeline_library_research(make_repo):
    service = detect(Repo(make_repo({"train.py": TRAIN, "serve.py": APP})))
    assert service.name == "service" and "serve.py" in service.reason
    pipeline = detect(
        Repo(make_repo({"train.py": TRAIN, "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n"}))
    )
    assert pipeline.name == "pipeline" and "dvc.yaml" in pipeline.reason
    library = {
        "pyproject.toml": "[project]\nname = 'tinylib'\nversion = '1.0'\n[build-system]\nrequires = ['hatchling']\n"
        "build-backend = 'hatchling.build'\n",
        "src/tinylib/__init__.py": "def add(a, b):\n    return a + b\n",
    }
    assert detect(Repo(make_repo(library))).name == "library"
    research = detect(Repo(make_repo({"train.py": TRAIN})))
    assert research.name == "research" and "trains models" in research.reason


def test_detected_profile_scopes_checks_and_all_applies_everything(make_repo):
    root = make_repo({"train.py": TRAIN, "README.md": "# x\n"})
    detected = audit(root, select=["DEP001", "CT001"])
    assert detected.project.profile.name == "research" and detected.project.profile.detected
    assert all(o.status is Status.NOT_APPLICABLE for o in detected.outcomes)
    assert "research profile" in detected.outcomes[0].result.message
    everything = audit(root, select=["CT001"], profile="all")
    assert everything.project.profile.name == "all" and not everything.project.profile.detected
    assert everything.outcomes[0].status is Status.FAIL
