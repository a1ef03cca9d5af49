"""Compare the auditor's verdicts with the labelled verdict corpus.

For every label file (``labels/<owner>__<name>.toml``) the checkout ``<checkouts>/<owner>__<name>`` is audited
in-process (the labelled profile, no cache, the repository's own mlops-audit configuration left out) and its
check statuses and report facts are compared with the labels. The output is a report, so the exit code is 0
whatever the numbers are; it is 2 only when a label file is malformed (or the arguments are wrong).

    uv run python benchmarks/verdicts/evaluate.py --checkouts /work/corpus [--labels DIR] [--only owner__name]
        [--mirrors /work/.mirror] [--json out.json]

See ``benchmarks/verdicts/README.md`` for the label format and how to read the output.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_LABELS = HERE / "labels"

KINDS = (
    "template",
    "course",
    "research",
    "library",
    "pipeline",
    "notebooks",
    "service",
    "monorepo",
    "tutorial",
)
PROFILES = ("research", "library", "pipeline", "service")
LABEL_STATUSES = ("pass", "fail", "not_applicable", "unknown")
TOP_KEYS = {"repo", "commit", "kind", "profile", "summary", "facts", "checks"}
CHECK_KEYS = {"status", "why"}
PASS, FAIL, NA = "pass", "fail", "not_applicable"

TARGET_PRECISION = 0.97  # share of the auditor's failing verdicts that are right
TARGET_RECALL = 0.95  # share of the labelled failures the auditor finds
TARGET_FACTS = 0.97  # share of labelled facts the auditor gets right


class LabelError(Exception):
    """A label file that does not follow the format: evaluate.py exits with status 2."""


# --------------------------------------------------------------------------------------------------- labels
@dataclass(frozen=True)
class CheckLabel:
    status: str
    why: str = ""


@dataclass(frozen=True)
class Label:
    path: Path
    repo: str
    commit: str
    kind: str
    profile: str
    summary: str
    facts: dict[str, bool | str]
    checks: dict[str, CheckLabel]

    @property
    def slug(self) -> str:
        """``owner__name``: the label file's stem and the checkout directory's name."""
        owner, name = self.repo.split("/", 1)
        return f"{owner}__{name}"


def parse_label(path: Path, text: str) -> Label:
    """Parse and validate one label file; raise :class:`LabelError` with the file and the problem."""

    def bad(problem: str) -> LabelError:
        return LabelError(f"{path}: {problem}")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise bad(f"not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise bad(f"unknown top-level key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(TOP_KEYS))})")
    for key in ("repo", "commit", "kind", "profile", "summary"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise bad(f"{key!r} must be a non-empty string")
    repo = data["repo"]
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.][A-Za-z0-9_.-]*", repo):
        raise bad(f"repo {repo!r} is not 'owner/name'")
    owner, name = repo.split("/", 1)
    if path.suffix == ".toml" and path.stem != f"{owner}__{name}":
        raise bad(f"file name must be {owner}__{name}.toml for repo {repo!r}")
    if not re.fullmatch(r"[0-9a-f]{40}", data["commit"]):
        raise bad(f"commit {data['commit']!r} is not a 40-hex lower-case commit id")
    if data["kind"] not in KINDS:
        raise bad(f"kind {data['kind']!r} is not one of {', '.join(KINDS)}")
    if data["profile"] not in PROFILES:
        raise bad(f"profile {data['profile']!r} is not one of {', '.join(PROFILES)}")

    facts_table = data.get("facts", {})
    if not isinstance(facts_table, dict):
        raise bad("[facts] must be a table")
    facts: dict[str, bool | str] = {}
    for fact, value in facts_table.items():
        if not (isinstance(value, bool) or value == "unknown"):
            raise bad(f'fact {fact!r} = {value!r}: must be true, false or "unknown"')
        facts[fact] = value

    checks_table = data.get("checks", {})
    if not isinstance(checks_table, dict):
        raise bad("[checks] must be a table")
    checks: dict[str, CheckLabel] = {}
    for check_id, value in checks_table.items():
        if not re.fullmatch(r"[A-Z]{2,4}[0-9]{3}", check_id):
            raise bad(f"check {check_id!r} is not a check ID (like REP001)")
        if isinstance(value, str):  # shorthand: ID = "pass"
            value = {"status": value}
        if not isinstance(value, dict):
            raise bad(f'check {check_id}: must be {{ status = "...", why = "..." }}')
        extra = sorted(set(value) - CHECK_KEYS)
        if extra:
            raise bad(f"check {check_id}: unknown key(s) {', '.join(extra)} (allowed: status, why)")
        status = value.get("status")
        if status not in LABEL_STATUSES:
            raise bad(f"check {check_id}: status {status!r} is not one of {', '.join(LABEL_STATUSES)}")
        why = value.get("why", "")
        if not isinstance(why, str):
            raise bad(f"check {check_id}: why must be a string")
        checks[check_id] = CheckLabel(status, why.strip())
    return Label(
        path=path,
        repo=repo,
        commit=data["commit"],
        kind=data["kind"],
        profile=data["profile"],
        summary=data["summary"].strip(),
        facts=facts,
        checks=checks,
    )


def load_labels(directory: Path, only: Sequence[str] = ()) -> list[Label]:
    """Every ``*.toml`` of ``directory`` (sorted), restricted to the ``owner__name`` slugs of ``only``."""
    if not directory.is_dir():
        raise LabelError(f"{directory}: no such label directory")
    files = sorted(directory.glob("*.toml"))
    if only:
        wanted = {s.replace("/", "__") for s in only}
        missing = sorted(wanted - {f.stem for f in files})
        if missing:
            raise LabelError(f"no label file for {', '.join(missing)} in {directory}")
        files = [f for f in files if f.stem in wanted]
    return [parse_label(f, f.read_text(encoding="utf-8")) for f in files]


def lint_label(label: Label, check_ids: Iterable[str], fact_names: Iterable[str]) -> list[str]:
    """Warnings that do not stop the evaluation: names the auditor does not know, fails without a why."""
    warnings = []
    known_checks, known_facts = set(check_ids), set(fact_names)
    for check_id, check in label.checks.items():
        if check_id not in known_checks:
            warnings.append(f"{label.repo}: {check_id} is not a check of the auditor (label ignored)")
        if check.status == FAIL and not check.why:
            warnings.append(f"{label.repo}: {check_id} is labelled fail without a why")
    for fact in label.facts:
        if fact not in known_facts:
            warnings.append(f"{label.repo}: fact {fact!r} is not a report fact (label ignored)")
    return warnings


# ------------------------------------------------------------------------------------------------ checkouts
def _git(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *map(str, args)], capture_output=True, text=True, check=False)


def head_of(checkout: Path) -> str | None:
    done = _git("-C", checkout, "rev-parse", "HEAD")
    return done.stdout.strip() if done.returncode == 0 else None


def find_mirror(mirrors: Path, repo: str) -> Path | None:
    """The bare git directory the search tool's ``fetch`` made: ``<mirrors>/<owner>+<name>[/<sub>]``."""
    base = mirrors / repo.replace("/", "+")
    if not base.is_dir():
        return None
    for candidate in (base, *sorted(p for p in base.iterdir() if p.is_dir())):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def ensure_checkout(label: Label, checkouts: Path, mirrors: Path | None = None) -> tuple[Path | None, str]:
    """The checkout of ``label`` at its pinned commit, or ``(None, why not)``.

    A missing checkout is made from the bare mirror when ``mirrors`` is given; an existing checkout is never
    moved (it is only verified)."""
    checkout = checkouts / label.slug
    if not checkout.exists():
        if mirrors is None:
            return None, f"no checkout at {checkout} (give --mirrors to create it from a fetched mirror)"
        mirror = find_mirror(mirrors, label.repo)
        if mirror is None:
            return (
                None,
                f"no checkout at {checkout} and no mirror under {mirrors} (fetch github:{label.repo})",
            )
        checkouts.mkdir(parents=True, exist_ok=True)
        cloned = _git("clone", "-q", "--no-checkout", mirror, checkout)
        if cloned.returncode != 0:
            return None, f"git clone {mirror} failed: {cloned.stderr.strip()}"
        switched = _git("-C", checkout, "checkout", "-q", label.commit)
        if switched.returncode != 0:
            return (
                None,
                f"commit {label.commit} cannot be checked out from {mirror}: {switched.stderr.strip()}",
            )
    head = head_of(checkout)
    if head is None:
        return None, f"{checkout} is not a git checkout"
    if head != label.commit:
        return (
            None,
            f"{checkout} is at {head}, the label pins {label.commit} (git -C {checkout} checkout {label.commit})",
        )
    return checkout, ""


# -------------------------------------------------------------------------------------------------- audit
@dataclass(frozen=True)
class Verdict:
    """What the auditor said for one check: its status as a plain string (whatever the auditor's vocabulary)."""

    status: str
    message: str = ""
    evidence: str = ""
    blocked_by: str = ""  # a failure that only says "needs X first": X, the check it requires, failed
    credit: float = 0.0  # the partial credit of a failure (the share of the practice the evidence shows)


@dataclass
class Audited:
    """The plain data evaluate.py needs from one audit."""

    verdicts: dict[str, Verdict]
    facts: dict[str, bool | None]
    maturity: int | None = None
    blockers: tuple[str, ...] = ()


def audit_checkout(path: Path, profile: str) -> Audited:
    """Audit ``path`` in-process with ``profile``, no cache, and none of the repository's own configuration."""
    from mlops_audit import audit
    from mlops_audit.config import Config

    report = audit(path, config=Config(), profile=profile, use_cache=False)
    return from_report(report)


def from_report(report: Any) -> Audited:
    project = report.project
    verdicts = {}
    for outcome in project.outcomes:
        evidence = outcome.result.evidence
        first = ""
        if evidence:
            e = evidence[0]
            first = f"{e}" + (f" ({e.note})" if getattr(e, "note", "") else "")
        status = getattr(outcome.result.status, "value", outcome.result.status)
        requires = getattr(outcome.check, "requires", ())
        blocked_by = next((r for r in requires if outcome.result.message == f"needs {r} first"), "")
        credit = float(getattr(outcome.result, "credit", 0.0))
        verdicts[outcome.check.id] = Verdict(str(status), outcome.result.message, first, blocked_by, credit)
    facts = {name: value.value for name, value in project.facts.items()}
    maturity = project.maturity
    return Audited(verdicts, facts, maturity.level, tuple(maturity.blockers))


def auditor_catalogue() -> tuple[dict[str, Any], tuple[str, ...]]:
    """The auditor's checks (ID -> check) and its report fact names."""
    from mlops_audit.checks import load_checks
    from mlops_audit.facts import FACT_NAMES

    return dict(load_checks()), tuple(FACT_NAMES)


def expected_maturity(
    label: Label, checks: Mapping[str, Any], audited: Audited | None = None
) -> tuple[int | None, tuple[str, ...]]:
    """The maturity level the labels imply, by the auditor's own rule (``scoring.maturity``) applied to the
    labelled statuses (unlabelled and "unknown" checks are neutral, as unknown verdicts are).

    A labelled failure that the auditor fails too keeps the auditor's partial credit (the share of the practice
    its evidence shows), so that the two levels differ only where the verdicts do; any other labelled failure
    earns nothing."""
    from mlops_audit import scoring
    from mlops_audit.model import Result
    from mlops_audit.report import Outcome

    def failed(cid: str) -> Any:
        verdict = audited.verdicts.get(cid) if audited is not None else None
        credit = verdict.credit if verdict is not None and verdict.status == FAIL else 0.0
        return Result.failed("labelled", credit=credit)

    make = {
        PASS: lambda cid: Result.passed(),
        FAIL: failed,
        NA: lambda cid: Result.not_applicable("-"),
    }
    outcomes = [
        Outcome(check, make[status](cid))
        for cid, check in checks.items()
        if (status := _label_status(label, cid) or "") in make
    ]
    maturity = scoring.maturity(outcomes)
    return maturity.level, tuple(maturity.blockers)


def _label_status(label: Label, check_id: str) -> str | None:
    check = label.checks.get(check_id)
    return check.status if check else None


# ------------------------------------------------------------------------------------------------ compare
@dataclass
class Disagreement:
    repo: str
    check: str
    expected: str
    got: str
    why: str
    message: str
    evidence: str


@dataclass
class RepoResult:
    repo: str
    commit: str
    kind: str
    profile: str
    problem: str = ""  # set when the repository could not be evaluated (no checkout, wrong commit, crash)
    compared: dict[str, tuple[str, str]] = field(default_factory=dict)  # check -> (expected, got)
    disagreements: list[Disagreement] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)  # checks labelled unknown or not at all
    blocked: list[str] = field(default_factory=list)  # "needs X first" where the label fails X too
    not_in_auditor: list[str] = field(default_factory=list)  # labelled checks the auditor does not have
    facts_right: list[str] = field(default_factory=list)
    facts_wrong: list[tuple[str, bool | str, bool | None]] = field(default_factory=list)
    facts_unlabelled: list[str] = field(default_factory=list)
    maturity: int | None = None
    blockers: tuple[str, ...] = ()
    expected_maturity: int | None = None
    expected_blockers: tuple[str, ...] = ()


def compare(label: Label, audited: Audited, fact_names: Sequence[str] = ()) -> RepoResult:
    """Compare one audit with its label. Only labelled statuses (pass / fail / not_applicable) are compared;
    the auditor's status is taken as it comes (a status outside the label vocabulary is a disagreement)."""
    result = RepoResult(label.repo, label.commit, label.kind, label.profile)
    for check_id in sorted(set(audited.verdicts) | set(label.checks)):
        check = label.checks.get(check_id)
        verdict = audited.verdicts.get(check_id)
        if verdict is None:
            result.not_in_auditor.append(check_id)
            continue
        if check is None or check.status == "unknown":
            result.unlabelled.append(check_id)
            continue
        if (
            verdict.blocked_by
            and _label_status(label, verdict.blocked_by) == FAIL
            and check.status in (NA, FAIL)
        ):
            # Not a verdict of its own: the failure of the check it requires, carried to its dependant so that
            # absence never scores better than a partial practice. Labels may call it not applicable.
            result.blocked.append(check_id)
            continue
        result.compared[check_id] = (check.status, verdict.status)
        if check.status != verdict.status:
            result.disagreements.append(
                Disagreement(
                    label.repo,
                    check_id,
                    check.status,
                    verdict.status,
                    check.why,
                    verdict.message,
                    verdict.evidence,
                )
            )
    for fact in sorted(set(fact_names or audited.facts) | set(label.facts)):
        if fact not in audited.facts:
            continue  # not a report fact: lint_label warns about it
        expected = label.facts.get(fact, "unknown")
        if expected == "unknown":
            result.facts_unlabelled.append(fact)
        elif audited.facts[fact] is expected:
            result.facts_right.append(fact)
        else:
            result.facts_wrong.append((fact, expected, audited.facts[fact]))
    result.maturity, result.blockers = audited.maturity, audited.blockers
    return result


@dataclass
class CheckCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    agree: int = 0  # exact status agreement (pass/fail/not_applicable)
    compared: int = 0
    unlabelled: int = 0

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        return self.fp + self.tn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def add(self, expected: str, got: str) -> None:
        self.compared += 1
        self.agree += expected == got
        if expected == FAIL:
            if got == FAIL:
                self.tp += 1
            else:
                self.fn += 1
        elif got == FAIL:
            self.fp += 1
        else:
            self.tn += 1


def per_check(results: Iterable[RepoResult]) -> dict[str, CheckCounts]:
    table: dict[str, CheckCounts] = {}
    for result in results:
        for check_id, (expected, got) in result.compared.items():
            table.setdefault(check_id, CheckCounts()).add(expected, got)
        for check_id in result.unlabelled:
            table.setdefault(check_id, CheckCounts()).unlabelled += 1
    return dict(sorted(table.items()))


def totals(table: Mapping[str, CheckCounts]) -> CheckCounts:
    out = CheckCounts()
    for c in table.values():
        out.tp += c.tp
        out.fp += c.fp
        out.fn += c.fn
        out.tn += c.tn
        out.agree += c.agree
        out.compared += c.compared
        out.unlabelled += c.unlabelled
    return out


def facts_accuracy(results: Iterable[RepoResult]) -> tuple[int, int]:
    """(right, labelled) over every labelled fact of every evaluated repository."""
    right = labelled = 0
    for r in results:
        right += len(r.facts_right)
        labelled += len(r.facts_right) + len(r.facts_wrong)
    return right, labelled


# ------------------------------------------------------------------------------------------------- output
def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return "n/a"
    return "ok" if value >= target else "BELOW TARGET"


def render(results: Sequence[RepoResult], warnings: Sequence[str] = ()) -> str:
    evaluated = [r for r in results if not r.problem]
    table = per_check(evaluated)
    total = totals(table)
    lines: list[str] = []
    out = lines.append

    out(f"Verdict corpus: {len(evaluated)} repositories evaluated, {len(results) - len(evaluated)} skipped")
    for r in results:
        if r.problem:
            out(f"  SKIPPED {r.repo}: {r.problem}")
    out("")
    out("1. Per check (positive = fail): TP FP FN TN, precision of FAILs, recall of labelled failures")
    out(
        f"{'check':<8}{'TP':>4}{'FP':>4}{'FN':>4}{'TN':>4}{'prec':>8}{'recall':>8}{'pos':>5}{'neg':>5}{'agree':>8}{'unlab':>6}"
    )
    for check_id, c in table.items():
        out(
            f"{check_id:<8}{c.tp:>4}{c.fp:>4}{c.fn:>4}{c.tn:>4}{_pct(c.precision):>8}{_pct(c.recall):>8}"
            f"{c.positives:>5}{c.negatives:>5}{f'{c.agree}/{c.compared}':>8}{c.unlabelled:>6}"
        )
    out("")
    precision, recall = total.precision, total.recall
    out("2. Overall")
    out(
        f"  failing verdicts right (precision): {_pct(precision)} ({total.tp}/{total.tp + total.fp})"
        f"  target >= {TARGET_PRECISION:.0%}: {_verdict(precision, TARGET_PRECISION)}"
    )
    out(
        f"  labelled failures found (recall):   {_pct(recall)} ({total.tp}/{total.tp + total.fn})"
        f"  target >= {TARGET_RECALL:.0%}: {_verdict(recall, TARGET_RECALL)}"
    )
    out(
        f"  exact status agreement:             {_pct(_ratio(total.agree, total.compared))}"
        f" ({total.agree}/{total.compared}); {total.unlabelled} check verdicts unlabelled"
    )
    blocked = sum(len(r.blocked) for r in evaluated)
    out(
        f'  not counted: {blocked} failures that only wait for a failed prerequisite ("needs X first", the'
        " label fails X as well)"
    )
    right, labelled = facts_accuracy(evaluated)
    accuracy = _ratio(right, labelled)
    out("")
    out(
        f"3. Facts accuracy: {_pct(accuracy)} ({right}/{labelled})"
        f"  target >= {TARGET_FACTS:.0%}: {_verdict(accuracy, TARGET_FACTS)}"
    )
    for r in evaluated:
        for fact, expected, got in r.facts_wrong:
            out(f"  {r.repo}: {fact} expected {json.dumps(expected)} got {json.dumps(got)}")
    out("")
    out("4. Maturity level per repository (auditor / implied by the labels)")
    for r in evaluated:
        implied = "?" if r.expected_maturity is None else str(r.expected_maturity)
        blockers = ", ".join(r.blockers) or "-"
        out(f"  {r.repo:<48} {r.kind:<10} auditor L{r.maturity}  labels L{implied}  blockers: {blockers}")
    out("")
    disagreements = [d for r in evaluated for d in r.disagreements]
    out(f"5. Disagreements ({len(disagreements)})")
    for d in disagreements:
        out(f"  {d.repo} {d.check}: expected {d.expected}, got {d.got}")
        if d.why:
            out(f"      label:   {d.why}")
        out(f"      auditor: {d.message}" + (f" [{d.evidence}]" if d.evidence else ""))
    unlabelled = [(r.repo, r.unlabelled) for r in evaluated if r.unlabelled]
    out("")
    out("Unlabelled (label 'unknown' or missing; not counted)")
    for repo, ids in unlabelled:
        out(f"  {repo}: {', '.join(ids)}")
    if not unlabelled:
        out("  none")
    for r in evaluated:
        if r.not_in_auditor:
            out(f"  {r.repo}: labelled but not checks of the auditor: {', '.join(r.not_in_auditor)}")
        if r.facts_unlabelled:
            out(f"  {r.repo}: facts unlabelled: {', '.join(r.facts_unlabelled)}")
    if warnings:
        out("")
        out("Label warnings")
        lines.extend(f"  {w}" for w in warnings)
    return "\n".join(lines) + "\n"


def to_json(results: Sequence[RepoResult]) -> dict[str, Any]:
    evaluated = [r for r in results if not r.problem]
    table = per_check(evaluated)
    total = totals(table)
    right, labelled = facts_accuracy(evaluated)
    return {
        "overall": {
            "precision": total.precision,
            "recall": total.recall,
            "tp": total.tp,
            "fp": total.fp,
            "fn": total.fn,
            "tn": total.tn,
            "agreement": _ratio(total.agree, total.compared),
            "facts_accuracy": _ratio(right, labelled),
            "facts_right": right,
            "facts_labelled": labelled,
        },
        "per_check": {
            k: {**asdict(c), "precision": c.precision, "recall": c.recall} for k, c in table.items()
        },
        "repositories": [asdict(r) for r in results],
    }


# --------------------------------------------------------------------------------------------------- main
def evaluate(
    labels: Sequence[Label], checkouts: Path, mirrors: Path | None = None
) -> tuple[list[RepoResult], list[str]]:
    checks, fact_names = auditor_catalogue()
    warnings = [w for label in labels for w in lint_label(label, checks, fact_names)]
    results = []
    for label in labels:
        path, problem = ensure_checkout(label, checkouts, mirrors)
        if path is None:
            results.append(RepoResult(label.repo, label.commit, label.kind, label.profile, problem=problem))
            continue
        try:
            audited = audit_checkout(path, label.profile)
        except Exception as exc:  # one broken audit must not hide the others
            problem = f"the audit raised {type(exc).__name__}: {exc}"
            results.append(RepoResult(label.repo, label.commit, label.kind, label.profile, problem=problem))
            continue
        result = compare(label, audited, fact_names)
        result.expected_maturity, result.expected_blockers = expected_maturity(label, checks, audited)
        results.append(result)
    return results, warnings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--checkouts", type=Path, required=True, help="directory of <owner>__<name> checkouts"
    )
    parser.add_argument(
        "--labels", type=Path, default=DEFAULT_LABELS, help="label directory (default: %(default)s)"
    )
    parser.add_argument("--only", action="append", default=[], help="owner__name (repeatable)")
    parser.add_argument(
        "--mirrors", type=Path, help="bare mirrors (<owner>+<name>/...) to create missing checkouts"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    try:
        labels = load_labels(args.labels, [s for v in args.only for s in v.split(",") if s])
    except LabelError as exc:
        print(f"malformed labels: {exc}", file=sys.stderr)
        return 2
    results, warnings = evaluate(labels, args.checkouts, args.mirrors)
    sys.stdout.write(render(results, warnings))
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
