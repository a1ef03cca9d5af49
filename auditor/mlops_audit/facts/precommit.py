"""Git hooks and linters: ``.pre-commit-config.yaml`` hooks (``repo: local`` entries included), lefthook as an
equivalent hook manager, and the linters / formatters configured in pyproject, ruff.toml, setup.cfg, tox.ini,
.flake8, .pylintrc, .isort.cfg.

:func:`hooks` lists every hook as a :class:`Hook` (what it runs, where it is declared); :func:`hook_kinds` says
whether a hook lints or formats; :func:`linter_configs` lists :class:`LinterConfig` s with whether the rules are
selected explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .. import lazyre
from ..repo import Repo, memoized
from . import FactValue, inventory, report_fact
from .project import template_projects
from .textconfig import dig, ini_key_line, ini_sections, load_toml, pyproject, toml_line
from .yamlfile import LineDict, LineList, load_config

PRECOMMIT_CONFIG = ".pre-commit-config.yaml"
LEFTHOOK_FILES = (
    "lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yml",
    ".lefthook.yaml",
    "lefthook.toml",
    ".lefthook.toml",
)

_FORMATTER = lazyre.compile(
    r"ruff[-_ ]format|\bblack\b|\bblacken-docs\b|\bisort\b|\bautopep8\b|\byapf\b|\bdocformatter\b|\bufmt\b|"
    r"\busort\b|\bnbqa-(black|isort)\b|\bprettier\b|\bpyupgrade\b|\bdprint\b|\bautoflake\b",
    re.I,
)
_LINTER = lazyre.compile(
    r"\bruff\b(?![-_ ]format)|\bruff-check\b|\bflake8\b|\bpylint\b|\bpyflakes\b|\bpycodestyle\b|\bmypy\b|"
    r"\bpyright\b|\bbasedpyright\b|\bbandit\b|\bpydocstyle\b|\bnbqa-(ruff|flake8|pylint|mypy)\b|\bruff check\b|"
    r"\bpylama\b|\bprospector\b|\bsemgrep\b|\bty\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Hook:
    """One git hook: a pre-commit hook (``source="pre-commit"``) or a lefthook command (``"lefthook"``)."""

    id: str
    path: str
    line: int | None
    source: str = "pre-commit"
    repo: str = ""  # the hook repository URL, "local" or "meta"
    rev: str = ""
    entry: str = ""
    args: tuple[str, ...] = ()
    stage: str = "pre-commit"

    @property
    def command(self) -> str:
        """What the hook runs, as a command line (the hook id for remote hooks)."""
        base = self.entry or self.id
        return " ".join((base, *self.args)).strip()

    @property
    def tool(self) -> str | None:
        """The linter or formatter this hook runs (``ruff``, ``black``...), if known."""
        text = f"{self.id} {self.entry}".lower()
        for tool in (
            "ruff",
            "flake8",
            "pylint",
            "black",
            "isort",
            "mypy",
            "pyright",
            "bandit",
            "autopep8",
            "yapf",
        ):
            if re.search(rf"\b{tool}\b", text):
                return tool
        return None


def hook_kinds(hook: Hook) -> set[str]:
    """``{"linter"}``, ``{"formatter"}``, both (``ruff`` with ``--fix`` is still a linter), or empty."""
    text = f"{hook.id} {hook.entry}"
    kinds = set()
    if _FORMATTER.search(text):
        kinds.add("formatter")
    if _LINTER.search(text):
        kinds.add("linter")
    return kinds


@memoized
def precommit_config(repo: Repo) -> str | None:
    return PRECOMMIT_CONFIG if PRECOMMIT_CONFIG in repo.entries else None


@memoized
def lefthook_config(repo: Repo) -> str | None:
    return next((p for p in LEFTHOOK_FILES if p in repo.entries), None)


@memoized
def precommit_ci(repo: Repo) -> int | None:
    """The line of the ``ci:`` section of the pre-commit config (pre-commit.ci), or None."""
    data = load_config(repo, PRECOMMIT_CONFIG) if precommit_config(repo) else None
    if isinstance(data, LineDict) and "ci" in data:
        return data.line_of("ci")
    return None


@memoized
def config_parsed(repo: Repo) -> bool | None:
    """Whether the hook configuration that exists could be parsed (None when there is none)."""
    paths = [p for p in (precommit_config(repo), lefthook_config(repo)) if p]
    if not paths:
        return None
    return all(_load_hook_file(repo, p) is not None for p in paths)


def _load_hook_file(repo: Repo, path: str) -> object:
    if path.endswith(".toml"):
        return load_toml(repo, path)
    return load_config(repo, path)


@memoized
def hooks(repo: Repo) -> list[Hook]:
    """Every pre-commit hook and lefthook command of the repository."""
    out: list[Hook] = []
    path = precommit_config(repo)
    data = load_config(repo, path) if path else None
    repos = data.get("repos") if isinstance(data, dict) else None
    for repo_spec in repos if isinstance(repos, list) else []:
        if not isinstance(repo_spec, dict):
            continue
        url = str(repo_spec.get("repo") or "")
        rev = str(repo_spec.get("rev") or "")
        items = repo_spec.get("hooks")
        for i, hook in enumerate(items if isinstance(items, list) else []):
            if not isinstance(hook, dict) or not hook.get("id"):
                continue
            line = items.line_of(i) if isinstance(items, LineList) else None
            args = hook.get("args")
            stages = hook.get("stages")
            out.append(
                Hook(
                    id=str(hook["id"]),
                    path=PRECOMMIT_CONFIG,
                    line=line,
                    repo=url,
                    rev=rev,
                    entry=str(hook.get("entry") or ""),
                    args=tuple(str(a) for a in args) if isinstance(args, list) else (),
                    stage=str(stages[0]) if isinstance(stages, list) and stages else "pre-commit",
                )
            )
    out.extend(_lefthook_hooks(repo))
    return out


def _lefthook_hooks(repo: Repo) -> list[Hook]:
    path = lefthook_config(repo)
    if path is None:
        return []
    data = _load_hook_file(repo, path)
    out: list[Hook] = []
    if not isinstance(data, dict):
        return out
    for stage, spec in data.items():
        if not isinstance(spec, dict) or not isinstance(stage, str):
            continue
        commands = spec.get("commands")
        if isinstance(commands, dict):
            for name, cmd in commands.items():
                if isinstance(cmd, dict):
                    run = cmd.get("run")
                    line = commands.line_of(name) if isinstance(commands, LineDict) else None
                    out.append(Hook(str(name), path, line, "lefthook", entry=str(run or ""), stage=stage))
        jobs = spec.get("jobs")
        for i, job in enumerate(jobs if isinstance(jobs, list) else []):
            if isinstance(job, dict) and job.get("run"):
                line = jobs.line_of(i) if isinstance(jobs, LineList) else None
                name = str(job.get("name") or job["run"])
                out.append(Hook(name, path, line, "lefthook", entry=str(job["run"]), stage=stage))
    return out


@memoized
def hook_managers(repo: Repo) -> list[str]:
    return [
        name
        for name, path in (("pre-commit", precommit_config(repo)), ("lefthook", lefthook_config(repo)))
        if path
    ]


@memoized
def generated_hook_config(repo: Repo) -> tuple[str, list[Hook]] | None:
    """A project template without hooks of its own: the hook configuration of the project it generates
    (``{{cookiecutter.repo_name}}/.pre-commit-config.yaml``) and its hooks, paths from the repository root."""
    if hook_managers(repo):
        return None
    for directory in template_projects(repo):
        view = repo.subproject(directory)
        config = precommit_config(view) or lefthook_config(view)
        if config:
            return f"{directory}/{config}", [replace(h, path=f"{directory}/{h.path}") for h in hooks(view)]
    return None


@memoized
def audited_hooks(repo: Repo) -> list[Hook]:
    """The hooks the repository's commits run: its own, or for a project template without any, those of the
    project it generates (:func:`generated_hook_config`)."""
    generated = generated_hook_config(repo)
    return generated[1] if generated else hooks(repo)


# ------------------------------------------------------------------------------------------------ linters


@dataclass(frozen=True, slots=True)
class LinterConfig:
    """A linter or formatter configuration: ``explicit`` when it selects its rules (ruff ``select``, flake8
    ``select``, pylint ``enable``), not just the defaults."""

    tool: str
    path: str
    line: int | None
    explicit: bool = False


@memoized
def linter_configs(repo: Repo) -> list[LinterConfig]:
    """Linter and formatter configurations of the repository, then those of the projects a project template
    generates (``{{ cookiecutter.repo_name }}/pyproject.toml``, paths from the repository root)."""
    out = _linter_configs(repo)
    for directory in template_projects(repo):
        out += [replace(c, path=f"{directory}/{c.path}") for c in _linter_configs(repo.subproject(directory))]
    return out


def _linter_configs(repo: Repo) -> list[LinterConfig]:
    out: list[LinterConfig] = []
    entries = repo.entries
    data = pyproject(repo)
    text = repo.read_text("pyproject.toml") if data else None
    ruff = dig(data, "tool", "ruff")
    if isinstance(ruff, dict):
        explicit, key_table = _ruff_explicit(ruff)
        line = toml_line(text, key_table, _explicit_key(ruff)) if explicit else None
        out.append(LinterConfig("ruff", "pyproject.toml", line or toml_line(text, "tool.ruff"), explicit))
    for path in ("ruff.toml", ".ruff.toml"):
        cfg = load_toml(repo, path) if path in entries else None
        if cfg is not None:
            explicit, table = _ruff_explicit(cfg, prefix="")
            line = toml_line(repo.read_text(path), table, _explicit_key(cfg)) if explicit and table else None
            if explicit and not table:
                line = _root_key_line(repo.read_text(path))
            out.append(LinterConfig("ruff", path, line or 1, explicit))
    for tool in ("black", "isort", "pylint", "flake8", "mypy", "pyright", "bandit"):
        table = dig(data, "tool", tool)
        if isinstance(table, dict):
            explicit = (tool == "pylint" and _has_key(table, "enable")) or (
                tool == "flake8" and ("select" in table or "extend-select" in table)
            )
            out.append(
                LinterConfig(
                    tool,
                    "pyproject.toml",
                    toml_line(text, f"tool.{tool}") or _prefixed_line(text, tool),
                    explicit,
                )
            )
    for path in ("setup.cfg", "tox.ini", ".flake8"):
        if path not in entries:
            continue
        ini_text = repo.read_text(path)
        sections = ini_sections(ini_text)
        if "flake8" in sections:
            keys = sections["flake8"][1]
            explicit = "select" in keys or "extend-select" in keys
            line = ini_key_line(ini_text, "flake8", "select") if explicit else sections["flake8"][0]
            out.append(LinterConfig("flake8", path, line, explicit))
        for name in ("isort", "tool:isort"):
            if name in sections:
                out.append(LinterConfig("isort", path, sections[name][0]))
        for name, (line, keys) in sections.items():
            if name.startswith("pylint"):
                out.append(LinterConfig("pylint", path, line, "enable" in keys))
                break
        for name in ("mypy",):
            if name in sections:
                out.append(LinterConfig("mypy", path, sections[name][0]))
    for path in (".pylintrc", "pylintrc"):
        if path in entries:
            ptext = repo.read_text(path)
            sections = ini_sections(ptext)
            explicit = any("enable" in keys for _, keys in sections.values())
            line = next(
                (ini_key_line(ptext, s, "enable") for s, (_, k) in sections.items() if "enable" in k), 1
            )
            out.append(LinterConfig("pylint", path, line, explicit))
    for path in (".isort.cfg",):
        if path in entries:
            out.append(LinterConfig("isort", path, 1))
    for path in ("mypy.ini", ".mypy.ini"):
        if path in entries:
            out.append(LinterConfig("mypy", path, 1))
    return out


def _ruff_explicit(ruff: dict[str, object], prefix: str = "tool.ruff") -> tuple[bool, str]:
    lint = ruff.get("lint")
    if isinstance(lint, dict) and ("select" in lint or "extend-select" in lint):
        return True, f"{prefix}.lint".lstrip(".")
    if "select" in ruff or "extend-select" in ruff:
        return True, prefix
    return False, prefix


def _explicit_key(table: object) -> str:
    if isinstance(table, dict):
        lint = table.get("lint") if "select" not in table and "extend-select" not in table else None
        target = lint if isinstance(lint, dict) else table
        return "select" if "select" in target else "extend-select"
    return "select"


def _root_key_line(text: str | None) -> int | None:
    if not text:
        return None
    m = re.search(r"(?m)^\s*(extend-)?select\s*=", text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _has_key(table: object, key: str) -> bool:
    if isinstance(table, dict):
        return key in table or any(_has_key(v, key) for v in table.values())
    return False


def _prefixed_line(text: str | None, tool: str) -> int | None:
    if not text:
        return None
    m = re.search(rf"(?m)^\[tool\.{tool}[.\]]", text)
    return text.count("\n", 0, m.start()) + 1 if m else None


@memoized
def linter_hooks(repo: Repo) -> list[Hook]:
    return [h for h in audited_hooks(repo) if "linter" in hook_kinds(h)]


@memoized
def formatter_hooks(repo: Repo) -> list[Hook]:
    return [h for h in audited_hooks(repo) if "formatter" in hook_kinds(h)]


@report_fact("has_precommit")
def has_precommit_fact(repo: Repo) -> FactValue:
    path = precommit_config(repo)
    generated = generated_hook_config(repo)
    if path is None and generated and generated[0].endswith(PRECOMMIT_CONFIG):
        path = generated[0]
    return FactValue.of([path] if path else [])


_FACT_TOOLS = ("ruff", "flake8", "pylint", "black", "isort")


@report_fact("linter_configured")
def linter_configured_fact(repo: Repo) -> FactValue:
    evidence: list[tuple[str, int | None]] = [
        (c.path, c.line) for c in linter_configs(repo) if c.tool in _FACT_TOOLS
    ]
    evidence += [(h.path, h.line) for h in audited_hooks(repo) if h.tool in _FACT_TOOLS]
    return FactValue.of(list(dict.fromkeys(evidence))[:5])


@inventory("linters")
def linters_inventory(repo: Repo) -> list[str]:
    tools = {c.tool for c in linter_configs(repo)}
    tools |= {h.tool for h in audited_hooks(repo) if h.tool}
    return sorted(tools)
