"""The questions: validators reject bad answers; derived names are computed from the project name."""

from __future__ import annotations

from pathlib import Path

import mlops_audit
import pytest
import yaml

from tests.helpers.template import REPO_ROOT, render

BAD_ANSWERS = [
    {"project_name": "1 starts with a digit"},
    {"project_name": "x"},
    {"project_slug": "Not_A_Slug"},
    {"package_name": "1bad"},
    {"package_name": "has-dash"},
    {"package_name": "Upper"},
    {"package_name": "tests"},
    {"package_name": "class"},
    {"description": "short"},
    {"author_name": "   "},
    {"author_email": "not-an-email"},
    {"python_version": "3.10"},
    {"ci_provider": "jenkins"},
    {"data_versioning": "lakefs"},
    {"dvc_remote_url": "has space"},
    {"container_registry": "Not/Valid Registry"},
    {"ct_schedule": "weekly"},
    {"ct_schedule": "0 4 * *"},
    {"license": "WTFPL"},
    {"copyright_year": "26"},
    {"mlflow_tracking_uri": "mlflow.db"},
    {"registered_model_name": "-bad"},
    {"random_seed": -1},
]


@pytest.mark.parametrize("answers", BAD_ANSWERS, ids=lambda a: "-".join(f"{k}={v}" for k, v in a.items()))
def test_validators_reject_bad_answers(template_repo: Path, tmp_path: Path, answers: dict) -> None:
    with pytest.raises(ValueError):
        render(template_repo, tmp_path / "project", answers)
    assert not (tmp_path / "project" / "pyproject.toml").exists()


def test_derived_names(template_repo: Path, tmp_path: Path) -> None:
    project = render(template_repo, tmp_path / "project", {"project_name": "Fraud Detector 2"})
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "fraud-detector-2"
    assert answers["package_name"] == "fraud_detector_2"
    assert answers["registered_model_name"] == "fraud-detector-2"
    assert (project / "src" / "fraud_detector_2" / "train.py").is_file()
    assert 'name = "fraud-detector-2"' in (project / "pyproject.toml").read_text()


def test_dvc_remote_relative_to_project_root(template_repo: Path, tmp_path: Path) -> None:
    project = render(template_repo, tmp_path / "a")
    assert "url = ../../my-ml-project-dvc-storage" in (project / ".dvc" / "config").read_text()
    remote = render(template_repo, tmp_path / "b", {"dvc_remote_url": "s3://bucket/dvc"})
    assert "url = s3://bucket/dvc" in (remote / ".dvc" / "config").read_text()


def test_every_question_has_help() -> None:
    questions = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    visible = {k: v for k, v in questions.items() if not k.startswith("_")}
    assert {
        "project_name",
        "package_name",
        "python_version",
        "ci_provider",
        "mlops_audit_requirement",
    } <= set(visible)
    for name, question in visible.items():
        assert question.get("help"), f"question {name} has no help text"
    assert questions["mlops_audit_requirement"]["when"] is False
    # the released auditor when rendered from a URL (a local checkout: that checkout, tests/template/test_first_push.py)
    assert f"mlops-audit=={mlops_audit.__version__}" in questions["mlops_audit_requirement"]["default"]
    assert questions["_subdirectory"] == "template"
    assert "_tasks" not in questions, "a plain `copier copy` must work without --trust"


def test_copy_without_trust(template_repo: Path, tmp_path: Path) -> None:
    import copier

    copier.run_copy(str(template_repo), str(tmp_path / "p"), defaults=True, vcs_ref="HEAD", quiet=True)
    assert (tmp_path / "p" / "pyproject.toml").is_file()
