"""The bundled copier template: where it is, and `mlops-audit new`.

In a wheel the template sits inside the package (``mlops_audit/_template``: copier.yml + template/); in a checkout
or an editable install it is the repository root. copier is imported only when a project is rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ._version import __version__
from .config import ConfigError

_PACKAGE_DIR = Path(__file__).resolve().parent


def template_root() -> Path:
    """The directory holding ``copier.yml`` (bundled copy first, then the source checkout)."""
    for candidate in (_PACKAGE_DIR / "_template", _PACKAGE_DIR.parent.parent):
        if (candidate / "copier.yml").is_file() and (candidate / "template").is_dir():
            return candidate
    raise ConfigError(
        "the bundled template is missing (copier.yml and template/ not found); reinstall mlops-audit"
    )


def checkout_root() -> Path | None:
    """The source checkout this package runs from (editable install), or None for an installed wheel."""
    root = _PACKAGE_DIR.parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "auditor").is_dir() else None


def auditor_requirement() -> str:
    """The requirement a generated project uses for mlops-audit: this checkout when running from one (so that
    the project audits itself with the same code), else the released version."""
    root = checkout_root()
    if root is not None:
        return f"mlops-audit @ {root.as_uri()}"
    return f"mlops-audit=={__version__}"


def render(
    dest: str | Path,
    answers: Mapping[str, Any],
    *,
    defaults: bool = True,
    src: str | Path | None = None,
    vcs_ref: str | None = None,
    quiet: bool = True,
    overwrite: bool = False,
    exclude: tuple[str, ...] = (),
) -> Any:
    """Render the template into ``dest`` with copier (``copier.run_copy``); returns copier's Worker."""
    import copier

    source = str(src or template_root())
    kwargs: dict[str, Any] = {
        "data": dict(answers),
        "defaults": defaults,
        "quiet": quiet,
        "overwrite": overwrite,
        "unsafe": False,
    }
    if vcs_ref is not None:
        kwargs["vcs_ref"] = vcs_ref
    if exclude:
        kwargs["exclude"] = list(exclude)
    return copier.run_copy(source, str(dest), **kwargs)


def new_project(
    dest: str | Path,
    answers: Mapping[str, Any],
    *,
    defaults: bool = True,
    echo: Callable[[str], None] = print,
) -> Path:
    """`mlops-audit new DEST`: generate a project, pointing its mlops-audit requirement at this installation."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise ConfigError(f"{dest} exists and is not empty; choose a new directory")
    data = {"mlops_audit_requirement": auditor_requirement(), **answers}
    root = template_root()
    # In a checkout (a git repository) copier would render the latest release tag; HEAD (copier adds
    # uncommitted changes to it) keeps `new` in step with the auditor that runs it.
    vcs_ref = "HEAD" if (root / ".git").exists() else None
    try:
        render(dest, data, defaults=defaults, vcs_ref=vcs_ref, quiet=False)
    except Exception as exc:  # copier's validation errors are user errors here
        if type(exc).__module__.startswith("copier"):
            raise ConfigError(f"template: {exc}") from exc
        raise
    echo(f"Created {dest}. Next: cd {dest} && uv sync && uv run poe pipeline && uv run mlops-audit .")
    return dest
