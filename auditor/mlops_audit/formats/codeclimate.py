"""``--format codeclimate``: GitLab Code Quality report (a JSON array of Code Climate issues).

One issue per failing check that is not ignored, of the repository or of a sub-project, located at its first
evidence (line 1 when the evidence has no line). Paths are relative to the repository checkout, where GitLab
runs the job: a relative audited path is prefixed. The fingerprint hashes the check, the sub-project and the
evidence file, so an issue keeps its identity when its message or line changes.

Use it in ``.gitlab-ci.yml`` as ``artifacts: reports: codequality: gl-code-quality-report.json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..model import Principle, Severity
from ..report import Outcome, ProjectReport, Report
from ._common import (
    doc_markdown,
    fingerprint,
    fix_command,
    fix_hint,
    path_text,
    primary_location,
    reported_failures,
    root_prefix,
    text,
)

#: Our severities -> Code Quality's (info, minor, major, critical, blocker).
SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "minor"}

#: Principle -> Code Climate categories (Bug Risk, Clarity, Compatibility, Complexity, Duplication,
#: Performance, Security, Style).
CATEGORIES = {
    Principle.REPRODUCIBILITY: ["Bug Risk"],
    Principle.VERSIONING: ["Bug Risk"],
    Principle.PIPELINING: ["Complexity"],
    Principle.DEPLOYMENT: ["Compatibility"],
    Principle.FLEXIBILITY: ["Complexity"],
    Principle.EXPERIMENT_TRACKING: ["Clarity"],
    Principle.DATA_VALIDATION: ["Bug Risk"],
    Principle.TESTING: ["Bug Risk"],
    Principle.CONTINUOUS_INTEGRATION: ["Bug Risk"],
    Principle.CONTINUOUS_TRAINING: ["Performance"],
    Principle.DOCUMENTATION: ["Clarity"],
    Principle.SECURITY: ["Security"],
}


def render(reports: Sequence[Report]) -> str:
    issues: list[dict[str, Any]] = []
    seen: set[str] = set()
    for report in reports:
        for project, outcome in reported_failures(report):
            issue = _issue(report, project, outcome)
            while issue["fingerprint"] in seen:  # the same root audited twice: keep fingerprints unique
                issue["fingerprint"] = fingerprint(issue["fingerprint"], "again")[:32]
            seen.add(issue["fingerprint"])
            issues.append(issue)
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _issue(report: Report, project: ProjectReport, outcome: Outcome) -> dict[str, Any]:
    check = outcome.check
    prefix = root_prefix(report)
    location = primary_location(report, project, outcome)
    path = prefix + location.path
    where = f"[{path_text(project.path)}] " if project.path else ""
    message = text(outcome.result.message)
    body = [f"**{check.id} {text(check.title)}** ({check.principle.title}, level {check.level})", ""]
    body.append(text(doc_markdown(check.doc or check.summary or check.title)))
    if check.fix_hint:
        body += ["", f"**Fix:** {fix_hint(check, markdown=True)}"]
    command = fix_command(project, check)
    if command:
        body += ["", f"**Automatic fix:** `{command}`"]
    issue: dict[str, Any] = {
        "type": "issue",
        "check_name": check.id,
        "description": f"{where}{check.id} {text(check.title)}" + (f": {message}" if message else ""),
        "content": {"body": "\n".join(body)},
        "categories": CATEGORIES.get(check.principle, ["Bug Risk"]),
        "severity": SEVERITIES[check.severity],
        "fingerprint": fingerprint(check.id, prefix + project.path, path)[:32],
        "location": {
            "path": path_text(path),
            "lines": {"begin": location.line if location.line and location.line >= 1 else 1},
        },
    }
    others = outcome.result.evidence[1:]
    if others:
        issue["other_locations"] = [
            {
                "path": path_text(prefix + project.prefix + e.path),
                "lines": {"begin": e.line if e.line and e.line >= 1 else 1},
            }
            for e in others
        ]
    return issue
