"""What each check's fix renders: one fixer per fix name (the ``fix=`` of a check), registered in ``FIXERS``.

Most fixers copy files of the template, rendered once for the repository (:class:`Context`). The pieces that
must fit a foreign repository rather than the template's project (hooks and CI that call the tools directly,
a Dockerfile built from the repository's own requirements, a continuous-training workflow that runs the
repository's own scripts) are fragments of their own (``fragments/``), rendered with the same answers and the
template's tool pins. A fixer that cannot add anything that would work here raises :class:`CannotFix` with
what a person has to do instead.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .. import lazyre
from .._version import __version__
from ..repo import Repo
from ..report import Report
from .answers import SERVERS, Layout, infer_answers, infer_layout
from .writers import ini_text, toml_table_text

#: Where data files are looked for when a validation suite skeleton is built (first match wins).
_DATA_SUFFIXES = (".csv", ".tsv")
FRAGMENTS = Path(__file__).resolve().parent / "fragments"
#: Actions the fragments use that the template does not (the template's own pins are read from it), each pinned
#: to the commit of its release tag (confirmed against independent public workflows pinning the same pair).
_EXTRA_ACTIONS = {"actions/setup-python": "5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0"}
_NO_INSTALL = (
    "declare the dependencies in a root requirements.txt (or make pyproject.toml an installable project: "
    "[build-system] and a package directory)"
)
_USES = lazyre.compile(r"uses:\s*([\w.-]+/[\w.-]+)@([0-9a-f]{40} # v[\d.]+)")


@dataclass(frozen=True)
class Change:
    """One file to create, or text to append to an existing ``.gitignore``."""

    path: str
    content: str
    append: bool = False
    checks: tuple[str, ...] = ()


class CannotFix(Exception):
    """The fix has nothing that would work in this repository; the message says what a person must do."""


class Context:
    """What a fixer may use: the repository, the inferred answers and layout, and the rendered template
    (rendered once, on first use)."""

    def __init__(self, root: Path, repo: Repo, report: Report) -> None:
        self.root = root
        self.repo = repo
        self.report = report
        self.answers = infer_answers(repo, report, root)
        self._rendered: Path | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    @cached_property
    def layout(self) -> Layout:
        return infer_layout(self.repo)

    @property
    def rendered(self) -> Path:
        if self._rendered is None:
            from ..template import render, template_root

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

    @cached_property
    def fragment_data(self) -> dict[str, Any]:
        """The answers the template was rendered with (defaults included), its tool pins and action pins."""
        recorded = yaml.safe_load(self.template_file(".copier-answers.yml") or "") or {}
        data = {k: v for k, v in recorded.items() if not k.startswith("_")}
        data.update(self.answers)
        pyproject = tomllib.loads(self.template_file("pyproject.toml") or "")
        dev = pyproject.get("dependency-groups", {}).get("dev", [])
        data["pins"] = {re.split(r"[=<>~!\[ ]", spec, maxsplit=1)[0]: spec for spec in dev if "==" in spec}
        ci = "".join(self.template_file(p) or "" for p in (".github/workflows/ci.yml", ".gitlab-ci.yml"))
        uv = re.search(r'UV_VERSION: "([^"]+)"', ci)
        data["uv_version"] = uv.group(1) if uv else "0.13.9"
        workflows = self.rendered / ".github" / "workflows"
        texts = (
            [p.read_text(encoding="utf-8") for p in sorted(workflows.glob("*.yml"))]
            if workflows.is_dir()
            else []
        )
        data["actions"] = {**dict(m for t in texts for m in _USES.findall(t)), **_EXTRA_ACTIONS}
        return data

    def fragment(self, name: str, **extra: Any) -> str:
        """Render ``fragments/<name>.jinja`` with :attr:`fragment_data` and ``extra``."""
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(FRAGMENTS),
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
            autoescape=False,
        )
        return env.get_template(f"{name}.jinja").render({**self.fragment_data, **extra})

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


# ------------------------------------------------------------------------------------ template files
def _copy(*paths: str) -> Fixer:
    def copy(ctx: Context, check_id: str) -> list[Change]:
        out = []
        for path in paths:
            content = ctx.template_file(path)
            if content is not None:
                out.append(Change(path, content, checks=(check_id,)))
        return out

    return copy


_SIMPLE: dict[str, tuple[str, Fixer]] = {
    "readme": ("README.md from the template", _copy("README.md")),
    "license": ("LICENSE (the template's default license)", _copy("LICENSE")),
    "model_card": ("MODEL_CARD.md", _copy("MODEL_CARD.md")),
    "python_version": (".python-version", _copy(".python-version")),
    "env_example": (".env.example", _copy(".env.example")),
}
for _name, (_doc, _func) in _SIMPLE.items():
    fixer(_name, _doc)(_func)


@fixer(
    "hydra_config",
    "nothing for a foreign repository: a Hydra config tree must name the repository's own code",
)
def _hydra_config(ctx: Context, check_id: str) -> list[Change]:
    raise CannotFix(
        "move the hyper-parameters out of the code into a config file the training reads (Hydra: "
        "`configs/config.yaml` + `@hydra.main(config_path='configs', config_name='config', version_base='1.3')`; "
        "select components with `_target_: your_package.YourModel`)"
    )


#: What a dvc.yaml of the repository's own scripts does not give: a person's work.
_DVC_CANNOT = {
    "VER003": "version the data itself: `dvc add data/<file>` (or git-lfs), commit the .dvc file, configure a remote",
    "PIP002": "split the data, feature, training and evaluation code into modules of their own",
}


@fixer(
    "dvc_pipeline",
    "dvc.yaml whose stages run the repository's own drift, train and evaluate scripts (in that order), and "
    ".dvcignore; a remote is left to a person",
)
def _dvc_pipeline(ctx: Context, check_id: str) -> list[Change]:
    if check_id in _DVC_CANNOT:
        raise CannotFix(_DVC_CANNOT[check_id])
    layout = ctx.layout
    steps = [s for s in (layout.step("train"), layout.step("evaluate")) if s is not None]
    if layout.step("train") is None:
        raise CannotFix(
            'add a training script a pipeline can run (train.py with an `if __name__ == "__main__":` block), '
            "then declare it: `dvc stage add -n train -d train.py python train.py`"
        )
    lines = ["# The repository's own steps as a DVC pipeline: `dvc repro` runs what changed.", "stages:"]
    for step in steps:
        lines += [f"  {step.name}:", f"    cmd: {step.command}", "    deps:", f"      - {step.path}"]
    changes = [Change("dvc.yaml", "\n".join(lines) + "\n", checks=(check_id,))]
    ignore = ctx.template_file(".dvcignore")
    if ignore is not None:
        changes.append(Change(".dvcignore", ignore, checks=(check_id,)))
    return changes


@fixer("dependabot", "dependency-update automation (dependabot for GitHub, renovate for GitLab)")
def _dependabot(ctx: Context, check_id: str) -> list[Change]:
    path = "renovate.json" if ctx.answers["ci_provider"] == "gitlab" else ".github/dependabot.yml"
    return _copy(path)(ctx, check_id)


# --------------------------------------------------------------------------- fragments (foreign repository)
@fixer("precommit", ".pre-commit-config.yaml with ruff, hygiene hooks, nbstripout and mlops-audit")
def _precommit(ctx: Context, check_id: str) -> list[Change]:
    return [Change(".pre-commit-config.yaml", ctx.fragment("pre-commit-config.yaml"), checks=(check_id,))]


@fixer("ci_workflow", "a CI workflow running lint, tests and the audit (GitHub Actions or GitLab CI)")
def _ci_workflow(ctx: Context, check_id: str) -> list[Change]:
    if ctx.answers["ci_provider"] == "gitlab":
        return [Change(".gitlab-ci.yml", ctx.fragment("gitlab-ci.yml"), checks=(check_id,))]
    return [Change(".github/workflows/ci.yml", ctx.fragment("github-ci.yml"), checks=(check_id,))]


@fixer(
    "dockerfile",
    "a multi-stage, non-root Dockerfile (and .dockerignore) that installs the repository's requirements and "
    "serves its Flask / FastAPI app",
)
def _dockerfile(ctx: Context, check_id: str) -> list[Change]:
    layout = ctx.layout
    if layout.install is None:
        raise CannotFix(_NO_INSTALL)
    if layout.app is None:
        raise CannotFix(
            f"write the Dockerfile by hand ({layout.problems.get('app', 'no serving app')}): `fix` builds an "
            "image only for a Flask / FastAPI app it can point a server at"
        )
    server_name, version = SERVERS[layout.app.framework]
    server = "" if server_name in layout.install.declared else f"{server_name}=={version}"
    data = {"install": layout.install, "app": layout.app, "server": server, "server_name": server_name}
    return [
        Change("Dockerfile", ctx.fragment("Dockerfile", **data), checks=(check_id,)),
        Change(".dockerignore", ctx.fragment("dockerignore"), checks=(check_id,)),
    ]


#: The CT checks the workflow satisfies only with a given step of the repository's own (the step, and what a
#: person must do without it); CT004 (metrics on pull requests) is outside what a scheduled workflow does.
_CT_NEEDS: dict[str, tuple[str | None, str]] = {
    "CT002": ("drift", "add a drift check script (drift.py comparing new data with the training reference, "
              "non-zero exit on drift): the CT workflow then runs it before training"),
    "CT003": ("evaluate", "add an evaluation script (evaluate.py: gate the new model on a metric threshold and "
              "promote it): the CT workflow then runs it after training"),
    "CT004": (None, "post the metric changes of a pull request as a comment "
              "(`dvc metrics diff --md`, a CML report): the CT workflow runs on a schedule, not on pull requests"),
}  # fmt: skip


@fixer(
    "ct_workflow",
    "a continuous-training workflow (schedule + manual) running the repository's own drift, train and "
    "evaluate scripts (GitHub Actions)",
)
def _ct_workflow(ctx: Context, check_id: str) -> list[Change]:
    if ctx.answers["ci_provider"] != "github":
        raise CannotFix(
            "add a scheduled job that runs the training to .gitlab-ci.yml (`fix` never edits an existing file)"
        )
    layout = ctx.layout
    if layout.install is None:
        raise CannotFix(_NO_INSTALL)
    if layout.step("train") is None:
        raise CannotFix(
            'add a training script a CI job can run (train.py with an `if __name__ == "__main__":` block, or '
            "`python -m <package>.train`), then a scheduled workflow that runs it"
        )
    needed = _CT_NEEDS.get(check_id)
    if needed is not None and (needed[0] is None or layout.step(needed[0]) is None):
        raise CannotFix(needed[1])
    data = {"install": layout.install, "steps": list(layout.steps)}
    return [Change(".github/workflows/ct.yml", ctx.fragment("ct.yml", **data), checks=(check_id,))]


# ------------------------------------------------------------------------- tool configurations as files
def _section_as_file(table: str, target: str, write: Callable[[str], str]) -> Fixer:
    """Take a table of the template's pyproject.toml and write it as its own file (existing files stay as
    they are, so a repository's pyproject is never edited)."""

    def section(ctx: Context, check_id: str) -> list[Change]:
        text = ctx.template_file("pyproject.toml")
        content = write(text) if text is not None else ""
        return [Change(target, content, checks=(check_id,))] if content else []

    return section


def _table(text: str, dotted: str) -> dict[str, Any]:
    data: Any = tomllib.loads(text)
    for key in dotted.split("."):
        data = data.get(key, {}) if isinstance(data, dict) else {}
    return data if isinstance(data, dict) else {}


fixer("pytest_config", "pytest.ini with the template's pytest options")(
    _section_as_file(
        "tool.pytest.ini_options",
        "pytest.ini",
        lambda text: ini_text({"pytest": t}) if (t := _table(text, "tool.pytest.ini_options")) else "",
    )
)
fixer("ruff_config", "ruff.toml with the template's explicit rule selection")(
    _section_as_file("tool.ruff", "ruff.toml", lambda text: toml_table_text(text, "tool.ruff"))
)
fixer("coverage_config", ".coveragerc with the template's coverage settings")(
    _section_as_file(
        "tool.coverage",
        ".coveragerc",
        lambda text: (
            ini_text({k: v for k, v in _table(text, "tool.coverage").items() if isinstance(v, dict)})
            if _table(text, "tool.coverage")
            else ""
        ),
    )
)


# -------------------------------------------------------------------------------------------- others
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
