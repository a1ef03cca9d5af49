"""Every output format: golden files on a fixed report, plus what each format's consumers require.

Regenerate the golden files after an intended change with ``UPDATE_GOLDEN=1 uv run pytest tests/auditor/formats``
and review the diff.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mlops_audit.facts import FACT_NAMES
from mlops_audit.formats import FORMATS, render
from mlops_audit.formats._common import root_prefix
from mlops_audit.formats.text import render as render_text
from mlops_audit.model import Status
from mlops_audit.report import Report
from mlops_audit.schema import load_report_schema

from tests.helpers.formats import (
    FIXTURE_FILES,
    NON_UTF8_SHOWN,
    audit_fixture,
    check_golden,
    fixture_report,
    normalise,
)


def failed_count(report: Report) -> int:
    return sum(1 for _, o in report.all_outcomes() if o.status is Status.FAIL)


def strings(data: Any) -> list[str]:
    """Every string (keys and values) in a JSON document."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in (k, *strings(v))]
    if isinstance(data, list):
        return [s for item in data for s in strings(item)]
    return []


# ------------------------------------------------------------------------------------------------ golden
def test_every_registered_format_has_a_golden_file() -> None:
    golden = {p.name for p in (Path(__file__).parent / "golden").iterdir()}
    for name, spec in FORMATS.items():
        assert f"report.{name}.{spec.extension}" in golden, name


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden(fmt: str, report: Report) -> None:
    check_golden(f"report.{fmt}.{FORMATS[fmt].extension}", normalise(render(fmt, [report])))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_rendering_is_deterministic(fmt: str) -> None:
    assert render(fmt, [fixture_report()]) == render(fmt, [fixture_report()])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_several_reports_render(fmt: str, report: Report) -> None:
    other = fixture_report(baseline=True)
    other.root = "services"
    out = render(fmt, [report, other])
    assert out.strip()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_non_utf8_path_is_git_quoted(fmt: str) -> None:
    if fmt == "text":  # evidence is shown with --verbose
        out = render_text([fixture_report(non_utf8=True)], verbose=True)
    else:
        out = render(fmt, [fixture_report(non_utf8=True)])
    out.encode("utf-8")  # no lone surrogate anywhere
    if fmt == "badge":
        json.loads(out)  # a badge names no path; it must still render
        return
    if fmt in ("json", "sarif", "codeclimate"):
        shown = strings(json.loads(out))
    elif fmt == "junit":
        root = ET.fromstring(out)
        shown = [t for el in root.iter() for t in (el.text or "", *el.attrib.values())]
    elif fmt == "html":
        shown = [html.unescape(out)]
    else:
        shown = [out]
    assert any(NON_UTF8_SHOWN in s for s in shown), f"{fmt} does not show {NON_UTF8_SHOWN}"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_empty_report_renders(fmt: str, tmp_path: Path) -> None:
    empty = audit_fixture_empty(tmp_path)
    assert render(fmt, [empty]).strip()


def audit_fixture_empty(tmp_path: Path) -> Report:
    (tmp_path / "empty").mkdir()
    return audit_fixture(tmp_path / "empty")


# -------------------------------------------------------------------------------------------------- JSON
def test_json_schema_is_package_data_and_valid() -> None:
    from importlib.resources import files

    assert files("mlops_audit.schema").joinpath("report.schema.json").is_file()
    schema = load_report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_json_schema_facts_are_exactly_the_stable_names() -> None:
    facts = load_report_schema()["$defs"]["facts"]
    assert tuple(facts["required"]) == FACT_NAMES
    assert set(facts["properties"]) == set(FACT_NAMES)
    assert facts["additionalProperties"] is False


def _validate(data: Any) -> None:
    validator = jsonschema.Draft202012Validator(load_report_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_json_of_fixture_report_matches_schema(report: Report) -> None:
    _validate(json.loads(render("json", [report])))
    _validate(json.loads(render("json", [fixture_report(non_utf8=True, baseline=True)])))


def test_json_of_real_audit_matches_schema(audited_report: Report) -> None:
    data = json.loads(render("json", [audited_report]))
    _validate(data)
    assert list(data["facts"]) == list(FACT_NAMES)


def test_json_of_several_reports_matches_schema(report: Report, audited_report: Report) -> None:
    data = json.loads(render("json", [report, audited_report]))
    _validate(data)
    assert len(data["reports"]) == 2


def test_json_schema_rejects_drift(report: Report) -> None:
    data = json.loads(render("json", [report]))
    del data["facts"]["readme"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, load_report_schema())
    data = json.loads(render("json", [report]))
    data["results"][0]["status"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, load_report_schema())


def test_json_schema_documentation_covers_every_key() -> None:
    doc = (Path(__file__).parents[3] / "docs" / "json-schema.md").read_text(encoding="utf-8")
    schema = load_report_schema()
    for key in schema["$defs"]["report"]["required"]:
        assert f"`{key}`" in doc, key
    for name in FACT_NAMES:
        assert f"`{name}`" in doc, name
    for key in schema["$defs"]["result"]["properties"]:
        assert f"`{key}`" in doc, key
    assert "additive" in doc and "major" in doc.lower()


# ------------------------------------------------------------------------------------------------- SARIF
def _sarif(reports: list[Report]) -> dict[str, Any]:
    return json.loads(render("sarif", reports))


def test_sarif_has_what_github_requires(report: Report) -> None:
    log = _sarif([report])
    assert log["version"] == "2.1.0"
    assert "sarif" in log["$schema"] and "2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (
        driver["name"] == "mlops-audit"
        and driver["version"]
        and driver["informationUri"].startswith("https://")
    )
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)) == len(report.checks())
    for rule in rules:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"].strip() and rule["help"]["markdown"].strip()
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert "helpUri" not in rule  # test-only checks have no home page
        assert {"tags", "principle", "precision"} <= set(rule["properties"])
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    assert len(run["results"]) == failed_count(report) == 5
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"].strip()
        assert result["partialFingerprints"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert uri and not uri.startswith("/") and ":" not in uri, uri
        assert physical["region"]["startLine"] >= 1
        assert "baselineState" not in result


def test_sarif_help_comes_from_the_docstring(report: Report) -> None:
    rule = next(r for r in _sarif([report])["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "DOC901")
    assert "Why it matters" in rule["help"]["text"]
    assert "```\n# churn-model\nuv run poe pipeline\n```" in rule["help"]["markdown"]
    assert "`README.md`" in rule["help"]["markdown"] and "``" not in rule["help"]["markdown"].replace(
        "```", ""
    )
    assert "mlops-audit fix" not in rule["help"]["text"]  # a rule is generic; only a result knows its plan


def test_fix_commands_follow_the_repository_fix_plan(report: Report) -> None:
    """A format prints `mlops-audit fix --select ID` only where the repository's plan adds something."""
    results = _sarif([report])["runs"][0]["results"]
    by_key = {(r["ruleId"], r["properties"]["project"]): r["message"]["text"] for r in results}
    assert "mlops-audit fix --select DOC901" in by_key[("DOC901", ".")]  # planned for the repository
    assert "mlops-audit fix" not in by_key[("DOC901", "services/api")]  # no plan for the sub-project
    report.project.fix_plan = None  # not computed: no claim at all
    for fmt in ("markdown", "html", "junit", "codeclimate", "sarif"):
        assert "mlops-audit fix --select" not in render(fmt, [report]), fmt


def test_sarif_locations_sub_projects_and_related(report: Report) -> None:
    results = _sarif([report])["runs"][0]["results"]
    by_key = {(r["ruleId"], r["properties"]["project"]): r for r in results}
    assert ("SEC901", ".") not in by_key  # ignored: no result
    seeds = by_key[("REP901", ".")]
    assert seeds["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/train.py"
    assert seeds["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    related = seeds["relatedLocations"]
    assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in related] == ["src/evaluate.py"]
    assert related[0]["physicalLocation"]["region"]["startLine"] == 1  # no line: line 1
    sub = by_key[("TST901", "services/api")]
    assert sub["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/api/app.py"
    assert sub["message"]["text"].startswith("[services/api]")
    # a failure without evidence still points at a file
    tracking = by_key[("EXP901", ".")]
    assert tracking["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "README.md"


def test_sarif_uris_are_percent_encoded() -> None:
    log = _sarif([fixture_report(non_utf8=True)])
    seeds = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "REP901")
    uris = [r["physicalLocation"]["artifactLocation"]["uri"] for r in seeds["relatedLocations"]]
    assert "src/caf%E9.py" in uris
    from mlops_audit.formats._common import uri

    assert uri("data sets/ä #1?.csv") == "data%20sets/%C3%A4%20%231%3F.csv"
    assert uri("a:b.py") == "a%3Ab.py"  # never read as a URI scheme


def test_sarif_fingerprints_are_stable_and_unique(make_repo) -> None:
    first = make_repo(FIXTURE_FILES, name="one")
    second = make_repo({**FIXTURE_FILES, "README.md": "# churn\nshort now\n"}, name="two")
    prints = []
    for root in (first, second):
        results = _sarif([audit_fixture(root)])["runs"][0]["results"]
        prints.append({r["ruleId"]: r["partialFingerprints"]["mlopsAudit/v1"] for r in results})
        assert len(set(prints[-1].values())) == len(results)
    shared = set(prints[0]) & set(prints[1])
    assert shared and all(prints[0][k] == prints[1][k] for k in shared)


def test_sarif_baseline_state() -> None:
    results = _sarif([fixture_report(baseline=True)])["runs"][0]["results"]
    states = {(r["ruleId"], r["properties"]["project"]): r["baselineState"] for r in results}
    assert states[("DOC901", ".")] == "unchanged"
    assert states[("REP901", ".")] == "new"
    assert set(states.values()) == {"new", "unchanged"}


def test_sarif_several_reports_have_distinct_categories(report: Report) -> None:
    other = fixture_report()
    other.root = "services"
    runs = _sarif([report, other])["runs"]
    assert len(runs) == 2
    categories = [run["automationDetails"]["id"] for run in runs]
    assert len(set(categories)) == 2
    # a relative audited root is a prefix of the paths (SARIF is read against the checkout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in runs[1]["results"]}
    assert all(u.startswith("services/") for u in uris)


def test_sarif_absolute_root_is_the_base(audited_report: Report) -> None:
    run = _sarif([audited_report])["runs"][0]
    for rule in run["tool"]["driver"]["rules"]:  # built-in checks link to their documented source
        assert rule["helpUri"].endswith("/auditor/mlops_audit/checks/documentation.py")
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/churn-model/")
    assert "automationDetails" not in run


def test_sarif_tools_reads_the_same_results(report: Report, audited_report: Report, tmp_path: Path) -> None:
    from sarif.loader import SarifFileSet, load_sarif_file

    for index, subject in enumerate((report, audited_report)):
        path = tmp_path / f"audit{index}.sarif"
        path.write_text(render("sarif", [subject]), encoding="utf-8")
        loaded = load_sarif_file(str(path))
        assert loaded.get_result_count() == failed_count(subject)
        assert loaded.get_distinct_tool_names() == ["mlops-audit"]
        records = loaded.get_records()
        assert len(records) == failed_count(subject)
        assert all(r["Line"] >= 1 and r["Location"] for r in records)
    file_set = SarifFileSet()
    file_set.add_file(load_sarif_file(str(tmp_path / "audit0.sarif")))
    assert file_set.get_result_count() == failed_count(report)
    # and its command line, as CI would call it
    cli = Path(sys.executable).with_name("sarif")
    proc = subprocess.run(
        [str(cli), "summary", str(tmp_path / "audit0.sarif")], capture_output=True, text=True, check=True
    )
    counts = [int(n) for n in re.findall(r"^(?:error|warning|note): (\d+)$", proc.stdout, re.MULTILINE)]
    assert sum(counts) == failed_count(report), proc.stdout


# ---------------------------------------------------------------------------------------------- Markdown
def test_markdown_tables_and_escaping(report: Report) -> None:
    out = render("markdown", [report])
    assert out.startswith("## ") and "/100" in out and "Level 0" in out
    assert "<script>" not in out and "\\<script\\>" in out
    assert "\\|" in out  # the | in the message is escaped
    for block in re.findall(r"(?:^\|.*\|$\n?)+", out, re.MULTILINE):
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in block.strip().splitlines()}
        assert len(widths) == 1, block
    assert out.count("<details>") == out.count("</details>") >= 3
    assert "**Gate: ❌ failed**" in out
    assert "Sub-projects (1)" in out and "`services/api`" in out
    assert "**Fix:** add README.md with a Quick start section" in out


def test_markdown_escapes_only_what_must_be() -> None:
    from mlops_audit.formats.markdown import code, esc

    assert esc("a | b") == "a \\| b"
    assert esc("1. not a list") == "1\\. not a list"
    assert esc("version 0.1.0") == "version 0.1.0"
    assert esc("- item") == "\\- item"
    assert esc("cost $5 *x* _y_") == "cost \\$5 \\*x\\* \\_y\\_"
    assert code("a`b|c") == "``a`b\\|c``"


# -------------------------------------------------------------------------------------------------- HTML
class _Collector(HTMLParser):
    VOID = frozenset({"meta", "br", "input", "link", "img", "hr", "rect", "line"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()


def _parse_html(out: str) -> _Collector:
    parser = _Collector()
    parser.feed(out)
    parser.close()
    assert not parser.errors, parser.errors[:5]
    assert parser.stack == [], parser.stack
    return parser


def test_html_is_self_contained_and_escaped(report: Report) -> None:
    out = render("html", [report])
    parsed = _parse_html(out)
    assert out.startswith("<!DOCTYPE html>")
    assert "<script>alert(1)</script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    for tag, attrs in parsed.elements:
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
        assert "src" not in attrs, (tag, attrs)
    assert "@import" not in out and "url(" not in out
    assert not re.search(
        r"""(?:src|href)=["']?(?:https?:)?//""",
        out.replace('href="https://github.com/mlops-audit/mlops-audit"', ""),
    )


def test_html_hooks(report: Report) -> None:
    parsed = _parse_html(render("html", [report]))
    by_id = {attrs.get("id"): (tag, attrs) for tag, attrs in parsed.elements if attrs.get("id")}
    assert by_id["overall-score"][1]["data-score"] == str(report.project.overall)
    assert by_id["maturity"][1]["data-level"] == str(report.project.maturity.level)
    assert by_id["gate"][1]["data-passed"] == "false"
    assert by_id["principle-chart"][0] == "svg"
    bars = [a for t, a in parsed.elements if t == "rect" and "bar" in (a.get("class") or "").split()]
    assert sorted(a["data-principle"] for a in bars) == sorted(p.value for p in report.project.principles)
    rows = [a for t, a in parsed.elements if t == "tr" and "result" in (a.get("class") or "").split()]
    assert len(rows) == len(report.all_outcomes())
    assert {a["data-status"] for a in rows} == {"fail", "pass", "na", "ignored", "unknown"}
    assert "facts" in by_id
    filters = [a for t, a in parsed.elements if t == "div" and a.get("class") == "filters"]
    assert filters and "hidden" in filters[0]  # without JS the whole table shows, no dead controls


def test_html_several_reports_have_unique_ids(report: Report) -> None:
    parsed = _parse_html(render("html", [report, fixture_report()]))
    ids = [a["id"] for _, a in parsed.elements if a.get("id")]
    assert len(ids) == len(set(ids))
    assert "overall-score-2" in ids and "principle-chart-2" in ids


# ------------------------------------------------------------------------------------------------- JUnit
def test_junit_one_case_per_check(report: Report) -> None:
    root = ET.fromstring(render("junit", [report]))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1 + len(report.subprojects)
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(report.all_outcomes())
    assert int(root.get("tests")) == len(cases)
    assert int(root.get("failures")) == len(root.findall(".//failure")) == failed_count(report)
    skipped = root.findall(".//skipped")
    assert (
        len(skipped)
        == int(root.get("skipped"))
        == sum(
            1
            for _, o in report.all_outcomes()
            if o.status in (Status.NOT_APPLICABLE, Status.IGNORED, Status.UNKNOWN)
        )
    )
    assert all(s.get("message") for s in skipped)
    for case, (_, outcome) in zip(cases, report.all_outcomes(), strict=True):
        assert case.get("classname") == outcome.check.principle.value
        assert case.get("name") == f"{outcome.check.id} {outcome.check.title}"
    failure = root.find(".//testcase[@name='REP901 Seeds are set']/failure")
    assert failure is not None and failure.get("message") == "torch, numpy seeds never set"
    assert "src/train.py:12" in failure.text and "src/evaluate.py" in failure.text


def test_junit_strips_characters_xml_forbids() -> None:
    report = fixture_report()
    outcome = report.project.outcomes[1]
    object.__setattr__(outcome.result, "message", "bell \x07 and nul \x00")
    ET.fromstring(render("junit", [report]))


# ------------------------------------------------------------------------------------------------- badge
def test_badge_endpoint_schema(report: Report) -> None:
    data = json.loads(render("badge", [report]))
    assert set(data) == {"schemaVersion", "label", "message", "color"}
    assert data["schemaVersion"] == 1 and data["label"] == "mlops-audit"
    assert re.fullmatch(r"(\d{1,3}/100|n/a) · level [012]", data["message"])
    assert data["message"] == f"{report.score}/100 · level {report.project.maturity.level}"


def test_badge_colours_and_worst_of_several(audited_report: Report, report: Report) -> None:
    from mlops_audit.formats.badge import color

    assert [color(s) for s in (100, 90, 85, 75, 65, 45, 10, None)] == [
        "brightgreen",
        "brightgreen",
        "green",
        "yellowgreen",
        "yellow",
        "orange",
        "red",
        "lightgrey",
    ]
    worst = min(report, audited_report, key=lambda r: r.score)
    data = json.loads(render("badge", [audited_report, report]))
    assert data["message"].startswith(f"{worst.score}/100")


# ------------------------------------------------------------------------------------------- codeclimate
def test_codeclimate_issues(report: Report) -> None:
    issues = json.loads(render("codeclimate", [report]))
    assert isinstance(issues, list) and len(issues) == failed_count(report)
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location", "categories"} <= set(
            issue
        )
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] and issue["location"]["lines"]["begin"] >= 1
        assert issue["categories"] and all(isinstance(c, str) for c in issue["categories"])
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    paths = {(i["check_name"], i["location"]["path"]) for i in issues}
    assert ("TST901", "services/api/app.py") in paths
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert severities["DOC901"] == "critical" and severities["REP901"] == "major"


def test_codeclimate_fingerprints_stable_and_unique_across_reports(report: Report) -> None:
    again = json.loads(render("codeclimate", [fixture_report()]))
    assert [i["fingerprint"] for i in again] == [
        i["fingerprint"] for i in json.loads(render("codeclimate", [report]))
    ]
    twice = json.loads(render("codeclimate", [report, fixture_report()]))
    assert len({i["fingerprint"] for i in twice}) == len(twice)


# --------------------------------------------------------------------------------------------- shared
def test_root_prefix() -> None:
    report = fixture_report()
    for root, prefix in (
        (".", ""),
        ("", ""),
        ("./", ""),
        ("services/api", "services/api/"),
        ("./services/", "services/"),
        ("../elsewhere", ""),
        ("/abs/path", ""),
        ("C:\\work", ""),
    ):
        report.root = root
        assert root_prefix(report) == prefix, root


@pytest.mark.parametrize("fmt", ["sarif", "markdown", "html", "junit", "badge", "codeclimate"])
def test_cli_writes_the_format(fmt: str, make_repo, tmp_path: Path) -> None:
    from mlops_audit.cli import main

    root = make_repo(FIXTURE_FILES, name="cli-repo")
    out = tmp_path / "out" / f"report.{FORMATS[fmt].extension}"
    with pytest.raises(SystemExit) as exit_info:
        main([str(root), "--select", "DOC", "--no-cache", "-f", fmt, "-o", str(out)])
    assert exit_info.value.code in (0, 1)
    assert out.read_text(encoding="utf-8").strip()
