"""The command line: exit codes, formats to files, rules/explain, several paths, the fast --version."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from mlops_audit.cli import main

README = (
    "# Demo\n\n"
    + "A demo repository that predicts things from data for tests. " * 6
    + "\n\n## Usage\n\nrun it\n"
)


def run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_audit_exit_codes(make_repo, capsys):
    good = make_repo({"README.md": README, "LICENSE": "MIT"})
    bad = make_repo({"x.py": "print(1)\n"})
    assert run([str(good), "--select", "DOC001,DOC002"], capsys)[0] == 0
    assert run([str(bad), "--select", "DOC001"], capsys)[0] == 1
    # several paths: the worst exit code
    assert run([str(good), str(bad), "--select", "DOC001"], capsys)[0] == 1


def test_usage_errors_exit_2(make_repo, capsys, tmp_path):
    root = make_repo({"README.md": README})
    code, _, err = run([str(root), "--select", "NOPE1"], capsys)
    assert code == 2 and "unknown check" in err
    code, _, err = run(["explain", "NOPE1"], capsys)
    assert code == 2
    code, _, _ = run([str(tmp_path / "does-not-exist")], capsys)
    assert code == 2
    (root / ".mlops-audit.toml").write_text("bogus = 1\n")
    code, _, err = run([str(root)], capsys)
    assert code == 2 and "unknown configuration key" in err


def test_json_to_file(make_repo, capsys, tmp_path):
    root = make_repo({"README.md": README})
    out = tmp_path / "reports" / "audit.json"
    code, stdout, _ = run([str(root), "-f", "json", "-o", str(out), "--select", "DOC"], capsys)
    assert stdout == ""
    data = json.loads(out.read_text())
    assert data["schema_version"].startswith("1.")
    assert data["gate"]["passed"] is (code == 0)


def test_text_report_shows_failures_and_fixes(make_repo, capsys):
    root = make_repo({"README.md": README})
    _, out, _ = run([str(root), "--select", "DOC", "--no-cache"], capsys)
    assert "DOC002" in out and "[fix]" not in out and "score" in out and "fix:" not in out
    assert (
        out.rstrip().splitlines()[-1].startswith("Next: `mlops-audit fix --dry-run` shows what it would add")
    )
    _, verbose, _ = run([str(root), "--select", "DOC", "--no-cache", "--verbose"], capsys)
    assert "fix:" in verbose and "at README.md" in verbose  # evidence and fix hints with --verbose


def test_rules_and_explain(capsys):
    code, out, _ = run(["rules"], capsys)
    assert code == 0 and "DOC001" in out
    code, out, _ = run(["rules", "-f", "json"], capsys)
    assert any(r["id"] == "DOC002" for r in json.loads(out))
    code, out, _ = run(["explain", "doc002"], capsys)
    assert code == 0 and out.startswith("DOC002: A license is declared") and "How to fix" in out


def test_explain_prints_the_docstring_sections_as_plain_text(capsys):
    code, out, _ = run(["explain", "rep002"], capsys)
    assert code == 0
    body = out.split("\n\n", 1)[1]  # after the header and the metadata
    sections = [p.split(":", 1)[0] for p in body.split("\n\n") if p[:1].isupper()]
    assert sections[-3:] == ["Why it matters", "How to fix", "Example"]
    assert "How to fix: `uv lock`" in out  # reST ``literals`` become `literals`
    assert "Example:\n\n    uv lock && git add uv.lock" in out  # "Example::" loses a colon, the block stays
    assert "``" not in out and "::" not in out


def test_doc_text_converts_rest_outside_literal_blocks():
    from mlops_audit.rules import doc_text

    doc = (
        "Runs ``x``.\n\nExample (``a.yml``)::\n\n    key: ``kept``\n\nAfter ``y`` ::\n\n    z\n\n::\n\n    w"
    )
    assert doc_text(doc) == (
        "Runs `x`.\n\nExample (`a.yml`):\n\n    key: ``kept``\n\nAfter `y`\n\n    z\n\n    w"
    )


def test_write_baseline_then_use_it(make_repo, capsys, tmp_path):
    root = make_repo({"x.py": "print(1)\n"})
    baseline = tmp_path / "baseline.json"
    assert run([str(root), "--select", "DOC001", "--write-baseline", str(baseline)], capsys)[0] == 0
    assert run([str(root), "--select", "DOC001", "--baseline", str(baseline)], capsys)[0] == 0


def test_version_fast_path():
    proc = subprocess.run([sys.executable, "-m", "mlops_audit", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("mlops-audit ")
    # the fast path imports neither click nor rich
    probe = "import sys; from mlops_audit.cli import main\ntry:\n main(['--version'])\nexcept SystemExit: pass\nprint(sorted(m for m in ('click','rich') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.stdout.strip().endswith("[]")


def test_progress_bar_only_on_a_terminal_after_a_delay():
    import io

    from mlops_audit.progress import TerminalProgress
    from rich.console import Console

    assert TerminalProgress.for_stderr(quiet=True) is None
    assert TerminalProgress.for_stderr(quiet=False) is None  # pytest's stderr is not a terminal
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    quick = TerminalProgress(console, delay=60)
    quick("checks: REP001", 1, 76)
    quick.close()
    assert out.getvalue() == ""  # a short audit draws nothing
    slow = TerminalProgress(console, delay=0)
    slow("checks: REP003", 3, 76)
    slow.bar.refresh()
    slow.close()
    assert "checks: REP003" in out.getvalue() and "3/76" in out.getvalue()


def test_audit_reports_progress_by_phase(make_repo):
    from mlops_audit import audit

    seen = []
    audit(
        make_repo({"README.md": README}), select=["DOC"], use_cache=False, progress=lambda *a: seen.append(a)
    )
    assert seen[0] == ("listing files", 0, 0)
    assert ("checks: DOC001", 0, 4) in seen and seen[-1] == ("checks: facts", 4, 4)
