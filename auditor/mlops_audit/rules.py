"""The check catalogue for people: `mlops-audit rules` and `mlops-audit explain ID` (and the docs site).

Everything here comes from the registry: a check's metadata and its docstring are its only documentation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from . import lazyre
from .checks.base import Check


def rule_dict(check: Check) -> dict[str, object]:
    return {
        "id": check.id,
        "title": check.title,
        "principle": check.principle.value,
        "severity": check.severity.value,
        "level": check.level,
        "profiles": list(check.profiles),
        "fixable": check.fix is not None,
        "options": check.options,
        "requires": list(check.requires),
        "plugin": check.plugin,
        "summary": check.summary,
    }


def render_rules(checks: Sequence[Check], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps([rule_dict(c) for c in checks], indent=2) + "\n"
    if fmt == "markdown":
        lines = ["| ID | Severity | Level | Principle | Title | Fixable |", "|---|---|---|---|---|---|"]
        for c in checks:
            lines.append(
                f"| [{c.id}](#{c.id.lower()}) | {c.severity.value} | {c.level} | {c.principle.title} | {c.title} | {'yes' if c.fix else ''} |"
            )
        return "\n".join(lines) + "\n"
    width = max((len(c.id) for c in checks), default=6)
    out = []
    for c in checks:
        fixable = "  [fix]" if c.fix else ""
        plugin = f"  (plugin: {c.plugin})" if c.plugin else ""
        out.append(
            f"{c.id:<{width}}  {c.severity.value:<7}  L{c.level}  {c.principle.value:<22}  {c.title}{fixable}{plugin}"
        )
    out.append(f"\n{len(checks)} checks. `mlops-audit explain ID` shows one check's documentation.")
    return "\n".join(out) + "\n"


_DOUBLE_BACKTICKS = lazyre.compile(r"``(.+?)``")


def doc_text(doc: str) -> str:
    """A check's docstring for the terminal: reST habits turned into plain text.

    ````code```` becomes ```code```, ``Example::`` becomes ``Example:`` and a paragraph that is only ``::``
    disappears (the reST reading of literal-block markers); the indented literal blocks are left untouched.
    """
    out: list[str] = []
    literal = False
    for line in doc.splitlines():
        if literal:
            if not line.strip() or line[:1] in (" ", "\t"):
                out.append(line)
                continue
            literal = False
        text = line.rstrip()
        if text.endswith("::"):
            literal = True
            text = text[:-2].rstrip()
            if text and not line.rstrip()[:-2].endswith(" "):
                text += ":"
            if not text:
                continue
        out.append(_DOUBLE_BACKTICKS.sub(r"`\1`", text))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def explain(check: Check) -> str:
    header = f"{check.id}: {check.title}"
    meta = [
        f"Principle: {check.principle.title}",
        f"Severity:  {check.severity.value}",
        f"Maturity:  level {check.level}",
        f"Profiles:  {', '.join(check.profiles)}",
        f"Fixable:   {'yes — `mlops-audit fix --select ' + check.id + '`' if check.fix else 'no (needs a person)'}",
    ]
    if check.options:
        meta.append("Options:   " + ", ".join(f"{k} (default {v!r})" for k, v in check.options.items()))
    if check.requires:
        meta.append(f"Requires:  {', '.join(check.requires)} (decided first; a failure there fails this one)")
    if check.plugin:
        meta.append(f"Plugin:    {check.plugin}")
    return "\n".join([header, "=" * len(header), *meta, "", doc_text(check.doc) or "(no documentation)"])
