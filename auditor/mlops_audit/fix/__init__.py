"""`mlops-audit fix`: add the missing pieces for failed checks by rendering them from the bundled template.

The flow: audit the repository -> pick the failed checks that name a fix -> infer the template's answers and
the repository's layout (``answers``) -> render the template once into a temporary directory with copier, and
the fragments written for foreign repositories (``fragments/``) with the same answers -> take from them the
files each fix needs (``fixers``) -> create only missing files (``plan``). The one edit of an existing file is
appending missing entries to ``.gitignore``. Nothing is overwritten or deleted, so a second run changes
nothing. No network: the template is bundled and rendered locally.

Modules: ``answers`` (inference from the repository), ``fixers`` (the registry of what each fix renders),
``writers`` (tool configurations as TOML / INI files), ``plan`` (plan, diff, apply, run).
"""

from __future__ import annotations

from .answers import infer_answers, infer_layout
from .fixers import FIXER_DOCS, FIXERS, CannotFix, Change, Context, gx_suite_json
from .plan import Plan, apply, build_plan, diff, fixable, plan_fixes, run_fix

__all__ = [
    "FIXERS",
    "FIXER_DOCS",
    "CannotFix",
    "Change",
    "Context",
    "Plan",
    "apply",
    "build_plan",
    "diff",
    "fixable",
    "gx_suite_json",
    "infer_answers",
    "infer_layout",
    "plan_fixes",
    "run_fix",
]
