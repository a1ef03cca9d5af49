"""`copier update` from the previous released template (a real commit of this repository) to the working tree.

The releases are recorded in ``template-releases.toml``; its newest entry is the previous version. A full clone of
this repository (the CI clone is a plain ``git clone``) holds that commit; the working tree's template sources
(uncommitted edits included) are committed on top of it, as the version a project updates to. A project is copied
at the release commit, set up the way that version's closing message said (git init, uv sync, commit, uv.lock
included), edited and committed the way a user would, then updated as the generated README documents:
``copier update --trust``, then ``uv lock`` (``uv.lock`` is the user's file). After the update: no conflict markers
nor ``.rej`` files, every user edit kept, the lock consistent (``uv lock --check``, ``uv sync --locked``) and the
project's own tests pass, the user's test included.

The user's edits sit where the new template did not change the neighbouring lines: git's three-way merge (which
copier uses) marks a conflict wherever both sides changed the same or adjacent lines, for a person to resolve;
that is the update working as designed, not a broken template.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import copier
import pytest

from tests.helpers.template import (
    CHECKOUT_ENTRIES,
    REPO_ROOT,
    copy_working_tree,
    git,
    python_for,
    require_tool,
    run,
)

pytestmark = pytest.mark.e2e

RELEASES = REPO_ROOT / "template-releases.toml"
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})( |$)", re.MULTILINE)
DESCRIPTION = "Churn scores for the retention team, retrained weekly."
TEAM_MODULE = '"""Features of our own."""\n\n\ndef spend_per_visit(spend: float, visits: int) -> float:\n    return spend / max(visits, 1)\n'
TEAM_TEST = (
    "from my_ml_project.team_features import spend_per_visit\n\n\n"
    "def test_spend_per_visit() -> None:\n    assert spend_per_visit(10.0, 0) == 10.0\n"
)


def previous_release() -> dict[str, str]:
    """The newest entry of template-releases.toml: the version the working tree is the successor of."""
    releases = tomllib.loads(RELEASES.read_text())["release"]
    assert releases, f"{RELEASES.name} lists no release"
    for release in releases:
        assert re.fullmatch(r"[0-9a-f]{40}", release["commit"]), f"{release}: a full commit hash"
    return releases[-1]


def test_releases_file_is_documented() -> None:
    release = previous_release()
    assert RELEASES.name in (REPO_ROOT / "docs" / "template.md").read_text()
    assert release["version"]


@dataclass
class Updated:
    project: Path
    release: dict[str, str]
    head: str  # the commit of the working tree's template in the clone
    env: dict[str, str]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path} of the released template"
    path.write_text(text.replace(old, new, 1))


def _clone_with_working_tree(destination: Path, commit: str) -> str:
    """A full clone of this repository with the working tree's template committed on top; its HEAD commit."""
    subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(destination)], check=True, capture_output=True)
    if git(destination, "cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode != 0:
        pytest.fail(
            f"the template release commit {commit} ({RELEASES.name}) is not in the history of {REPO_ROOT}: "
            "a shallow clone? The update test needs the full history (git clone without --depth; "
            "actions/checkout with fetch-depth: 0)"
        )
    git(destination, "rm", "-rq", "--ignore-unmatch", *CHECKOUT_ENTRIES)
    copy_working_tree(destination)
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "--allow-empty", "-m", "the working tree's template")
    return git(destination, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def updated(tmp_path_factory: pytest.TempPathFactory, project_env: dict[str, str]) -> Updated:
    release = previous_release()
    work = tmp_path_factory.mktemp("update-release")
    source = work / "mlops-audit"
    head = _clone_with_working_tree(source, release["commit"])
    project = work / "my-ml-project"
    copier.run_copy(str(source), str(project), defaults=True, vcs_ref=release["commit"], quiet=True)
    uv = require_tool("uv")
    env = {**project_env, "UV_PYTHON": python_for("3.11")}
    # the released version's closing message: git init, uv sync; the user commits, uv.lock included
    git(project, "init", "-q", "-b", "main")
    run([uv, "sync", "--quiet"], project, env=env)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Initial project")
    assert "uv.lock" in git(project, "ls-files").stdout.split()
    # the user's work: a description, a hyperparameter, a tighter user-owned suite, a module and its test
    _edit(
        project / "README.md",
        "A machine-learning project with a reproducible continuous-training loop.",
        DESCRIPTION,
    )
    _edit(project / "configs/model/random_forest.yaml", "n_estimators: 200", "n_estimators: 300")
    _edit(project / "gx/expectations/training_data.json", '"min_value": 28\n', '"min_value": 30\n')
    (project / "src/my_ml_project/team_features.py").write_text(TEAM_MODULE)
    (project / "tests/test_team_features.py").write_text(TEAM_TEST)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Our changes")
    # the generated README's update: copier update --trust (the template-update workflows add --defaults
    # --skip-answered), then uv lock
    copier.run_update(
        str(project),
        defaults=True,
        unsafe=True,
        overwrite=True,
        skip_answered=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    run([uv, "lock", "--quiet"], project, env=env)
    return Updated(project, release, head, env)


def test_update_reaches_the_working_tree(updated: Updated) -> None:
    answers = (updated.project / ".copier-answers.yml").read_text()
    commit = re.search(r"^_commit: (\S+)$", answers, re.MULTILINE)
    assert commit and updated.head.startswith(commit.group(1)), answers
    assert not updated.release["commit"].startswith(commit.group(1))


def test_update_leaves_no_conflicts(updated: Updated) -> None:
    files = [p for p in updated.project.rglob("*") if p.is_file() and not {".git", ".venv"} & set(p.parts)]
    assert not [p for p in files if p.suffix == ".rej" or p.name.endswith(".orig")]
    conflicted = [
        str(p.relative_to(updated.project))
        for p in files
        if CONFLICT_MARKER.search(p.read_text(errors="replace"))
    ]
    assert not conflicted, conflicted


def test_update_keeps_user_edits(updated: Updated) -> None:
    project = updated.project
    assert DESCRIPTION in (project / "README.md").read_text()
    assert "n_estimators: 300" in (project / "configs/model/random_forest.yaml").read_text()
    assert '"min_value": 30\n' in (project / "gx/expectations/training_data.json").read_text()
    assert (project / "src/my_ml_project/team_features.py").read_text() == TEAM_MODULE
    assert (project / "tests/test_team_features.py").read_text() == TEAM_TEST


def test_updated_project_is_locked_and_passes_its_tests(updated: Updated) -> None:
    uv = require_tool("uv")
    run([uv, "lock", "--check"], updated.project, env=updated.env)
    run([uv, "sync", "--locked", "--quiet"], updated.project, env=updated.env)
    pytest_command = [uv, "run", "--locked", "pytest", "-v", "-p", "no:cacheprovider"]
    result = run(pytest_command, updated.project, env=updated.env)
    assert "tests/test_team_features.py::test_spend_per_visit PASSED" in result.stdout


def test_a_missing_release_commit_fails_loudly(tmp_path: Path) -> None:
    """A clone without the release commit (a shallow one) is a failure that says why, never a skip."""
    with pytest.raises(pytest.fail.Exception, match="needs the full history"):
        _clone_with_working_tree(tmp_path / "clone", "0" * 40)
