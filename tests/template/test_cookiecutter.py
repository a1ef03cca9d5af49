"""The cookiecutter entry (cookiecutter/) gives the same project as `copier copy`, from the one template.

The template (copier.yml, template/, cookiecutter/) is copied into a temporary git repository tagged v0.0.1, so
that the tests do not depend on the state of the working tree, and rendered from there both ways.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config

from tests.helpers.template import OUTER_ENVIRONMENT

REPO_ROOT = Path(__file__).resolve().parents[2]
ENTRY = REPO_ROOT / "cookiecutter"
MODULE = "mlops_audit_cookiecutter"
ANSWERS_FILE = ".copier-answers.yml"
COPIED = ("copier.yml", "template", "cookiecutter")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", ".pytest_cache", ".ruff_cache", ".DS_Store")
GIT_CONFIG = {
    "user.name": "mlops-audit tests",
    "user.email": "tests@example.com",
    "commit.gpgsign": "false",
    "tag.gpgsign": "false",
    "init.defaultBranch": "main",
    "core.hooksPath": "/dev/null",
}
GIT = ["git", *(arg for key, value in GIT_CONFIG.items() for arg in ("-c", f"{key}={value}"))]
# cookiecutter keys that are not copier questions
COOKIECUTTER_ONLY = {"_extensions", "__prompts__", "__rendered_by_copier"}

# Answer sets rendered both ways: the defaults, then every choice value at least once.
COMBINATIONS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "gitlab-no-dvc-no-serving": {
        "project_name": "Churn Predictor",
        "python_version": "3.12",
        "ci_provider": "gitlab",
        "data_versioning": "none",
        "serving": False,
        "license": "Apache-2.0",
    },
    "no-ci-everything-custom": {
        "project_name": "Fraud Detection v2",
        "project_slug": "fraud-detection",
        "package_name": "fraud_core",
        "description": "Scores card transactions for fraud, in nightly batches.",
        "author_name": "Risk Team",
        "author_email": "risk@example.org",
        "python_version": "3.13",
        "ci_provider": "none",
        "data_versioning": "dvc",
        "dvc_remote_url": "s3://risk-bucket/dvc",
        "serving": True,
        "container_registry": "registry.example.com:5000/risk/fraud",
        "ct_schedule": "none",
        "license": "Proprietary",
        "copyright_year": "2025",
        "mlflow_tracking_uri": "http://mlflow.internal:5000",
        "registered_model_name": "fraud.scorer",
        "random_seed": 7,
    },
    "bsd-github-dvc-no-serving": {
        "project_name": "Demand_Forecast",
        "license": "BSD-3-Clause",
        "serving": False,
        "ct_schedule": "30 2 * * *",
    },
}


# ---------------------------------------------------------------------------------------------------- helpers


def git(*args: str, cwd: Path) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def make_template_checkout(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=IGNORED)
        else:
            shutil.copy2(source, dest / name)
    git("init", "-q", cwd=dest)
    git("add", "-A", "-f", cwd=dest)  # -f: template/.gitignore is the generated project's, not ours
    git("commit", "-q", "-m", "template", cwd=dest)
    git("tag", "v0.0.1", cwd=dest)
    return dest


def copier_questions() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((REPO_ROOT / "copier.yml").read_text(encoding="utf-8"))
    return {name: spec for name, spec in data.items() if not name.startswith("_")}


def cookiecutter_key(name: str, spec: Mapping[str, Any]) -> str:
    """A question copier never asks (``when: false``) is a private cookiecutter variable."""
    return f"_{name}" if spec.get("when") is False else name


def to_cookiecutter(answers: Mapping[str, Any]) -> dict[str, Any]:
    questions = copier_questions()
    return {cookiecutter_key(name, questions[name]): value for name, value in answers.items()}


@pytest.fixture
def fresh_entry_module() -> Iterator[None]:
    """cookiecutter imports cookiecutter/mlops_audit_cookiecutter.py, which remembers the checkout it was
    imported from: forget it around in-process runs so that each run finds its own template repository."""
    sys.modules.pop(MODULE, None)
    yield
    sys.modules.pop(MODULE, None)


def render_with_cookiecutter(repo: Path | str, out: Path, answers: Mapping[str, Any], **kwargs: Any) -> Path:
    sys.modules.pop(MODULE, None)
    try:
        project = cookiecutter(
            str(repo),
            directory="cookiecutter",
            no_input=True,
            extra_context=to_cookiecutter(answers),
            output_dir=str(out),
            **kwargs,
        )
    finally:
        sys.modules.pop(MODULE, None)
    return Path(project)


#: The cookiecutter entry point renders with the released auditor (cookiecutter.json); copier's own default
#: would be the checkout's path when rendered from one, so the copier side of each comparison is told the same.
COOKIECUTTER_REQUIREMENT = json.loads((REPO_ROOT / "cookiecutter" / "cookiecutter.json").read_text())[
    "_mlops_audit_requirement"
]


def render_with_copier(repo: Path, dest: Path, answers: Mapping[str, Any]) -> Path:
    data = {"mlops_audit_requirement": COOKIECUTTER_REQUIREMENT, **answers}
    copier.run_copy(str(repo), str(dest), data=data, defaults=True, quiet=True, unsafe=False)
    return dest


def snapshot(root: Path) -> dict[str, tuple[str, int, bytes]]:
    """Every path under root but .git: (kind, permission bits, content)."""
    result: dict[str, tuple[str, int, bytes]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] == ".git":
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink():
            result[rel.as_posix()] = ("link", 0, str(path.readlink()).encode())
        elif path.is_dir():
            result[rel.as_posix()] = ("dir", mode, b"")
        else:
            result[rel.as_posix()] = ("file", mode, path.read_bytes())
    return result


def without_src_path(text: bytes) -> list[str]:
    return [line for line in text.decode().splitlines() if not line.startswith("_src_path:")]


def assert_same_project(by_copier: Path, by_cookiecutter: Path) -> None:
    left, right = snapshot(by_copier), snapshot(by_cookiecutter)
    assert sorted(left) == sorted(right), "the two projects hold different files"
    differing = [rel for rel in left if rel != ANSWERS_FILE and left[rel] != right[rel]]
    assert not differing, f"files that differ between copier and cookiecutter: {differing}"
    assert left[ANSWERS_FILE][:2] == right[ANSWERS_FILE][:2]
    assert without_src_path(left[ANSWERS_FILE][2]) == without_src_path(right[ANSWERS_FILE][2])


def answers_of(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8"))


def load_entry_module() -> Any:
    """cookiecutter/mlops_audit_cookiecutter.py of this checkout, under a private name."""
    spec = importlib.util.spec_from_file_location("_entry_under_test", ENTRY / f"{MODULE}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hide_copier(tmp_path: Path) -> dict[str, str]:
    """An environment whose Python cannot import copier (nor the Jinja filters installed with it)."""
    stubs = tmp_path / "no-copier"
    stubs.mkdir()
    for name in ("copier", "jinja2_ansible_filters"):
        (stubs / f"{name}.py").write_text(
            f'raise ImportError("No module named {name!r}")\n', encoding="utf-8"
        )
    return {**os.environ, "PYTHONPATH": str(stubs)}


@pytest.fixture(scope="module", autouse=True)
def cookiecutter_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cookiecutter user configuration of its own: clones and replay files stay out of the home directory."""
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "cookiecutterrc.yaml"
    settings = {"cookiecutters_dir": str(home / "cookiecutters"), "replay_dir": str(home / "replay")}
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COOKIECUTTER_CONFIG", str(config))
        yield home


@pytest.fixture(scope="module")
def template_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template_checkout(tmp_path_factory.mktemp("cookiecutter-template") / "mlops-audit")


# ---------------------------------------------------------------------------------------------------- drift


def test_every_copier_question_is_a_cookiecutter_variable() -> None:
    entry = json.loads((ENTRY / "cookiecutter.json").read_text(encoding="utf-8"))
    prompts = entry["__prompts__"]
    questions = copier_questions()
    expected_keys = {cookiecutter_key(name, spec) for name, spec in questions.items()}
    assert set(entry) - COOKIECUTTER_ONLY == expected_keys, (
        "cookiecutter.json and copier.yml ask different things"
    )
    assert list(entry).index("__rendered_by_copier") > max(list(entry).index(key) for key in expected_keys)
    order = [key for key in entry if key in expected_keys]
    assert order == [cookiecutter_key(name, spec) for name, spec in questions.items()], (
        "question order differs"
    )

    for name, spec in questions.items():
        key = cookiecutter_key(name, spec)
        value = entry[key]
        choices = spec.get("choices")
        if choices:
            values = list(choices.values()) if isinstance(choices, dict) else list(choices)
            assert isinstance(value, list) and value[0] == spec["default"], (
                f"{key}: the copier default comes first"
            )
            assert sorted(value) == sorted(values), f"{key}: different choices"
        elif spec.get("type") == "bool":
            assert value is spec["default"], key
        if key.startswith("_"):
            assert key not in prompts, f"{key} is hidden in copier"
            continue
        prompt = prompts[key]
        if isinstance(choices, dict):
            assert prompt == {"__prompt__": spec["help"], **{v: label for label, v in choices.items()}}, key
        else:
            assert prompt == spec["help"], f"{key}: the question's text differs from copier's help"


PARTIAL_ANSWERS = [
    {},
    {"project_name": "Churn Predictor 2"},
    {"project_name": "Mixed_CASE -- Name  ", "ci_provider": "gitlab"},
    {"project_name": "Fraud", "project_slug": "risk-fraud-scoring", "data_versioning": "none"},
    {"project_name": "X Ray", "package_name": "xray_pkg", "serving": False, "ci_provider": "none"},
]


@pytest.mark.parametrize("given", PARTIAL_ANSWERS, ids=lambda given: ",".join(given) or "defaults")
def test_defaults_render_the_same_in_copier_and_cookiecutter(
    given: dict[str, Any], template_checkout: Path, tmp_path: Path, fresh_entry_module: None
) -> None:
    worker = copier.run_copy(
        str(template_checkout),
        str(tmp_path / "p"),
        data={"mlops_audit_requirement": COOKIECUTTER_REQUIREMENT, **given},
        defaults=True,
        pretend=True,
        quiet=True,
    )
    by_copier = {name: worker.answers.combined[name] for name in copier_questions()}

    context = generate_context(
        context_file=str(template_checkout / "cookiecutter" / "cookiecutter.json"),
        extra_context=to_cookiecutter(given),
    )
    sys.path.insert(0, str(template_checkout / "cookiecutter"))
    try:
        rendered = prompt_for_config(context, no_input=True)
    finally:
        sys.path.remove(str(template_checkout / "cookiecutter"))
    questions = copier_questions()
    by_cookiecutter = {name: rendered[cookiecutter_key(name, spec)] for name, spec in questions.items()}
    # cookiecutter hands every non-boolean answer over as text; copier casts it back with the question's type
    assert {k: v if isinstance(v, bool) else str(v) for k, v in by_copier.items()} == by_cookiecutter


# ---------------------------------------------------------------------------------------------------- same tree


@pytest.mark.parametrize("answers", COMBINATIONS.values(), ids=COMBINATIONS.keys())
def test_copier_and_cookiecutter_render_the_same_project(
    answers: dict[str, Any], template_checkout: Path, tmp_path: Path
) -> None:
    by_copier = render_with_copier(template_checkout, tmp_path / "copier" / "project", answers)
    by_cookiecutter = render_with_cookiecutter(template_checkout, tmp_path / "cookiecutter", answers)
    assert by_cookiecutter.name == (answers.get("project_slug") or answers_of(by_copier)["project_slug"])
    assert_same_project(by_copier, by_cookiecutter)
    recorded = answers_of(by_cookiecutter)
    assert recorded["_src_path"] == template_checkout.as_posix()
    assert recorded["_commit"] == "v0.0.1"
    for name, value in answers.items():
        assert recorded[name] == value


def test_cloned_template_records_an_address_copier_updates_from(
    template_checkout: Path, tmp_path: Path, cookiecutter_home: Path
) -> None:
    """`cookiecutter <url>` clones into cookiecutters_dir: the project must not point at that cache."""
    url = f"git+{template_checkout.as_uri()}"  # cookiecutter clones it like a remote repository
    answers = COMBINATIONS["gitlab-no-dvc-no-serving"]
    by_cookiecutter = render_with_cookiecutter(url, tmp_path / "out", answers)
    cache = cookiecutter_home / "cookiecutters"
    assert (cache / template_checkout.name / "cookiecutter" / "cookiecutter.json").is_file()
    by_copier = render_with_copier(template_checkout, tmp_path / "copier" / "project", answers)
    assert_same_project(by_copier, by_cookiecutter)
    src_path = answers_of(by_cookiecutter)["_src_path"]
    assert src_path == url
    assert str(cache) not in src_path

    # copier itself can render from the recorded address
    again = tmp_path / "again"
    copier.run_copy(
        src_path,
        str(again),
        data={"mlops_audit_requirement": COOKIECUTTER_REQUIREMENT, **answers},
        defaults=True,
        quiet=True,
    )
    assert_same_project(by_copier, again)


def test_copier_update_works_on_a_cookiecutter_project(template_checkout: Path, tmp_path: Path) -> None:
    repo = tmp_path / "template-repo"
    shutil.copytree(template_checkout, repo)
    answers = COMBINATIONS["bsd-github-dvc-no-serving"]
    project = render_with_cookiecutter(repo, tmp_path / "out", answers)
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "generated with cookiecutter", cwd=project)

    readme = repo / "template" / "README.md.jinja"
    readme.write_text(
        readme.read_text(encoding="utf-8") + "\nA line added by template v0.0.2.\n", encoding="utf-8"
    )
    git("commit", "-q", "-am", "template v0.0.2", cwd=repo)
    git("tag", "v0.0.2", cwd=repo)

    copier.run_update(str(project), defaults=True, overwrite=True, unsafe=True, quiet=True)

    assert "A line added by template v0.0.2." in (project / "README.md").read_text(encoding="utf-8")
    recorded = answers_of(project)
    assert recorded["_commit"] == "v0.0.2"
    assert recorded["_src_path"] == repo.as_posix()
    assert not list(project.rglob("*.rej"))
    status = git("status", "--porcelain", cwd=project)
    assert "README.md" in status
    conflicted = git("diff", "--name-only", "--diff-filter=U", cwd=project)
    assert not conflicted.strip()
    marker = re.compile(rb"^<<<<<<< ", re.MULTILINE)
    files = [
        path
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    ]
    assert not [path for path in files if marker.search(path.read_bytes())], "conflict markers"


# ---------------------------------------------------------------------------------------------------- errors


def run_cli(
    repo: Path, out: Path, *extra: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess:
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "cookiecutter", str(repo), "--directory", "cookiecutter", "--no-input"]
    command += ["-o", str(out), *extra]
    return subprocess.run(command, capture_output=True, text=True, env=dict(env or os.environ), timeout=120)


def test_invalid_answer_stops_with_copiers_message(template_checkout: Path, tmp_path: Path) -> None:
    result = run_cli(template_checkout, tmp_path / "out", "project_name=1 starts with a digit")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Validation error for question 'project_name'" in output
    assert "The project name must start with a letter" in output
    assert "Traceback" not in output
    assert not any((tmp_path / "out").iterdir()), "nothing is written on an invalid answer"


def test_missing_copier_gives_one_clear_message(template_checkout: Path, tmp_path: Path) -> None:
    result = run_cli(template_checkout, tmp_path / "out", env=hide_copier(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "this template renders with copier" in output
    assert "pip install copier" in output
    assert "Traceback" not in output
    assert output.count("mlops-audit template:") == 1
    assert not any((tmp_path / "out").iterdir())


def test_hook_rendering_itself_without_copier_gives_the_same_message(
    template_checkout: Path, tmp_path: Path
) -> None:
    """The hook renders with copier itself when nothing was staged (e.g. ``--replay``)."""
    project = tmp_path / "project"
    project.mkdir()
    code = (
        f"import sys, pathlib; sys.path.insert(0, {str(template_checkout / 'cookiecutter')!r}); import {MODULE}; "
        f"sys.exit({MODULE}.main(pathlib.Path({str(project)!r}), {{'_template': '.'}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=hide_copier(tmp_path), timeout=60
    )
    assert result.returncode == 1
    assert "pip install copier" in result.stderr
    assert "Traceback" not in result.stderr


def test_hook_renders_itself_when_nothing_was_staged(template_checkout: Path, tmp_path: Path) -> None:
    answers = COMBINATIONS["gitlab-no-dvc-no-serving"]
    by_copier = render_with_copier(template_checkout, tmp_path / "copier" / "churn-predictor", answers)
    project = tmp_path / "cookiecutter" / "churn-predictor"
    project.mkdir(parents=True)
    (project / ".cookiecutter-placeholder").write_text("placeholder\n", encoding="utf-8")
    context = {
        **to_cookiecutter(answers),
        "_mlops_audit_requirement": COOKIECUTTER_REQUIREMENT,  # from cookiecutter.json, as cookiecutter gives it
        "_template": str(template_checkout),
        "__rendered_by_copier": "/gone",
    }
    entry = load_entry_module()
    assert entry.main(project, context, root=template_checkout) == 0
    assert_same_project(by_copier, project)
    assert answers_of(project)["_src_path"] == template_checkout.as_posix()


# ---------------------------------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("gh:mlops-audit/mlops-audit", "gh:mlops-audit/mlops-audit"),
        ("https://github.com/someone/fork", "https://github.com/someone/fork"),
        ("git@github.com:someone/fork.git", "git@github.com:someone/fork.git"),
        ("https://git.example.com/ml/mlops-audit", "git+https://git.example.com/ml/mlops-audit"),
        ("bb:team/mlops-audit", "git+https://bitbucket.org/team/mlops-audit"),
        ("file:///srv/git/mlops-audit", "git+file:///srv/git/mlops-audit"),
        ("https://example.com/mlops-audit-0.1.0.zip", "CANONICAL"),
        ("../mlops-audit", "ROOT"),
        (".", "ROOT"),
    ],
)
def test_source_path(template: str, expected: str) -> None:
    entry = load_entry_module()
    canonical = entry.canonical_url(REPO_ROOT)
    assert canonical == "gh:mlops-audit/mlops-audit"
    expected = {"CANONICAL": canonical, "ROOT": REPO_ROOT.as_posix()}.get(expected, expected)
    assert entry.source_path(template, REPO_ROOT) == expected
    if expected != REPO_ROOT.as_posix():  # copier reads the recorded address as a git repository
        from copier._vcs import get_repo

        assert get_repo(expected) is not None


def test_canonical_url_without_pyproject(tmp_path: Path) -> None:
    assert load_entry_module().canonical_url(tmp_path) == "gh:mlops-audit/mlops-audit"


def test_copier_answers_maps_hidden_questions() -> None:
    entry = load_entry_module()
    context = {
        "project_name": "A b",
        "_mlops_audit_requirement": "mlops-audit",
        "_template": ".",
        "_repo_dir": "x",
    }
    assert entry.copier_answers(context, REPO_ROOT) == {
        "project_name": "A b",
        "mlops_audit_requirement": "mlops-audit",
    }


# ---------------------------------------------------------------------------------------------------- end to end


@pytest.fixture(scope="session")
def cookiecutter_project_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The environment the generated projects run in: ``project_env`` of tests/template/conftest.py (one uv
    cache for the session) when it is there, else bytecode compiled and $UV_CACHE_DIR or a session cache."""
    try:
        return dict(request.getfixturevalue("project_env"))
    except pytest.FixtureLookupError:
        cache = os.environ.get("UV_CACHE_DIR") or str(tmp_path_factory.mktemp("uv-cache"))
        return {"UV_COMPILE_BYTECODE": "1", "UV_NO_PROGRESS": "1", "UV_CACHE_DIR": cache}


@pytest.mark.e2e
def test_cookiecutter_project_passes_its_own_tests(
    template_checkout: Path, tmp_path: Path, cookiecutter_project_env: dict[str, str]
) -> None:
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv, "uv is required (install the dev dependency group: uv sync)"
    # `--no-input` alone: the default answers, as a user types it
    result = run_cli(template_checkout, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    project = tmp_path / "out" / "my-ml-project"
    assert (project / ANSWERS_FILE).is_file()
    assert not (project / ".cookiecutter-placeholder").exists()
    # the auditor runs in its own tool environment (uvx), so the project's lock never depends on it
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert "uvx --from 'mlops-audit==" in pyproject

    env = {**os.environ, **cookiecutter_project_env}
    for name in OUTER_ENVIRONMENT:
        env.pop(name, None)
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "generated with cookiecutter", cwd=project)
    python = ["--python", sys.executable] if sys.version_info[:2] == (3, 11) else []  # the project's default
    for command in (
        [uv, "sync", "--quiet", *python],
        [uv, "run", "--frozen", "pytest", "-q", "-p", "no:cacheprovider"],
    ):
        run = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=1800)
        assert run.returncode == 0, f"{' '.join(command)}\n{run.stdout[-5000:]}\n{run.stderr[-5000:]}"
