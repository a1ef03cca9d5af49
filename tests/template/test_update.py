"""`copier update` between two template versions keeps the user's work.

Version 2 of the template adds a file, renames one through `_migrations` and changes a user-owned file
(`_skip_if_exists`). A project is copied from version 1, edited and committed the way a user would, then
updated to version 2: no conflict markers, no `.rej` files, and every user edit is still there.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import copier
import pytest

from tests.helpers.template import REPO_ROOT, git, make_template_repo, require_tool

OLD = "configs/experiment/random_forest_deep.yaml"
NEW = "configs/experiment/deep_forest.yaml"
# A migration that carries the user's version of a renamed file to its new name: copied aside (inside .git,
# never tracked) before the update, moved onto the new path after it.
BEFORE = (
    f"import pathlib, shutil; s = pathlib.Path('{OLD}'); d = pathlib.Path('.git/copier-renames/{NEW}'); "
    "d.parent.mkdir(parents=True, exist_ok=True); s.is_file() and shutil.copy2(s, d)"
)
AFTER = f"import pathlib, shutil; s = pathlib.Path('.git/copier-renames/{NEW}'); s.is_file() and shutil.move(s, '{NEW}')"
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7}) ", re.MULTILINE)


def _release_v2(template: Path) -> None:
    git(template, "mv", f"template/{OLD}", f"template/{NEW}")
    (template / "template" / "docs").mkdir(exist_ok=True)
    (template / "template" / "docs" / "runbook.md.jinja").write_text(
        "# Runbook of {{ project_name }}\n\nOn-call steps for the model service.\n"
    )
    suite = template / "template" / "gx" / "expectations" / "training_data.json"
    suite.write_text(suite.read_text().replace('"name": "training_data"', '"name": "training_data_v2"'))
    config = (template / "copier.yml").read_text()
    assert "_migrations: []" in config
    migrations = (
        "_migrations:\n"
        "  - version: v0.2.0\n"
        "    when: \"{{ _stage == 'before' }}\"\n"
        f'    command: ["{{{{ _copier_python }}}}", "-c", {json.dumps(BEFORE)}]\n'
        "  - version: v0.2.0\n"
        "    when: \"{{ _stage == 'after' }}\"\n"
        f'    command: ["{{{{ _copier_python }}}}", "-c", {json.dumps(AFTER)}]\n'
    )
    (template / "copier.yml").write_text(config.replace("_migrations: []\n", migrations))
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "v0.2.0: rename an experiment, add a runbook")
    git(template, "tag", "v0.2.0")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


@pytest.fixture
def updated_project(tmp_path: Path) -> Path:
    template = make_template_repo(tmp_path / "template", tag="v0.1.0")
    _release_v2(template)
    project = tmp_path / "project"
    copier.run_copy(
        str(template),
        str(project),
        data={"mlops_audit_requirement": "mlops-audit>=0.1,<0.2"},
        defaults=True,
        unsafe=True,
        vcs_ref="v0.1.0",
        quiet=True,
    )
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Initial commit from the template")
    # The user's work: edit the file the template will rename, a config, the README, a user-owned suite,
    # and add a module of their own.
    _edit(project / OLD, "n_estimators: 500", "n_estimators: 800")
    _edit(project / "configs/model/random_forest.yaml", "min_samples_leaf: 1", "min_samples_leaf: 3")
    (project / "README.md").write_text(
        (project / "README.md").read_text() + "\n## Team notes\n\nOur runbook.\n"
    )
    _edit(project / "gx/expectations/training_data.json", '"min_value": 28\n', '"min_value": 40\n')
    (project / "src/my_ml_project/features.py").write_text('"""Feature engineering of our own."""\n')
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "User edits")
    copier.run_update(str(project), defaults=True, unsafe=True, overwrite=True, quiet=True, vcs_ref="v0.2.0")
    return project


def test_update_applies_the_new_version(updated_project: Path) -> None:
    answers = (updated_project / ".copier-answers.yml").read_text()
    assert "_commit: v0.2.0" in answers
    assert (updated_project / "docs" / "runbook.md").read_text().startswith("# Runbook of My ML Project")
    assert (updated_project / NEW).is_file()
    assert not (updated_project / OLD).exists()


def test_update_leaves_no_conflicts(updated_project: Path) -> None:
    files = [p for p in updated_project.rglob("*") if p.is_file() and ".git" not in p.parts]
    assert not [p for p in files if p.suffix == ".rej" or p.name.endswith(".orig")]
    conflicted = [str(p.relative_to(updated_project)) for p in files if CONFLICT_MARKER.search(p.read_text())]
    assert not conflicted, conflicted
    assert not (updated_project / ".git" / "copier-renames").exists() or not any(
        (updated_project / ".git" / "copier-renames").rglob("*.yaml")
    )


def test_update_keeps_user_edits(updated_project: Path) -> None:
    assert "n_estimators: 800" in (updated_project / NEW).read_text(), "the rename migration lost the edit"
    assert "min_samples_leaf: 3" in (updated_project / "configs/model/random_forest.yaml").read_text()
    assert "## Team notes" in (updated_project / "README.md").read_text()
    suite = (updated_project / "gx/expectations/training_data.json").read_text()
    assert '"min_value": 40\n' in suite
    assert '"training_data"' in suite, "a user-owned file (_skip_if_exists) was overwritten"
    assert (updated_project / "src/my_ml_project/features.py").is_file()


def test_update_without_the_migration_would_lose_the_edit(tmp_path: Path) -> None:
    """The control experiment: copier does not follow renames by itself, hence the migration."""
    template = make_template_repo(tmp_path / "template", tag="v0.1.0")
    git(template, "mv", f"template/{OLD}", f"template/{NEW}")
    git(template, "commit", "-q", "-m", "rename without migration")
    git(template, "tag", "v0.2.0")
    project = tmp_path / "project"
    data = {"mlops_audit_requirement": "mlops-audit>=0.1,<0.2"}
    copier.run_copy(
        str(template), str(project), data=data, defaults=True, unsafe=True, vcs_ref="v0.1.0", quiet=True
    )
    git(project, "init", "-q", "-b", "main")
    _edit(project / OLD, "n_estimators: 500", "n_estimators: 800")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "copy and edit")
    copier.run_update(str(project), defaults=True, unsafe=True, overwrite=True, quiet=True, vcs_ref="v0.2.0")
    assert "n_estimators: 800" not in (project / NEW).read_text()


def test_check_update_contract(tmp_path: Path) -> None:
    """The template-update workflows rely on `copier check-update --quiet` exiting 2 when an update exists."""
    template = make_template_repo(tmp_path / "template", tag="v0.1.0")
    project = tmp_path / "project"
    data = {"mlops_audit_requirement": "mlops-audit>=0.1,<0.2"}
    copier.run_copy(
        str(template), str(project), data=data, defaults=True, unsafe=True, vcs_ref="v0.1.0", quiet=True
    )
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "copy")
    check = [require_tool("copier"), "check-update", "--quiet"]
    assert subprocess.run(check, cwd=project, capture_output=True, check=False).returncode == 0
    (template / "template" / "NOTICE.md").write_text("notice\n")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "v0.1.1")
    git(template, "tag", "v0.1.1")
    assert subprocess.run(check, cwd=project, capture_output=True, check=False).returncode == 2
    workflow = (REPO_ROOT / "template").glob("*/workflows/template-update.yml")
    assert "copier check-update --quiet" in next(iter(workflow)).read_text()
