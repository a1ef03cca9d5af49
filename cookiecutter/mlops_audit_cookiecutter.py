"""cookiecutter entry of the mlops-audit template: the project is rendered by copier from the one template.

cookiecutter loads this module as a local Jinja extension (``_extensions`` in cookiecutter.json) before it asks
the first question, which makes it the place to:

* stop with one clear message when copier is missing (this template renders with copier);
* give cookiecutter the filters that copier renders the defaults of copier.yml with (copier loads the
  ``jinja2-ansible-filters`` extension: ``regex_replace``, ``regex_search`` ...), so that computed defaults
  such as ``project_slug`` are the same both ways;
* remember where the template checkout is (the parent of this directory), as an absolute path, for the hooks;
* check the answers with copier's validators once every question is answered (``__copier_validation``, the
  last variable of cookiecutter.json): an invalid answer stops cookiecutter with copier's message before it
  writes anything (a failing hook would also print cookiecutter's traceback).

The post-generation hook imports this module and calls :func:`main`, which renders ``copier.yml`` +
``template/`` into the directory cookiecutter generated, with the answers given to cookiecutter.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


require_copier()

from jinja2_ansible_filters import AnsibleCoreFiltersExtension  # noqa: E402

#: The template checkout cookiecutter renders from (holds copier.yml, template/ and cookiecutter/).
TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
#: The canonical template URL when the pyproject.toml of the checkout does not name one.
DEFAULT_TEMPLATE_URL = "gh:mlops-audit/mlops-audit"
#: The file that only keeps the generated directory in git; deleted before copier renders.
PLACEHOLDER = ".cookiecutter-placeholder"

# cookiecutter's built-in abbreviations, for sources copier does not understand as typed.
_ABBREVIATIONS = {
    "gh:": "https://github.com/{}.git",
    "gl:": "https://gitlab.com/{}.git",
    "bb:": "https://bitbucket.org/{}",
}
_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:|(gh|gl|bb):)", re.IGNORECASE)


class CopierFiltersExtension(AnsibleCoreFiltersExtension):
    """The filters copier gives copier.yml, plus ``mlops_audit_template_root`` for the hooks."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.globals["mlops_audit_template_root"] = TEMPLATE_ROOT.as_posix()
        environment.filters["mlops_audit_validate"] = validate


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
    * a repository cookiecutter cloned: the address the user gave, in a form copier understands;
    * a zip archive (unpacked in a temporary directory): the canonical template URL.
    """
    template = (template or "").strip()
    if not template or template.lower().endswith(".zip"):
        return canonical_url(root)
    if not _REMOTE.match(template):
        return root.as_posix()
    if _copier_knows(template):
        return template
    for prefix, pattern in _ABBREVIATIONS.items():
        if template.startswith(prefix):
            template = pattern.format(template[len(prefix) :])
            break
    if _copier_knows(template):
        return template
    return template if template.startswith("git+") else f"git+{template}"


def _copier_knows(url: str) -> bool:
    try:
        from copier._vcs import get_repo
    except ImportError:  # pragma: no cover - older copier
        from copier.vcs import get_repo  # type: ignore[no-redef]
    try:
        return get_repo(url) is not None
    except Exception:  # a URL copier cannot parse
        return False


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
    # A git checkout renders at HEAD, uncommitted changes included: the files cookiecutter itself reads.
    return {"vcs_ref": "HEAD"} if (root / ".git").exists() else {}


def validate(context: Mapping[str, Any], root: Path = TEMPLATE_ROOT) -> str:
    """Jinja filter: run copier's questionnaire on the cookiecutter answers without writing anything; on an
    invalid answer print copier's message and exit 1. Returns "" (the value of ``__copier_validation``)."""
    import tempfile

    import copier

    with tempfile.TemporaryDirectory(prefix="mlops-audit-cookiecutter-") as tmp:
        try:
            copier.run_copy(
                str(root),
                str(Path(tmp) / "project"),
                data=copier_answers(context, root),
                defaults=True,
                pretend=True,
                quiet=True,
                unsafe=False,
                **_copy_options(root),
            )
        except ValueError as exc:  # copier's validators and type checks
            sys.stderr.write(f"mlops-audit template: {exc}\n")
            raise SystemExit(1) from None
    return ""


def render(
    project_dir: Path, context: Mapping[str, Any], *, root: Path = TEMPLATE_ROOT, quiet: bool = True
) -> Path:
    """Render copier.yml + template/ of ``root`` into ``project_dir`` with the cookiecutter answers.

    A git checkout is rendered at HEAD, uncommitted changes included, i.e. exactly the files cookiecutter read
    (``cookiecutter <url> --checkout v1.2.0`` renders the tag; plain ``copier copy`` would render the latest
    tag instead). Returns the answers file.
    """
    import copier

    (project_dir / PLACEHOLDER).unlink(missing_ok=True)
    worker = copier.run_copy(
        str(root),
        str(project_dir),
        data=copier_answers(context, root),
        defaults=True,
        overwrite=True,
        unsafe=False,
        quiet=quiet,
        **_copy_options(root),
    )
    answers_file = project_dir / worker.answers_relpath
    src_path = source_path(context.get("_template"), root)
    if answers_file.is_file() and src_path != str(root):
        _set_src_path(answers_file, src_path)
    return answers_file


def main(project_dir: Path, context: Mapping[str, Any]) -> int:
    """The post-generation hook: render, or print one message and return 1 on an invalid answer."""
    try:
        answers_file = render(project_dir, context)
    except ValueError as exc:  # copier's validators (and its other user errors) raise ValueError subclasses
        sys.stderr.write(f"mlops-audit template: {exc}\n")
        return 1
    except Exception as exc:
        if type(exc).__module__.split(".")[0] != "copier":
            raise
        sys.stderr.write(f"mlops-audit template: copier failed: {exc}\n")
        return 1
    name = project_dir.name
    print(
        f"Created {project_dir} with copier from {source_path(context.get('_template'))}"
        f" (answers in {answers_file.name}).\n"
        f"Next steps:\n"
        f"  cd {name}\n"
        f"  git init -b main && git add -A\n"
        f"  uv sync                 # creates .venv and uv.lock\n"
        f"  uv run poe pipeline     # data -> validate -> drift -> train -> evaluate/promote -> predict\n"
        f"Later, to pull template changes: copier update --trust"
    )
    return 0
