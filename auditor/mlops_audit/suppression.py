"""Inline suppressions: ``# mlops-audit: ignore[ID, ...] reason`` in a file's ``#`` comments.

A comment on an evidence line or the line above it (or anywhere in the file, for evidence without a line)
suppresses that evidence; a failure is ignored when all of its evidence is suppressed.
"""

from __future__ import annotations

import functools

from . import lazyre
from .model import Result
from .repo import Repo, makes_file_fact

#: ``# mlops-audit: ignore[REP002, SEC001] the reason`` in Python, YAML, TOML, shell and Dockerfiles.
SUPPRESSION = lazyre.compile(r"#\s*mlops-audit:\s*ignore\[([A-Za-z0-9_,\s]+)\]\s*(.*)$")

#: Files whose ``#`` comments may carry inline suppressions.
SUFFIXES = (".py", ".yml", ".yaml", ".toml", ".cfg", ".ini", ".sh", ".txt", ".dockerfile")
NAMES = ("dockerfile", "makefile", "justfile", "jenkinsfile", "mlproject", ".gitignore", ".gitattributes")


def parse(text: str) -> dict[int, dict[str, str]]:
    """Inline suppressions of a file: line number -> {check ID: reason}."""
    found: dict[int, dict[str, str]] = {}
    if "mlops-audit" not in text:
        return found
    for number, line in enumerate(text.splitlines(), 1):
        match = SUPPRESSION.search(line)
        if match:
            ids = [i.strip().upper() for i in match.group(1).split(",") if i.strip()]
            found[number] = dict.fromkeys(ids, match.group(2).strip())
    return found


@makes_file_fact("suppression.table/1")
def _table(view: Repo, path: str) -> dict[int, dict[str, str]]:
    """The suppression comments of one file, per file and kept in the audit cache."""
    return view.file_fact("suppression.table/1", path, functools.partial(_parse_file, view, path))


def _parse_file(view: Repo, path: str) -> dict[int, dict[str, str]]:
    return parse(view.read_text(path) or "")


def reason(view: Repo, check_id: str, result: Result) -> str | None:
    """Why a failing ``result`` of ``check_id`` is suppressed inline (``"suppressed inline"`` when the comments
    give no reason), or None when some of its evidence is not suppressed."""
    if not result.evidence:
        return None
    reasons = []
    for evidence in result.evidence:
        name = evidence.path.rsplit("/", 1)[-1].lower()
        if not (name.endswith(SUFFIXES) or name in NAMES or name.startswith("dockerfile")):
            return None
        table = _table(view, evidence.path)
        if evidence.line is None:
            hits = [ids[check_id] for ids in table.values() if check_id in ids]
        else:
            hits = [
                table[ln][check_id]
                for ln in (evidence.line, evidence.line - 1)
                if check_id in table.get(ln, {})
            ]
        if not hits:
            return None
        reasons.append(hits[0])
    return next((r for r in reasons if r), "suppressed inline")
