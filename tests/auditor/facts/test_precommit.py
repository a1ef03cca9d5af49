"""facts.precommit: pre-commit hooks (local ones too), lefthook, linter configurations."""

from __future__ import annotations

from mlops_audit.facts import precommit
from mlops_audit.repo import Repo

PRECOMMIT = """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.8.0
    hooks:
      - id: ruff
        args: [--fix]
      - id: ruff-format
  - repo: local
    hooks:
      - id: pylint
        name: pylint
        entry: uv run pylint src
        language: system
ci:
  autoupdate_schedule: monthly
"""


def test_precommit_hooks_and_kinds(make_repo):
    repo = Repo(make_repo({".pre-commit-config.yaml": PRECOMMIT}))
    hooks = precommit.hooks(repo)
    assert [(h.id, h.line) for h in hooks] == [("ruff", 5), ("ruff-format", 7), ("pylint", 10)]
    assert precommit.hook_kinds(hooks[0]) == {"linter"}
    assert precommit.hook_kinds(hooks[1]) == {"formatter"}
    assert hooks[2].repo == "local" and hooks[2].command == "uv run pylint src"
    assert precommit.hook_kinds(hooks[2]) == {"linter"}
    assert precommit.precommit_ci(repo) == 14
    assert precommit.has_precommit_fact(repo).value is True
    assert precommit.linter_configured_fact(repo).value is True  # linters run as hooks
    assert precommit.linters_inventory(repo) == ["pylint", "ruff"]


def test_lefthook_is_a_hook_manager_but_not_has_precommit(make_repo):
    files = {"lefthook.yml": "pre-commit:\n  commands:\n    lint:\n      run: ruff check {staged_files}\n"
             "    fmt:\n      run: ruff format {staged_files}\n"}  # fmt: skip
    repo = Repo(make_repo(files))
    assert precommit.has_precommit_fact(repo).value is False
    assert precommit.hook_managers(repo) == ["lefthook"]
    assert [h.id for h in precommit.linter_hooks(repo)] == ["lint"]
    assert [h.id for h in precommit.formatter_hooks(repo)] == ["fmt"]


def test_no_hooks_no_linters(make_repo):
    repo = Repo(make_repo({"README.md": "x\n", "pyproject.toml": "[project]\nname = 'x'\n"}))
    assert precommit.hooks(repo) == []
    assert precommit.has_precommit_fact(repo).value is False
    assert precommit.linter_configured_fact(repo).value is False
    assert precommit.linter_configs(repo) == []


def test_linter_configs_with_explicit_rules(make_repo):
    files = {
        "pyproject.toml": "[project]\nname = 'x'\n\n[tool.ruff]\nline-length = 100\n\n[tool.ruff.lint]\n"
        'select = ["E", "F"]\n\n[tool.black]\nline-length = 100\n',
        "setup.cfg": "[metadata]\nname = x\n\n[flake8]\nmax-line-length = 100\n",
        ".pylintrc": "[MESSAGES CONTROL]\ndisable = C0114\n",
    }
    repo = Repo(make_repo(files))
    configs = {(c.tool, c.path): c for c in precommit.linter_configs(repo)}
    assert configs[("ruff", "pyproject.toml")].explicit and configs[("ruff", "pyproject.toml")].line == 8
    assert configs[("black", "pyproject.toml")].line == 10
    assert not configs[("flake8", "setup.cfg")].explicit and configs[("flake8", "setup.cfg")].line == 4
    assert not configs[("pylint", ".pylintrc")].explicit
    assert precommit.linter_configured_fact(repo).value is True
    assert "ruff" in precommit.linters_inventory(repo)


def test_ruff_toml_default_rules(make_repo):
    repo = Repo(make_repo({"ruff.toml": "line-length = 100\n"}))
    [config] = precommit.linter_configs(repo)
    assert config.tool == "ruff" and not config.explicit


def test_malformed_precommit_config(make_repo):
    repo = Repo(make_repo({".pre-commit-config.yaml": "repos: [\n"}))
    assert precommit.hooks(repo) == []
    assert precommit.config_parsed(repo) is False
    assert precommit.has_precommit_fact(repo).value is True  # the file exists: the fact is literal
