"""cookiecutter entry of the mlops-audit template: the project is rendered by copier from the one template.

cookiecutter loads this module as a local Jinja extension (``_extensions`` in cookiecutter.json) before it asks
the first question; the extension

* stops with one clear message when copier is missing (this template renders with copier);
* gives cookiecutter the filters copier renders the defaults of copier.yml with (copier loads the
  ``jinja2-ansible-filters`` extension: ``regex_replace``, ``regex_search`` ...), so that computed defaults
  such as ``project_slug`` come out the same both ways;
* renders the project with copier once every question is answered: ``__rendered_by_copier``, the last
  variable of cookiecutter.json, calls :func:`render_staged` in the cookiecutter process, which renders into a
  temporary directory. An invalid answer stops there with copier's message, before anything is written (a
  failing hook would also print cookiecutter's traceback).

The post-generation hook (hooks/post_gen_project.py) then calls :func:`main`, which moves the staged project
into the directory cookiecutter created and points the answers file at the template, for ``copier update``.
The hook does not import copier (unless nothing was staged, e.g. with ``--replay``).
"""

from __future__ import annotations

import atexit
import re
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2.ext import Extension

COPIER_MISSING = (
    "mlops-audit template: this template renders with copier, which is not installed in the Python that runs "
    "cookiecutter ({python}).\n"
    "Install it next to cookiecutter, e.g. `pip install copier` (pipx: `pipx inject cookiecutter copier`; "
    "uv: `uv tool install cookiecutter --with copier`), or use copier directly: "
    "`copier copy gh:mlops-audit/mlops-audit my-project`.\n"
)


def require_copier() -> None:
    """Exit with :data:`COPIER_MISSING` (no traceback) when copier cannot be imported."""
    try:
        import copier  # noqa: F401
        import jinja2_ansible_filters  # noqa: F401  (installed with copier)
    except ImportError:
        sys.stderr.write(COPIER_MISSING.format(python=sys.executable))
        raise SystemExit(1) from None


#: The template checkout cookiecutter renders from (holds copier.yml, template/ and cookiecutter/).
TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
#: The canonical template URL when the pyproject.toml of the checkout does not name one.
DEFAULT_TEMPLATE_URL = "gh:mlops-audit/mlops-audit"
#: The file that only keeps the generated directory in git; the hook deletes it.
PLACEHOLDER = ".cookiecutter-placeholder"

#: What cookiecutter clones rather than reads in place: URLs, scp-like addresses and its abbreviations.
_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:|(gh|gl|bb):)", re.IGNORECASE)
#: Addresses copier reads as git repositories as they are (see copier's ``get_repo``).
_COPIER_ALIASES = ("gh:", "gl:")
_COPIER_PREFIXES = ("git@", "git://", "git+", "https://github.com/", "https://gitlab.com/")


class CopierFiltersExtension(Extension):
    """copier's filters (jinja2-ansible-filters), ``mlops_audit_render`` and ``mlops_audit_template_root``."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        require_copier()
        from jinja2_ansible_filters import AnsibleCoreFiltersExtension

        AnsibleCoreFiltersExtension(environment)  # registers copier's filters on this environment
        environment.filters["mlops_audit_render"] = render_staged
        environment.globals["mlops_audit_template_root"] = TEMPLATE_ROOT.as_posix()


def copier_questions(root: Path = TEMPLATE_ROOT) -> dict[str, dict[str, Any]]:
    """The questions of copier.yml (every key that does not start with ``_``)."""
    import yaml  # a dependency of copier and of cookiecutter

    data = yaml.safe_load((root / "copier.yml").read_text(encoding="utf-8"))
    return {name: spec for name, spec in data.items() if not name.startswith("_")}


def copier_answers(context: Mapping[str, Any], root: Path = TEMPLATE_ROOT) -> dict[str, Any]:
    """The copier answers in a cookiecutter context: each question by its name, or ``_name`` for the questions
    copier never asks (``when: false``)."""
    answers: dict[str, Any] = {}
    for name in copier_questions(root):
        for key in (name, f"_{name}"):
            if key in context:
                answers[name] = context[key]
                break
    return answers


def canonical_url(root: Path = TEMPLATE_ROOT) -> str:
    """``[tool.mlops-audit-project] template-url`` of the checkout's pyproject.toml, else the default."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        return str(data["tool"]["mlops-audit-project"]["template-url"])
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        return DEFAULT_TEMPLATE_URL


def source_path(template: str | None, root: Path = TEMPLATE_ROOT) -> str:
    """The ``_src_path`` a generated project records, so that ``copier update`` finds the template again.

    * a local checkout: its absolute path (what ``copier copy <path>`` records);
    * a repository cookiecutter cloned: the address the user gave, in a form copier reads as a git URL;
    * a zip archive (unpacked in a temporary directory): the canonical template URL.
    """
    template = (template or "").strip()
    if not template or template.lower().endswith(".zip"):
        return canonical_url(root)
    if not _REMOTE.match(template):
        return root.as_posix()
    if template.startswith(_COPIER_ALIASES + _COPIER_PREFIXES) or template.endswith(".git"):
        return template
    if template.startswith("bb:"):
        template = f"https://bitbucket.org/{template[3:]}"
    return f"git+{template}"


def _set_src_path(answers_file: Path, src_path: str) -> None:
    import yaml

    line = yaml.safe_dump({"_src_path": src_path}, default_flow_style=False, width=10_000).rstrip("\n")
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, old in enumerate(lines):
        if old.startswith("_src_path:"):
            lines[index] = line + "\n"
            break
    answers_file.write_text("".join(lines), encoding="utf-8")


def _copy_options(root: Path) -> dict[str, Any]:
    # A git checkout renders at HEAD, uncommitted changes included: the very files cookiecutter reads
    # (`cookiecutter <url> --checkout v1.2.0` renders that tag; plain `copier copy` renders the latest tag).
    return {"vcs_ref": "HEAD"} if (root / ".git").exists() else {}


def answers_relpath(root: Path = TEMPLATE_ROOT) -> str:
    """The answers file copier writes (``_answers_file`` of copier.yml)."""
    import yaml

    data = yaml.safe_load((root / "copier.yml").read_text(encoding="utf-8"))
    return str(data.get("_answers_file") or ".copier-answers.yml")


def render_staged(context: Mapping[str, Any], root: Path = TEMPLATE_ROOT) -> str:
    """Jinja filter (``__rendered_by_copier``): render the project with copier from the cookiecutter answers
    into a temporary directory named like the project, and return its path. On an invalid answer print
    copier's message and exit 1. The directory goes when the process exits (the hook moves its content out)."""
    import copier
    import copier.errors

    staging = Path(tempfile.mkdtemp(prefix="mlops-audit-cookiecutter-"))
    atexit.register(shutil.rmtree, staging, True)
    project = staging / str(context.get("project_slug") or "project")
    try:
        copier.run_copy(
            str(root),
            str(project),
            data=copier_answers(context, root),
            defaults=True,
            quiet=True,
            unsafe=False,
            **_copy_options(root),
        )
    except (ValueError, copier.errors.UserMessageError) as exc:  # validators, types, copier version...
        shutil.rmtree(staging, ignore_errors=True)
        sys.stderr.write(f"mlops-audit template: {exc}\n")
        raise SystemExit(1) from None
    return project.as_posix()


def render(project_dir: Path, context: Mapping[str, Any], *, root: Path = TEMPLATE_ROOT) -> None:
    """Render the template straight into ``project_dir`` (overwriting files, but not copier's
    ``_skip_if_exists`` ones): the hook's way when nothing was staged (``--replay``) or when the directory
    already holds files (``--overwrite-if-exists``)."""
    require_copier()
    import copier

    copier.run_copy(
        str(root),
        str(project_dir),
        data=copier_answers(context, root),
        defaults=True,
        overwrite=True,
        unsafe=False,
        quiet=True,
        **_copy_options(root),
    )


def place(project_dir: Path, context: Mapping[str, Any], *, root: Path = TEMPLATE_ROOT) -> Path:
    """Put the rendered project into ``project_dir`` and point its answers file at the template; returns the
    answers file."""
    (project_dir / PLACEHOLDER).unlink(missing_ok=True)
    staged_path = str(context.get("__rendered_by_copier") or "")
    staged = Path(staged_path) if staged_path else None
    if staged is not None and staged.is_dir() and not any(project_dir.iterdir()):
        for entry in sorted(staged.iterdir()):
            shutil.move(str(entry), str(project_dir / entry.name))
        shutil.rmtree(staged.parent, ignore_errors=True)
    else:
        render(project_dir, context, root=root)
    answers_file = project_dir / answers_relpath(root)
    src_path = source_path(context.get("_template"), root)
    if answers_file.is_file() and src_path != str(root):
        _set_src_path(answers_file, src_path)
    return answers_file


def main(project_dir: Path, context: Mapping[str, Any], *, root: Path = TEMPLATE_ROOT) -> int:
    """The post-generation hook."""
    try:
        answers_file = place(project_dir, context, root=root)
    except Exception as exc:  # copier's validators and user errors, when the hook renders itself
        if not isinstance(exc, ValueError) and type(exc).__module__.split(".")[0] != "copier":
            raise
        sys.stderr.write(f"mlops-audit template: {exc}\n")
        return 1
    print(
        f"Created {project_dir} with copier from {source_path(context.get('_template'), root)}"
        f" (answers in {answers_file.name}).\n"
        "Next steps:\n"
        f"  cd {project_dir.name}\n"
        "  git init -b main && git add -A\n"
        "  uv sync                 # creates .venv and uv.lock\n"
        "  uv run poe pipeline     # data -> validate -> drift -> train -> evaluate/promote -> predict\n"
        "Later, to pull template changes: copier update --trust"
    )
    return 0
