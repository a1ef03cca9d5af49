"""The verdict corpus's evaluation script (benchmarks/verdicts/evaluate.py) on a synthetic label file and a tiny
fixture repository built here: no real corpus, no network."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "verdicts" / "evaluate.py"


@pytest.fixture(scope="module")
def ev():
    spec = importlib.util.spec_from_file_location("verdict_evaluate", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def _git(*args: str, cwd: Path) -> str:
    env_args = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    done = subprocess.run(["git", *env_args, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _fixture_repo(root: Path) -> str:
    """A git repository with a README, unpinned requirements and a training script; no CI, license or tests."""
    root.mkdir(parents=True)
    (root / "README.md").write_text("# Demo\n\nA tiny project that trains a model on iris data.\n")
    (root / "requirements.txt").write_text("numpy>=1.20\nscikit-learn\n")
    (root / "train.py").write_text(
        "import numpy as np\nfrom sklearn.linear_model import LogisticRegression\n\n\n"
        "def train(x, y):\n    return LogisticRegression().fit(np.asarray(x), y)\n"
    )
    _git("init", "-q", cwd=root)
    _git("add", "-A", cwd=root)
    _git("commit", "-qm", "init", cwd=root)
    return _git("rev-parse", "HEAD", cwd=root)


LABEL = """\
repo = "acme/demo"
commit = "{commit}"
kind = "tutorial"
profile = "pipeline"
summary = "a synthetic fixture"

[facts]
readme = true
license = false
has_ci = true            # wrong on purpose: the fixture has no CI
has_tests = "unknown"

[checks]
REP001 = {{ status = "pass" }}
REP002 = {{ status = "fail", why = "requirements.txt is unpinned" }}
DOC002 = {{ status = "fail", why = "no LICENSE" }}
CI001 = {{ status = "pass", why = "wrong on purpose: a false positive of the auditor" }}
VER001 = {{ status = "fail", why = "wrong on purpose: a missed failure" }}
REP003 = {{ status = "not_applicable", why = "wrong on purpose: no fail involved" }}
REP009 = "not_applicable"
SEC002 = {{ status = "unknown", why = "cannot decide" }}
"""


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path, str]:
    checkouts, labels = tmp_path / "checkouts", tmp_path / "labels"
    commit = _fixture_repo(checkouts / "acme__demo")
    labels.mkdir()
    (labels / "acme__demo.toml").write_text(LABEL.format(commit=commit))
    return checkouts, labels, commit


def test_counts_on_a_synthetic_label(ev, corpus) -> None:
    checkouts, labels, _ = corpus
    results, warnings = ev.evaluate(ev.load_labels(labels), checkouts)
    assert warnings == []
    (result,) = results
    assert result.problem == ""
    table = ev.per_check(results)
    total = ev.totals(table)
    assert (total.tp, total.fp, total.fn, total.tn) == (2, 1, 1, 3)
    assert total.precision == pytest.approx(2 / 3)
    assert total.recall == pytest.approx(2 / 3)
    assert (table["REP002"].tp, table["DOC002"].tp, table["CI001"].fp, table["VER001"].fn) == (1, 1, 1, 1)
    assert table["REP003"].tn == 1 and table["REP003"].agree == 0
    assert table["SEC002"].compared == 0 and table["SEC002"].unlabelled == 1
    assert sorted(d.check for d in result.disagreements) == ["CI001", "REP003", "VER001"]
    assert "SEC002" in result.unlabelled and "REP005" in result.unlabelled
    assert ev.facts_accuracy(results) == (2, 3)
    assert result.facts_wrong == [("has_ci", True, False)]
    assert result.maturity == 0 and "REP002" in result.blockers
    assert result.expected_maturity == 0 and "REP002" in result.expected_blockers

    text = ev.render(results, warnings)
    assert "failing verdicts right (precision): 66.7% (2/3)" in text
    assert "labelled failures found (recall):   66.7% (2/3)" in text
    assert "Facts accuracy: 66.7% (2/3)" in text
    assert "acme/demo CI001: expected pass, got fail" in text
    assert "wrong on purpose: a missed failure" in text


def test_status_outside_the_label_vocabulary(ev) -> None:
    label = ev.parse_label(
        Path("x__y.toml"),
        'repo = "x/y"\ncommit = "' + "a" * 40 + '"\nkind = "library"\nprofile = "research"\nsummary = "s"\n'
        '[checks]\nREP001 = { status = "fail", why = "w" }\nREP002 = "pass"\n',
    )
    audited = ev.Audited(
        {"REP001": ev.Verdict("unknown", "cannot decide"), "REP002": ev.Verdict("ignored", "suppressed")}, {}
    )
    result = ev.compare(label, audited)
    counts = ev.totals(ev.per_check([result]))
    assert (counts.tp, counts.fp, counts.fn, counts.tn) == (0, 0, 1, 1)
    assert [(d.check, d.got) for d in result.disagreements] == [("REP001", "unknown"), ("REP002", "ignored")]


def test_checkout_at_another_commit_is_skipped(ev, corpus) -> None:
    checkouts, labels, commit = corpus
    label_file = labels / "acme__demo.toml"
    label_file.write_text(label_file.read_text().replace(commit, "0" * 40))
    results, _ = ev.evaluate(ev.load_labels(labels), checkouts)
    assert "the label pins " + "0" * 40 in results[0].problem
    assert ev.main(["--checkouts", str(checkouts), "--labels", str(labels)]) == 0


def test_checkout_made_from_a_bare_mirror(ev, corpus, tmp_path: Path) -> None:
    checkouts, labels, commit = corpus
    mirrors = tmp_path / "mirrors"
    (mirrors / "acme+demo").mkdir(parents=True)
    _git(
        "clone",
        "-q",
        "--bare",
        str(checkouts / "acme__demo"),
        str(mirrors / "acme+demo" / "repo"),
        cwd=tmp_path,
    )
    fresh = tmp_path / "fresh"
    out = tmp_path / "out.json"
    argv = ["--checkouts", str(fresh), "--labels", str(labels), "--mirrors", str(mirrors), "--json", str(out)]
    assert ev.main(argv) == 0
    assert _git("rev-parse", "HEAD", cwd=fresh / "acme__demo") == commit
    assert '"fp": 1' in out.read_text()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('REP001 = { status = "failed" }', "status 'failed' is not one of"),
        ('REP001 = { status = "fail", reason = "x" }', "unknown key(s) reason"),
        ('rep1 = "pass"', "is not a check ID"),
    ],
)
def test_malformed_labels_exit_2(ev, corpus, capsys, line: str, problem: str) -> None:
    checkouts, labels, _ = corpus
    (labels / "bad__one.toml").write_text(
        'repo = "bad/one"\ncommit = "'
        + "b" * 40
        + '"\nkind = "library"\nprofile = "research"\nsummary = "s"\n'
        "[checks]\n" + line + "\n"
    )
    assert ev.main(["--checkouts", str(checkouts), "--labels", str(labels)]) == 2
    assert problem in capsys.readouterr().err


def test_fact_values_and_file_name_are_validated(ev) -> None:
    head = (
        'repo = "o/n"\ncommit = "' + "c" * 40 + '"\nkind = "library"\nprofile = "research"\nsummary = "s"\n'
    )
    with pytest.raises(ev.LabelError, match="must be true, false or"):
        ev.parse_label(Path("o__n.toml"), head + "[facts]\nhas_ci = 1\n")
    with pytest.raises(ev.LabelError, match=r"file name must be o__n\.toml"):
        ev.parse_label(Path("other.toml"), head)
    with pytest.raises(ev.LabelError, match="kind 'app' is not one of"):
        ev.parse_label(Path("o__n.toml"), head.replace('"library"', '"app"'))
