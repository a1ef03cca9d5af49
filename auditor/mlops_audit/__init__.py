"""mlops-audit: a static auditor that scores ML repositories against MLOps principles.

The public Python API is :func:`audit`; the CLI (``mlops-audit``) is a thin layer over it.
Heavy modules are imported lazily so that ``import mlops_audit`` stays cheap for pre-commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .report import Report

__all__ = ["__version__", "audit"]


def audit(path: str = ".", **options: Any) -> Report:
    """Audit the repository at ``path`` and return a :class:`~mlops_audit.report.Report`.

    Keyword options are those of :func:`mlops_audit.engine.audit` (``config``, ``use_cache``, ...).
    """
    from .engine import audit as _audit

    return _audit(path, **options)
