"""Helpers shared by the output formats: ordering, score bands, locations, text clean-up, docstring markup.

Everything here reads finished :class:`~mlops_audit.report.Report` objects only (no parsing, no checking).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterator
from urllib.parse import quote

from .. import lazyre
from ..checks.base import Check
from ..model import Evidence, Status
from ..paths import clean_text, display_path
from ..report import Outcome, ProjectReport, Report

HOMEPAGE = "https://github.com/mlops-audit/mlops-audit"
SOURCE_URL = f"{HOMEPAGE}/blob/main/auditor"

STATUS_ORDER = {
    Status.FAIL: 0,
    Status.UNKNOWN: 1,
    Status.IGNORED: 2,
    Status.PASS: 3,
    Status.NOT_APPLICABLE: 4,
}
STATUS_LABEL = {
    Status.PASS: "pass",
    Status.FAIL: "fail",
    Status.NOT_APPLICABLE: "n/a",
    Status.IGNORED: "ignored",
    Status.UNKNOWN: "unknown",
}

# XML 1.0 forbids most C0 controls (even escaped); HTML treats them as parse errors.
_CONTROL = lazyre.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def text(value: object) -> str:
    """Free text for any format: undecodable bytes as git-style octal escapes, control characters dropped."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", clean_text(str(value)))


def path_text(path: str) -> str:
    """A path as reports show it (git quoting for non-UTF-8 paths), safe for any format."""
    return text(display_path(path))


def uri(path: str) -> str:
    """A relative path as a percent-encoded URI reference (raw bytes for paths that are not valid UTF-8)."""
    import os

    try:
        raw = path.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(path)
    return quote(raw, safe="/-._~!$&'()*+,;=@")


def sorted_outcomes(outcomes: list[Outcome]) -> list[Outcome]:
    """Failures first (most severe first), then ignored, passed and not applicable; by ID within a group."""
    return sorted(outcomes, key=lambda o: (STATUS_ORDER[o.status], -o.check.severity.rank, o.check.id))


def projects(report: Report) -> list[ProjectReport]:
    return [report.project, *report.subprojects]


def project_name(project: ProjectReport) -> str:
    return path_text(project.path) if project.path else "."


def reported_failures(report: Report) -> Iterator[tuple[ProjectReport, Outcome]]:
    """Failed (not ignored) outcomes of the repository and then of each sub-project."""
    for project, outcome in report.all_outcomes():
        if outcome.failed:
            yield project, outcome


def baseline_used(report: Report) -> bool:
    """Whether the audit compared against a baseline (a file given, or failures known from one)."""
    return bool(report.config.get("baseline")) or any(o.in_baseline for _, o in report.all_outcomes())


def evidence_of(outcome: Outcome, project: ProjectReport) -> list[Evidence]:
    """The outcome's evidence with paths relative to the audited root (sub-project prefix added)."""
    return [e.rebased(project.prefix) for e in outcome.result.evidence]


def fallback_path(report: Report, project: ProjectReport) -> str:
    """A file to point at when a failure carries no evidence (location-based formats need one)."""
    for candidate in (project, report.project):
        for outcome in candidate.outcomes:
            for evidence in outcome.result.evidence:
                return candidate.prefix + evidence.path
        for fact in candidate.facts.values():
            for evidence in fact.evidence:
                return candidate.prefix + evidence.path
    return project.prefix + "README.md"


def primary_location(report: Report, project: ProjectReport, outcome: Outcome) -> Evidence:
    found = evidence_of(outcome, project)
    return found[0] if found else Evidence(fallback_path(report, project), None)


def root_prefix(report: Report) -> str:
    """``sub/dir/`` when the audited root was given as a relative path inside the working directory.

    Location-based formats (SARIF, Code Quality) are read against the repository checkout, which is where CI
    runs the tool; paths relative to a sub-directory root are prefixed with it so they still name the file.
    """
    root = report.root.replace("\\", "/")
    if not root or root.startswith("/") or re.match(r"^[A-Za-z]:", root):
        return ""
    normal = posixpath.normpath(root)
    if normal == "." or normal == ".." or normal.startswith("../"):
        return ""
    return normal + "/"


def fingerprint(*parts: str) -> str:
    """A stable hash of the identifying parts of a finding (not its message or line, which drift)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def score_text(score: int | None) -> str:
    return "n/a" if score is None else f"{score}/100"


def score_band(score: int | None) -> str:
    """good (>= 80), fair (>= 50), poor, or na."""
    if score is None:
        return "na"
    return "good" if score >= 80 else "fair" if score >= 50 else "poor"


def help_uri(check: Check) -> str | None:
    """Where a built-in check is documented online: its module (the docstring is its documentation).

    None for third-party and test-only checks, whose home the report cannot know.
    """
    module = getattr(check.func, "__module__", "") or ""
    if check.plugin or not module.startswith("mlops_audit.checks."):
        return None
    return f"{SOURCE_URL}/{module.replace('.', '/')}.py"


def fix_hint(check: Check, *, markdown: bool = False) -> str:
    """How to fix a failing check: its fix hint, or the summary of its documentation when it has none."""
    raw = check.fix_hint or check.summary
    return text(doc_markdown(raw) if markdown else doc_plain(raw))


def summary(check: Check, *, markdown: bool = False) -> str:
    """The first paragraph of the check's documentation (its title when it has none)."""
    raw = check.summary or check.title
    return text(doc_markdown(raw) if markdown else doc_plain(raw))


def fix_command(project: ProjectReport, check: Check) -> str | None:
    """The command that repairs the check automatically in this repository: only when the repository's fix
    plan (``ProjectReport.fix_plan``) adds something for it, never on the strength of the check having a
    fixer somewhere."""
    plan = project.fix_plan
    return f"mlops-audit fix --select {check.id}" if plan is not None and check.id in plan else None


_RST_LITERAL = lazyre.compile(r"``(.+?)``")


def doc_markdown(doc: str) -> str:
    """A check docstring (reStructuredText-ish: ````code````, ``Example::`` blocks) as Markdown."""
    out: list[str] = []
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith("::"):
            head = line.rstrip()[:-1]
            if head.strip() == ":":
                head = ""
            out.append(_RST_LITERAL.sub(r"`\1`", head).rstrip())
            i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
                block.append(lines[i])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            while block and not block[0].strip():
                block.pop(0)
            indent = min((len(b) - len(b.lstrip()) for b in block if b.strip()), default=0)
            out += ["", "```", *(b[indent:] for b in block), "```", ""]
            continue
        out.append(_RST_LITERAL.sub(r"`\1`", line))
        i += 1
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip()


def doc_plain(doc: str) -> str:
    """A check docstring as plain text (literal markers removed)."""
    return _RST_LITERAL.sub(r"\1", doc).replace("::\n", ":\n")
