"""`mlops-audit fix`: add the missing pieces for failed checks by rendering them from the bundled template.

The flow: audit the repository -> pick the failed checks that name a fix -> infer the template's answers from
the repository (names, Python version, CI provider, layout) -> render the template once into a temporary
directory with copier -> take from it the files each fix needs. Only missing files are created; the one edit of
an existing file is appending missing entries to ``.gitignore``. Nothing is overwritten or deleted, so a second
run changes nothing. No network: the template is bundled and copier renders it locally.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .config import ConfigError
from .engine import audit
from .model import Status
from .repo import Repo
from .report import Outcome, Report

Echo = Callable[[str], None]

#: Where data files are looked for when a validation suite skeleton is built (first match wins).
_DATA_SUFFIXES = (".csv", ".tsv")
_PY_VERSIONS = ("3.11", "3.12", "3.13")


@dataclass(frozen=True)
class Change:
    """One file to create, or text to append to an existing ``.gitignore``."""

    path: str
    content: str
    append: bool = False
    checks: tuple[str, ...] = ()


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)  # what still needs a person
    fixed: set[str] = field(default_factory=set)  # check IDs with at least one change

    def add(self, change: Change) -> None:
        for i, existing in enumerate(self.changes):
            if existing.path == change.path:  # one file serves several checks
                self.changes[i] = Change(
                    existing.path, existing.content, existing.append, (*existing.checks, *change.checks)
                )
                return
        self.changes.append(change)


class Context:
    """What a fixer may use: the repository, the inferred answers, and the rendered template (rendered once)."""

    def __init__(self, root: Path, repo: Repo, report: Report) -> None:
        self.root = root
        self.repo = repo
        self.report = report
        self.answers = infer_answers(repo, report, root)
        self._rendered: Path | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def rendered(self) -> Path:
        if self._rendered is None:
            from .template import render, template_root

            self._tmp = tempfile.TemporaryDirectory(prefix="mlops-audit-fix-")
            dest = Path(self._tmp.name) / "project"
            root = template_root()
            vcs_ref = "HEAD" if (root / ".git").exists() else None
            render(dest, self.answers, defaults=True, vcs_ref=vcs_ref, quiet=True)
            self._rendered = dest
        return self._rendered

    def template_file(self, path: str) -> str | None:
        target = self.rendered / path
        return target.read_text(encoding="utf-8") if target.is_file() else None

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


Fixer = Callable[[Context, str], list[Change]]
FIXERS: dict[str, Fixer] = {}
FIXER_DOCS: dict[str, str] = {}


def fixer(name: str, doc: str) -> Callable[[Fixer], Fixer]:
    def register(func: Fixer) -> Fixer:
        FIXERS[name] = func
        FIXER_DOCS[name] = doc
        return func

    return register


# --------------------------------------------------------------------------------------------- inference
def infer_answers(repo: Repo, report: Report, root: Path) -> dict[str, Any]:
    """Template answers that fit the repository being fixed."""
    pyproject = _toml(repo, "pyproject.toml")
    project = pyproject.get("project", {}) if isinstance(pyproject.get("project"), dict) else {}
    raw_name = project.get("name") if isinstance(project.get("name"), str) else root.resolve().name
    name = re.sub(r"[^A-Za-z0-9 _-]+", "-", raw_name).strip(" -_") or "ml-project"
    if not name[0].isalpha():
        name = "ml-" + name
    name = name[:64] if len(name) >= 2 else name + "-project"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug[:1].isalpha():
        slug = "ml-" + slug
    package = _package_name(repo) or slug.replace("-", "_")
    facts = report.project.facts
    answers: dict[str, Any] = {
        "project_name": name,
        "project_slug": slug,
        "package_name": package,
        "python_version": _python_version(repo, project),
        "ci_provider": "gitlab" if ".gitlab-ci.yml" in repo.entries else "github",
        "data_versioning": "dvc",
        "serving": bool(facts.get("model_serving") and facts["model_serving"].value),
        "mlops_audit_requirement": f"mlops-audit=={__version__}",
        "standalone": True,
    }
    if isinstance(project.get("description"), str) and 10 <= len(project["description"]) <= 200:
        answers["description"] = project["description"].replace('"', "'")
    return answers


def _toml(repo: Repo, path: str) -> dict[str, Any]:
    text = repo.read_text(path)
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def _package_name(repo: Repo) -> str | None:
    candidates = sorted(
        p.split("/")[-2]
        for p in repo.entries
        if p.endswith("/__init__.py") and (p.count("/") == 1 or (p.startswith("src/") and p.count("/") == 2))
    )
    for name in candidates:
        if re.fullmatch(r"[a-z][a-z0-9_]*", name) and name not in {"tests", "test", "src", "docs", "scripts"}:
            return name
    return None


def _python_version(repo: Repo, project: dict[str, Any]) -> str:
    pinned = (repo.read_text(".python-version") or "").strip()
    for version in _PY_VERSIONS:
        if pinned.startswith(version):
            return version
    requires = project.get("requires-python")
    if isinstance(requires, str):
        match = re.search(r"3\.(\d+)", requires)
        if match and f"3.{match.group(1)}" in _PY_VERSIONS:
            return f"3.{match.group(1)}"
    return "3.11"


# ---------------------------------------------------------------------------------------------- fixers
def _copy(*paths: str) -> Fixer:
    def copy(ctx: Context, check_id: str) -> list[Change]:
        out = []
        for path in paths:
            content = ctx.template_file(path)
            if content is not None:
                out.append(Change(path, content, checks=(check_id,)))
        return out

    return copy


def _copy_tree(prefix: str) -> Fixer:
    def copy_tree(ctx: Context, check_id: str) -> list[Change]:
        base = ctx.rendered / prefix
        if not base.is_dir():
            return []
        return [
            Change(p.relative_to(ctx.rendered).as_posix(), p.read_text(encoding="utf-8"), checks=(check_id,))
            for p in sorted(base.rglob("*"))
            if p.is_file()
        ]

    return copy_tree


def _provider_files(
    ctx: Context, github: tuple[str, ...], gitlab: tuple[str, ...], check_id: str
) -> list[Change]:
    paths = gitlab if ctx.answers["ci_provider"] == "gitlab" else github
    return _copy(*paths)(ctx, check_id)


FIXERS_SIMPLE: dict[str, tuple[str, Fixer]] = {
    "readme": ("README.md from the template", _copy("README.md")),
    "license": ("LICENSE (the template's default license)", _copy("LICENSE")),
    "model_card": ("MODEL_CARD.md", _copy("MODEL_CARD.md")),
    "precommit": (
        ".pre-commit-config.yaml with ruff, hygiene hooks, nbstripout and mlops-audit",
        _copy(".pre-commit-config.yaml"),
    ),
    "python_version": (".python-version", _copy(".python-version")),
    "env_example": (".env.example", _copy(".env.example")),
    "dockerfile": (
        "a multi-stage, non-root Dockerfile and .dockerignore",
        _copy("Dockerfile", ".dockerignore"),
    ),
    "hydra_config": ("a Hydra config tree under configs/", _copy_tree("configs")),
    "dvc_pipeline": (
        "dvc.yaml with the pipeline stages, .dvc/config with a remote, .dvcignore",
        _copy("dvc.yaml", ".dvc/config", ".dvc/.gitignore", ".dvcignore"),
    ),
}
for _name, (_doc, _func) in FIXERS_SIMPLE.items():
    fixer(_name, _doc)(_func)


@fixer("ci_workflow", "a CI workflow running lint, tests and the audit (GitHub Actions or GitLab CI)")
def _ci_workflow(ctx: Context, check_id: str) -> list[Change]:
    return _provider_files(ctx, (".github/workflows/ci.yml",), (".gitlab-ci.yml",), check_id)


@fixer(
    "ct_workflow",
    "a continuous-training workflow (schedule + manual: validate, drift, train, evaluate, promote)",
)
def _ct_workflow(ctx: Context, check_id: str) -> list[Change]:
    return _provider_files(ctx, (".github/workflows/ct.yml",), (".gitlab-ci.yml",), check_id)


@fixer("dependabot", "dependency-update automation (dependabot for GitHub, renovate for GitLab)")
def _dependabot(ctx: Context, check_id: str) -> list[Change]:
    return _provider_files(ctx, (".github/dependabot.yml",), ("renovate.json",), check_id)


def _section_as_file(
    table_path: tuple[str, ...], target: str, write: Callable[[dict[str, Any]], str]
) -> Fixer:
    """Take a table of the template's pyproject.toml and write it as its own file (existing files stay as
    they are, so a repository's pyproject is never edited)."""

    def section(ctx: Context, check_id: str) -> list[Change]:
        text = ctx.template_file("pyproject.toml")
        if text is None:
            return []
        data: Any = tomllib.loads(text)
        for key in table_path:
            data = data.get(key, {})
        return [Change(target, write(data), checks=(check_id,))] if data else []

    return section


def _ini(section: str, table: dict[str, Any]) -> str:
    lines = [f"[{section}]"]
    for key, value in table.items():
        if isinstance(value, list):
            lines.append(f"{key} =")
            lines.extend(f"    {v}" for v in value)
        else:
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def _toml_dump(table: dict[str, Any], prefix: str = "") -> str:
    """A small TOML writer for plain tables of strings, numbers, booleans and lists (what tool configs hold)."""
    scalars, tables = [], []
    for key, value in table.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            scalars.append(f"{_toml_key(key)} = {_toml_value(value)}")
    out = "\n".join(scalars) + ("\n" if scalars else "")
    for key, value in tables:
        name = f"{prefix}.{_toml_key(key)}" if prefix else _toml_key(key)
        out += f"\n[{name}]\n" + _toml_dump(value, name)
    return out


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


fixer("pytest_config", "pytest.ini with the template's pytest options")(
    _section_as_file(("tool", "pytest", "ini_options"), "pytest.ini", lambda t: _ini("pytest", t))
)
fixer("ruff_config", "ruff.toml with the template's explicit rule selection")(
    _section_as_file(("tool", "ruff"), "ruff.toml", _toml_dump)
)
fixer("coverage_config", ".coveragerc with the template's coverage settings")(
    _section_as_file(
        ("tool", "coverage"),
        ".coveragerc",
        lambda t: "\n".join(_ini(name, sub) for name, sub in t.items() if isinstance(sub, dict)),
    )
)


@fixer(
    "gitignore",
    "append the template's ignore rules for data, models, tracking stores, Hydra outputs and secrets",
)
def _gitignore(ctx: Context, check_id: str) -> list[Change]:
    template = ctx.template_file(".gitignore") or ""
    current = ctx.repo.read_text(".gitignore") or ""
    have = {line.strip() for line in current.splitlines()}
    wanted = [line for line in template.splitlines() if line.strip() and not line.startswith("#")]
    missing = [line for line in wanted if line.strip() not in have]
    extra = [p for p in ("*.pkl", "*.joblib", "models/") if p not in have and p not in missing]
    missing += extra
    if not missing:
        return []
    header = "" if not current or current.endswith("\n") else "\n"
    text = header + "\n# Added by mlops-audit fix: data, models, tracking stores, Hydra outputs, secrets\n"
    text += "\n".join(missing) + "\n"
    return [
        Change(
            ".gitignore", text, append=bool(current) or ".gitignore" in ctx.repo.entries, checks=(check_id,)
        )
    ]


@fixer(
    "data_validation",
    "a great-expectations suite skeleton (gx/expectations/<data>.json) from the columns of a data file",
)
def _gx_suite(ctx: Context, check_id: str) -> list[Change]:
    data_files = [p for p in ctx.repo.entries if p.lower().endswith(_DATA_SUFFIXES)]
    changes = []
    for path in data_files[:3]:
        columns = _csv_columns(ctx.repo, path)
        if not columns:
            continue
        name = re.sub(r"[^a-z0-9_]+", "_", Path(path).stem.lower()).strip("_") or "data"
        changes.append(
            Change(f"gx/expectations/{name}.json", gx_suite_json(name, columns, path), checks=(check_id,))
        )
    return changes


def _csv_columns(repo: Repo, path: str) -> list[str]:
    data = repo.read_bytes(path)
    if not data:
        return []
    head = data[:65536].decode("utf-8", errors="replace").splitlines()[:1]
    if not head:
        return []
    delimiter = "\t" if path.lower().endswith(".tsv") else ","
    try:
        row = next(csv.reader(io.StringIO(head[0]), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []
    return [c.strip() for c in row if c.strip()]


def gx_suite_json(name: str, columns: list[str], source: str) -> str:
    """A Great Expectations 1.x suite (``ExpectationSuite(**json)``) that pins the columns and their presence."""
    expectations: list[dict[str, Any]] = [
        {
            "type": "expect_table_columns_to_match_ordered_list",
            "kwargs": {"column_list": columns},
            "meta": {},
        },
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}, "meta": {}},
    ]
    expectations += [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c}, "meta": {}} for c in columns
    ]
    suite = {
        "name": name,
        "expectations": expectations,
        "meta": {
            "generated_by": f"mlops-audit fix {__version__}",
            "source": source,
            "todo": "Review: add value ranges and types for each column, then gate training on this suite.",
        },
        "notes": None,
    }
    return json.dumps(suite, indent=2) + "\n"


# ------------------------------------------------------------------------------------------------- plan
def plan_fixes(root: Path, *, select: Iterable[str] = ()) -> tuple[Plan, Report, Context]:
    report = audit(root, use_cache=False)
    repo = Repo(root)
    ctx = Context(root, repo, report)
    wanted = {s.upper() for s in select}
    plan = Plan()
    failed = [o for o in report.outcomes if o.status is Status.FAIL]
    for outcome in failed:
        check = outcome.check
        if wanted and check.id not in wanted:
            continue
        if check.fix is None or check.fix not in FIXERS:
            plan.manual.append(_manual(outcome))
            continue
        offered = FIXERS[check.fix](ctx, check.id)
        changes = [
            c for c in offered if c.append or (c.path not in repo.entries and not (root / c.path).exists())
        ]
        if not changes:
            why = (
                "the files its fix would add already exist"
                if offered
                else "the template has nothing for it here"
            )
            plan.manual.append(_manual(outcome, why))
            continue
        for change in changes:
            plan.add(change)
        plan.fixed.add(check.id)
    if wanted:
        unknown = wanted - {o.check.id for o in report.outcomes}
        if unknown:
            ctx.close()
            raise ConfigError(f"--select names unknown or unselected check(s): {', '.join(sorted(unknown))}")
    return plan, report, ctx


def _manual(outcome: Outcome, why: str = "") -> str:
    hint = outcome.check.fix_hint or outcome.check.summary
    return f"{outcome.check.id} {outcome.check.title}: {hint}" + (f" ({why})" if why else "")


def diff(plan: Plan, root: Path) -> str:
    out = []
    for change in plan.changes:
        before = (root / change.path).read_text(encoding="utf-8", errors="replace") if change.append else ""
        after = before + change.content if change.append else change.content
        out.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile="/dev/null" if not change.append else f"a/{change.path}",
                tofile=f"b/{change.path}",
            )
        )
    return "".join(out)


def apply(plan: Plan, root: Path) -> None:
    for change in plan.changes:
        target = root / change.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if change.append:
            with target.open("a", encoding="utf-8") as handle:
                handle.write(change.content)
        else:
            with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
                handle.write(change.content)


def run_fix(root: Path, *, select: Iterable[str] = (), dry_run: bool = False, echo: Echo = print) -> int:
    """The `fix` command. Returns the exit code (0: done or nothing to do)."""
    root = Path(root)
    plan, before, ctx = plan_fixes(root, select=select)
    try:
        if dry_run:
            echo(diff(plan, root) or "nothing to fix automatically")
        else:
            apply(plan, root)
            for change in plan.changes:
                verb = "appended to" if change.append else "created"
                echo(f"{verb} {change.path}  (for {', '.join(change.checks)})")
            if not plan.changes:
                echo("nothing to fix automatically")
    finally:
        ctx.close()
    manual = list(plan.manual)
    after = audit(root, use_cache=False) if plan.changes and not dry_run else None
    if after is not None:
        # A file was added for these checks but they still fail: say so, with what a person has to do.
        still = [o for o in after.outcomes if o.check.id in plan.fixed and o.status is Status.FAIL]
        manual += [_manual(o, f"still failing after fix: {o.result.message}") for o in still]
    if manual:
        echo("\nStill needs a person:")
        for line in manual:
            echo(f"  - {line}")
    if after is not None:
        fixed = sorted(
            o.check.id for o in after.outcomes if o.check.id in plan.fixed and o.status is Status.PASS
        )
        echo(f"\nnow passing: {', '.join(fixed) or 'none'}")
        echo(f"score: {before.score} -> {after.score}   ({after.project.maturity.name})")
        echo("Review the created files (names, commands, thresholds) and commit them.")
    return 0
