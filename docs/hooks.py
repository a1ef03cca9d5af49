"""mkdocs hooks: generate the reference pages of the docs site from the code, at build time.

One source for everything that can drift: the check catalogue comes from the check registry (each check's
docstring is its page), the template's options from ``copier.yml``, the configuration keys and profiles from
``mlops_audit.config``, the suppression syntax from ``mlops_audit.suppression``, the formats from ``mlops_audit.formats``, scoring from
``mlops_audit.scoring``'s docstring, the Action's inputs from ``action.yml``. Nothing generated is committed.

- ``on_config`` expands the "Checks" entry of the nav with one page per principle that has checks.
- ``on_files`` adds the generated pages (``checks/index.md``, ``checks/<principle>.md``).
- ``on_page_markdown`` replaces ``<!-- gen: NAME [ARG] -->`` markers in hand-written pages.
"""

from __future__ import annotations

import importlib
import inspect
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"<!--\s*gen:\s*([\w-]+)(?:\s+(\S+))?\s*-->")
CHECKS_NAV_TITLE = "Checks"

#: What each configuration key does. config.KEYS is the list of keys; a key missing here fails the build.
CONFIG_KEY_DOCS = {
    "select": "Check IDs or families (`REP`, `VER`, ...) to run; every other check is left out. Default: all.",
    "ignore": 'Checks to ignore, each with the reason: `[{ id = "DEP003", reason = "..." }]`, '
    '`["DEP003: reason"]` or `{ DEP003 = "reason" }`. Ignored checks are reported as ignored, with the '
    "reason, and do not count in scores.",
    "exclude": "Gitignore-style path patterns left out of the audit (vendored code, fixtures, legacy trees).",
    "fail-under": "Fail (exit 1) when the overall score is below this number, 0–100.",
    "fail-on": "Fail (exit 1) on a failing check of this severity or higher: `error` (default) or `warning`.",
    "profile": "Which checks apply: `research`, `pipeline` or `service` (see below). Default: every check.",
    "options": "Per-check options, one table per check ID: `[tool.mlops-audit.options.VER002]`.",
    "cache-dir": "Where the audit cache lives, relative to the audited root (default: outside the tree, in "
    "`$MLOPS_AUDIT_CACHE_DIR` or the user cache directory).",
}

PROFILE_DOCS = {
    "research": "notebooks and experiments: no serving, no deployment expected; detected when the code trains "
    "models with no pipeline or service (or nothing else is found)",
    "library": "an installable package that trains no model of its own: judged like research code; detected "
    "from a build configuration and no training code",
    "pipeline": "a training pipeline that produces and registers models; detected from a pipeline definition",
    "service": "a pipeline plus a model served in production; detected from a serving entry point",
}


# --- helpers --------------------------------------------------------------------------------------------------


def docstring_to_markdown(doc: str) -> str:
    """Docstrings use reST habits (````code````, ``Example::`` + an indented block); turn them into Markdown."""
    lines = textwrap.dedent(doc).strip("\n").splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::"):
            lead = line.rstrip()[:-2].rstrip()
            if lead:
                out.append(_inline(lead + ":"))
            j = i + 1
            block: list[str] = []
            while j < len(lines) and (not lines[j].strip() or lines[j][:1] in (" ", "\t")):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
            out += ["", "```", *textwrap.dedent("\n".join(block)).strip("\n").splitlines(), "```", ""]
            i = j
            continue
        out.append(_inline(line))
        i += 1
    text = "\n".join(out)
    # "Why it matters: ...", "Example (`dvc.yaml`):" at the start of a paragraph -> a bold label
    return re.sub(r"(^|\n\n)([A-Z][A-Za-z' ]{2,30}(?: \([^()\n]+\))?):(\s)", r"\1**\2:**\3", text)


def _inline(line: str) -> str:
    return re.sub(r"``([^`]+)``", r"`\1`", line)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(value: Any) -> str:
    text = (
        value
        if isinstance(value, str)
        else repr(value)
        if not isinstance(value, bool)
        else str(value).lower()
    )
    return "`" + str(text).replace("`", "'") + "`"


def _registry() -> dict[str, Any]:
    from mlops_audit.checks import load_checks

    return load_checks()


def _by_principle() -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = {}
    for check in _registry().values():
        groups.setdefault(check.principle, []).append(check)
    return groups


def _principle_page(principle: Any) -> str:
    return f"checks/{principle.value.replace('_', '-')}.md"


def check_link(check: Any, from_checks_dir: bool = False) -> str:
    page = _principle_page(check.principle)
    if from_checks_dir:
        page = page.removeprefix("checks/")
    return f"[{check.id}]({page}#{check.id.lower()})"


# --- generated pages ------------------------------------------------------------------------------------------


def checks_index() -> str:
    checks = list(_registry().values())
    lines = [
        "# Checks",
        "",
        f"{len(checks)} checks, generated from the check registry when this site was built (third-party "
        "checks included when their plugin is installed). `mlops-audit rules` prints the same list, "
        "`mlops-audit explain ID` one check's page.",
        "",
        "A check passes, fails (with the file and line that show why) or does not apply. **Level** is the "
        "MLOps maturity level the practice belongs to (0 = hygiene); **Fix** means `mlops-audit fix` can add "
        "what is missing from the template.",
        "",
        "| ID | Check | Principle | Severity | Level | Profiles | Fix |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in checks:
        lines.append(
            f"| {check_link(c, from_checks_dir=True)} | {_cell(c.title)} | {c.principle.title} | "
            f"{c.severity.value} | {c.level} | {', '.join(c.profiles)} | {'yes' if c.fix else ''} |"
        )
    return "\n".join(lines) + "\n"


def principle_page(principle: Any, checks: list[Any]) -> str:
    families = sorted({c.family for c in checks})
    lines = [
        f"# {principle.title}",
        "",
        f"Checks of the *{principle.title}* principle ({', '.join(f'`{f}`' for f in families)}). Each section "
        "is the check's own documentation (its docstring), so it is what `mlops-audit explain ID` prints.",
        "",
    ]
    for c in checks:
        fixable = f"yes: `mlops-audit fix --select {c.id}`" if c.fix else "no (needs a person)"
        rows = [
            ("Severity", c.severity.value),
            ("Maturity level", str(c.level)),
            ("Profiles", ", ".join(c.profiles)),
            ("Fixable", fixable),
        ]
        if c.fix_hint:
            rows.append(("How to fix, in short", _cell(c.fix_hint)))
        if c.options:
            rows.append(
                (
                    "Options",
                    ", ".join(f"{_code(k)} (default {_code(v)})" for k, v in c.options.items()),
                )
            )
        if c.plugin:
            rows.append(("Plugin", f"`{c.plugin}`"))
        lines += [f"## {c.id}: {_cell(c.title)} {{ #{c.id.lower()} }}", "", "| | |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in rows]
        lines += ["", docstring_to_markdown(c.doc) if c.doc else "*(no documentation)*", ""]
    return "\n".join(lines) + "\n"


def generated_pages() -> dict[str, str]:
    pages = {"checks/index.md": checks_index()}
    for principle, checks in _by_principle().items():
        pages[_principle_page(principle)] = principle_page(principle, checks)
    return pages


# --- markers in hand-written pages ----------------------------------------------------------------------------


def gen_template_options(_: str | None) -> str:
    questions = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    asked, computed = [], []
    for name, spec in questions.items():
        if name.startswith("_"):
            continue
        if not isinstance(spec, dict):
            spec = {"default": spec}
        (computed if spec.get("when") is False else asked).append((name, spec))
    lines = []
    for name, spec in asked:
        lines += [f"### `{name}`", "", spec.get("help", "").strip() or "*(no help text)*", ""]
        rows = [("Type", spec.get("type", "str"))]
        default = spec.get("default")
        if default is not None:
            shown = _code(default)
            if isinstance(default, str) and "{{" in default:
                shown += " (computed from earlier answers)"
            rows.append(("Default", shown))
        choices = spec.get("choices")
        if isinstance(choices, dict):
            rows.append(("Choices", ", ".join(f"{_code(v)} ({_cell(k)})" for k, v in choices.items())))
        elif isinstance(choices, list):
            rows.append(("Choices", ", ".join(_code(v) for v in choices)))
        when = spec.get("when")
        if isinstance(when, str):
            rows.append(("Asked when", _code(when.replace("{{", "").replace("}}", "").strip())))
        validator = spec.get("validator")
        if isinstance(validator, str):
            messages = [m.strip() for m in re.split(r"{%.*?%}", validator, flags=re.S) if m.strip()]
            if messages:
                rows.append(("Validation", _cell(" / ".join(messages))))
        lines += ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), ""]
    if computed:
        lines += ["### Not asked", "", "Set by the template itself (override with `--data NAME=VALUE`):", ""]
        lines += [f"- `{n}`: {s.get('help', '')} (default {_code(s.get('default'))})" for n, s in computed]
    return "\n".join(lines)


def gen_config_keys(_: str | None) -> str:
    from mlops_audit import config

    missing = set(config.KEYS) - set(CONFIG_KEY_DOCS)
    if missing:
        raise PluginError(
            f"docs/hooks.py: document the configuration key(s) {sorted(missing)} in CONFIG_KEY_DOCS"
        )
    lines = ["| Key | Meaning |", "|---|---|"]
    lines += [f"| `{key}` | {CONFIG_KEY_DOCS[key]} |" for key in sorted(config.KEYS)]
    return "\n".join(lines)


def gen_profiles(_: str | None) -> str:
    from mlops_audit.model import PROFILES

    checks = list(_registry().values())
    lines = ["| Profile | For | Checks that apply |", "|---|---|---|"]
    for profile in PROFILES:
        count = sum(profile in c.profiles for c in checks)
        lines.append(f"| `{profile}` | {PROFILE_DOCS.get(profile, '')} | {count} of {len(checks)} |")
    return "\n".join(lines)


def gen_suppression(_: str | None) -> str:
    from mlops_audit import suppression

    example = "model = joblib.load(path)  # mlops-audit: ignore[SEC003] we load our own artefact"
    found = suppression.parse(example)
    if found != {1: {"SEC003": "we load our own artefact"}}:
        raise PluginError(f"docs/hooks.py: the suppression example no longer parses as documented: {found}")
    return f"```python\n{example}\n```"


def gen_check_options(_: str | None) -> str:
    rows = [c for c in _registry().values() if c.options]
    if not rows:
        return "*No check has options yet.*"
    lines = ["| Check | Option | Default |", "|---|---|---|"]
    for c in rows:
        for name, default in c.options.items():
            lines.append(f"| {check_link(c)} | `{name}` | {_code(default)} |")
    return "\n".join(lines)


def gen_formats(_: str | None) -> str:
    from mlops_audit.formats import FORMATS

    lines = []
    for name, (module, summary, ext) in FORMATS.items():
        try:
            doc = inspect.getdoc(importlib.import_module(f"mlops_audit.formats.{module}")) or ""
        except ImportError:
            doc = ""
        # the module's docstring documents the format; the registry's one-liner stands in when it has none
        lines += [
            f"## `{name}`",
            "",
            docstring_to_markdown(doc) if doc else f"{summary[:1].upper()}{summary[1:]}.",
            "",
        ]
        command = (
            "mlops-audit ." if name == "text" else f"mlops-audit . --format {name} --output report.{ext}"
        )
        lines += ["```bash", command, "```", ""]
    return "\n".join(lines)


def gen_scoring(_: str | None) -> str:
    from mlops_audit import scoring

    return docstring_to_markdown(inspect.getdoc(scoring) or "")


def gen_maturity(_: str | None) -> str:
    from mlops_audit.report import MATURITY_NAMES
    from mlops_audit.scoring import LEVEL_THRESHOLD

    lines = ["| Level | Name | Reached when |", "|---|---|---|"]
    share = (
        f"at least {LEVEL_THRESHOLD}% of the weighted level-{{}} checks of severity warning or error are met"
    )
    reached = {
        0: "always (the starting point)",
        1: share.format(1),
        2: "level 1 is reached, and " + share.format(2),
    }
    for level, name in sorted(MATURITY_NAMES.items()):
        lines.append(f"| {level} | {name} | {reached.get(level, '')} |")
    return "\n".join(lines)


def gen_ml_test_score(_: str | None) -> str:
    from mlops_audit import ml_test_score

    lines = [docstring_to_markdown(inspect.getdoc(ml_test_score) or ""), ""]
    lines += ["| Section | # | Test | Manual (0.5) | Automated (1) |", "|---|---|---|---|---|"]
    for test in ml_test_score.TESTS:
        manual = ", ".join(test.manual) or ("—" if test.automated else "unknown")
        automated = ", ".join(test.automated) or ("—" if test.manual else "unknown")
        lines.append(f"| {test.section} | {test.number} | {test.title} | {manual} | {automated} |")
    return "\n".join(lines)


def gen_principles(_: str | None) -> str:
    from mlops_audit.model import FAMILIES, Severity

    groups = _by_principle()
    lines = ["| Principle | Family | Checks |", "|---|---|---|"]
    for family in FAMILIES:
        principle = family.principle
        count = len(groups.get(principle, []))
        link = f"[{principle.title}]({_principle_page(principle)})" if count else principle.title
        lines.append(f"| {link} | `{family.prefix}` | {count} |")
    weights = ", ".join(f"{s.value} {s.weight}" for s in Severity)
    return "\n".join(lines) + f"\n\nSeverity weights: {weights}."


def gen_file(arg: str | None) -> str:
    if not arg:
        raise PluginError("gen: file needs a path relative to the repository root")
    path = (ROOT / arg).resolve()
    if ROOT not in path.parents or not path.is_file():
        raise PluginError(f"gen: file {arg}: no such file in the repository")
    lang = {".yml": "yaml", ".yaml": "yaml", ".toml": "toml", ".py": "python", ".sh": "bash"}.get(
        path.suffix, ""
    )
    text = path.read_text(encoding="utf-8").rstrip("\n")
    fence = "````" if "```" in text else "```"
    return f'{fence}{lang} title="{arg}"\n{text}\n{fence}'


def gen_action_inputs(_: str | None) -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    lines = ["| Input | Default | Meaning |", "|---|---|---|"]
    for name, spec in action["inputs"].items():
        default = spec.get("default", "")
        lines.append(
            f"| `{name}` | {_code(default) if default != '' else ''} | {_cell(spec['description'])} |"
        )
    lines += ["", "| Output | Meaning |", "|---|---|"]
    lines += [f"| `{n}` | {_cell(s['description'])} |" for n, s in action["outputs"].items()]
    return "\n".join(lines)


def gen_precommit(_: str | None) -> str:
    from mlops_audit import __version__

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ids = "\n".join(f"      - id: {h['id']}" for h in hooks)
    return (
        "```yaml\n# .pre-commit-config.yaml\nrepos:\n"
        f"  - repo: https://github.com/mlops-audit/mlops-audit\n    rev: v{__version__}\n    hooks:\n{ids}\n```"
    )


def gen_version(_: str | None) -> str:
    from mlops_audit import __version__

    return __version__


GENERATORS: dict[str, Callable[[str | None], str]] = {
    "template-options": gen_template_options,
    "config-keys": gen_config_keys,
    "profiles": gen_profiles,
    "suppression": gen_suppression,
    "check-options": gen_check_options,
    "formats": gen_formats,
    "scoring": gen_scoring,
    "maturity": gen_maturity,
    "ml_test_score": gen_ml_test_score,
    "principles": gen_principles,
    "file": gen_file,
    "action-inputs": gen_action_inputs,
    "precommit": gen_precommit,
    "version": gen_version,
}


# --- mkdocs events --------------------------------------------------------------------------------------------


def on_config(config: Any) -> Any:
    """Give the "Checks" nav section one entry per principle that has checks (the catalogue grows)."""
    section = [
        "checks/index.md",
        *({p.title: _principle_page(p)} for p in _by_principle()),
    ]
    for i, entry in enumerate(config.nav or []):
        if isinstance(entry, dict) and CHECKS_NAV_TITLE in entry:
            config.nav[i] = {CHECKS_NAV_TITLE: section}
            break
    else:
        raise PluginError(f"mkdocs.yml: the nav needs a '{CHECKS_NAV_TITLE}' entry for the generated pages")
    return config


def on_files(files: Files, config: Any) -> Files:
    for path, content in generated_pages().items():
        if files.get_file_from_path(path) is not None:
            raise PluginError(f"docs/{path} is generated: remove the hand-written file")
        files.append(File.generated(config, path, content=content))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    def replace(match: re.Match[str]) -> str:
        name, arg = match.group(1), match.group(2)
        if name not in GENERATORS:
            raise PluginError(f"{page.file.src_uri}: unknown generator 'gen: {name}'")
        return GENERATORS[name](arg)

    return MARKER.sub(replace, markdown)
