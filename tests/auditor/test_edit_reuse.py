"""Reuse after an edit (the audit cache's early cut-off): when the edited files answer every question the last
run asked of them alike, the last run's whole-tree results are reused; whatever the edit, a cached audit reports
exactly what an uncached one does."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from mlops_audit import cache as cache_mod
from mlops_audit.engine import audit
from mlops_audit.formats import render

TRAIN = (
    "import mlflow\nimport numpy as np\nimport pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\n"
    "from churn import features\nfrom churn.checks import validate\n\n"
    "PARAMS = {'random_state': 42}\n\n\n"
    "def main():\n    df = pd.read_csv('data/raw.csv')\n    validate(df)\n"
    "    mask = np.random.rand(len(df)) < 0.8\n"
    "    with mlflow.start_run():\n        mlflow.log_params(PARAMS)\n"
    "        model = RandomForestClassifier(**PARAMS).fit(features.build(df[mask]), df.y[mask])\n"
    "        mlflow.log_metric('acc', model.score(features.build(df[~mask]), df.y[~mask]))\n"
    "        mlflow.sklearn.log_model(model, 'model')\n\n\n"
    "if __name__ == '__main__':\n    main()\n"
)
FILES: dict[str, str | bytes | None] = {
    "README.md": "# Churn\n\nPredicts churn; trained with scikit-learn, tracked with MLflow.\n",
    "pyproject.toml": '[project]\nname = "churn"\ndependencies = ["scikit-learn>=1.4", "mlflow>=2", "pandas"]\n',
    "src/churn/__init__.py": "",
    "src/churn/train.py": TRAIN,
    "src/churn/features.py": "import pandas as pd\n\n\ndef build(df):\n    return df.drop(columns=['y'])\n",
    "src/churn/checks.py": (
        "import great_expectations as gx\n\n\ndef validate(df):\n"
        "    suite = gx.ExpectationSuite('churn')\n    return suite\n"
    ),
    "src/churn/util.py": "def add(a, b):\n    return a + b\n",
    "src/churn/broken.py": "import mlflow\n\ndef oops(:\n    mlflow.log_metric(1)\n",
    "tests/test_util.py": "from churn.util import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "conf/config.yaml": "n: 100\nseed: 0\n",
    "data/raw.csv": "a,y\n1,0\n2,1\n",
    ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
}


def _append(path: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        with open(root / path, "a", encoding="utf-8") as fh:
            fh.write(text)

    edit.path = path  # type: ignore[attr-defined]
    return edit


def _path(edit: Callable[[Path], None]) -> str:
    return edit.path  # type: ignore[attr-defined]


def _replace(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        target = root / path
        text = target.read_text(encoding="utf-8")
        assert old in text
        target.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit.path = path  # type: ignore[attr-defined]
    return edit


def _write(path: str, data: bytes) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)

    edit.path = path  # type: ignore[attr-defined]
    return edit


#: (what, edit, whether the last run's results are reused: True, False, or None for "either")
EDITS: list[tuple[str, Callable[[Path], None], bool | None]] = [
    ("comment appended to a utility", _append("src/churn/util.py", "# a note\n"), True),
    (
        "comment appended to the training script",
        _append("src/churn/train.py", "# tuned on 2026-12-01\n"),
        True,
    ),
    (
        "body of a function rewritten alike",
        _replace("src/churn/util.py", "return a + b", "return b + a"),
        True,
    ),
    ("line numbers shift", _replace("src/churn/train.py", "import mlflow\n", "\nimport mlflow\n"), False),
    ("the seed removed", _replace("src/churn/train.py", "{'random_state': 42}", "{}"), False),
    ("a tracker imported", _replace("src/churn/util.py", "def add", "import mlflow\n\n\ndef add"), False),
    ("the validation module no longer validates", _replace("src/churn/checks.py", "gx.", "ge."), False),
    ("configuration edited (read as a whole)", _append("conf/config.yaml", "lr: 0.1\n"), False),
    ("a data row added", _append("data/raw.csv", "3,0\n"), None),
    ("a data file grows past the size limit", _write("data/raw.csv", b"a,y\n" + b"1,0\n" * 400_000), False),
    ("a file added", _write("src/churn/extra.py", b"X = 1\n"), False),
    ("a test edited alike", _append("tests/test_util.py", "\n"), True),
    # its note ("not parsed: ...") comes with whichever of its facts was made first: notes compare as a whole
    ("comment appended to a module that does not parse", _append("src/churn/broken.py", "# todo\n"), True),
]


def _report(root: Path, **kwargs) -> dict:
    data = json.loads(render("json", [audit(root, **kwargs)]))
    data.pop("duration_seconds", None)
    return data


def _age(root: Path) -> None:
    past = time.time() - 60
    for path in root.rglob("*"):
        if ".git" not in path.relative_to(root).parts and path.is_file():
            os.utime(path, (past, past))


def _audited_once(make_repo, monkeypatch, tmp_path: Path) -> tuple[Path, Path]:
    """A repository of :data:`FILES`, aged, audited once with a fresh cache; and that cache's directory."""
    cache = tmp_path / "audit-cache"
    monkeypatch.setenv(cache_mod.ENV_VAR, str(cache))
    root = make_repo(FILES)
    _age(root)
    _report(root)
    return root, cache


@pytest.fixture
def decisions(monkeypatch) -> list[bool]:
    """Each answer of the cache to "do the edits change nothing?" (asked when some file changed)."""
    seen: list[bool] = []
    original = cache_mod.AuditCache._edits_change_nothing

    def spy(self) -> bool:
        answer = original(self)
        seen.append(answer)
        return answer

    monkeypatch.setattr(cache_mod.AuditCache, "_edits_change_nothing", spy)
    return seen


@pytest.mark.parametrize(
    ("as_git", "journal"),
    [(True, cache_mod.DELTA_RECORDS), (False, cache_mod.DELTA_RECORDS), (True, 0)],
    ids=["git", "plain", "git-records-written-whole"],
)
def test_cached_audit_after_each_edit_reports_what_an_uncached_one_does(
    make_repo, monkeypatch, tmp_path, decisions, reads, as_git, journal
):
    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path / "audit-cache"))
    # 0: the journal is past its limit (an eighth of the records) at once: the records file is written whole
    monkeypatch.setattr(cache_mod, "DELTA_RECORDS", journal)
    root = make_repo(FILES, git=as_git)
    _age(root)
    _report(root)
    for what, edit, reused in EDITS:
        edit(root)
        # just written ("racy": its key is not trusted, nothing is kept), then older (kept under its new key)
        for aged in (False, True):
            if aged:
                past = time.time() - 60
                os.utime(root / _path(edit), (past, past))
            expected = _report(root, use_cache=False)
            decisions.clear()
            reads.clear()
            assert _report(root) == expected, what
            if reused is not None:
                assert decisions == [reused], (what, aged)
            if decisions == [True]:  # only the edited file was read again
                assert set(reads) <= {_path(edit)}, (what, sorted(set(reads)))
        reads.clear()
        assert _report(root) == expected, what  # and the run after it
        assert reads == [] or not aged


def test_an_unchanged_tree_never_asks(make_repo, monkeypatch, tmp_path, decisions):
    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path / "audit-cache"))
    root = make_repo(FILES)
    _age(root)
    _report(root)
    _report(root)
    assert decisions == []  # the whole-tree digest answers first


def test_a_damaged_seen_file_means_no_reuse(make_repo, monkeypatch, tmp_path, decisions):
    root, cache = _audited_once(make_repo, monkeypatch, tmp_path)
    (seen,) = cache.glob("*.seen")
    seen.write_bytes(seen.read_bytes()[:-10])
    _append("src/churn/util.py", "# a note\n")(root)
    _age(root)
    assert _report(root) == _report(root, use_cache=False)
    assert decisions == [False]
    assert list(cache.glob("*.seen"))  # rewritten with the recomputed results
    _append("src/churn/util.py", "# another\n")(root)
    _age(root)
    _report(root)
    assert decisions == [False, True]


def test_more_edits_than_the_limit_mean_no_reuse(make_repo, monkeypatch, tmp_path, decisions):
    monkeypatch.setenv(cache_mod.ENV_VAR, str(tmp_path / "audit-cache"))
    monkeypatch.setattr(cache_mod, "MAX_EDITED", 1)
    root = make_repo(FILES)
    _age(root)
    _report(root)
    _append("src/churn/util.py", "# a note\n")(root)
    _append("src/churn/features.py", "# a note\n")(root)
    _age(root)
    assert _report(root) == _report(root, use_cache=False)
    assert decisions == [False]


def test_an_edit_writes_its_records_to_the_journal_only(make_repo, monkeypatch, tmp_path, decisions, reads):
    root, cache = _audited_once(make_repo, monkeypatch, tmp_path)
    (records,) = cache.glob("*.cache")
    before = records.read_bytes()
    assert not list(cache.glob("*.delta"))
    for n in range(3):
        _append("src/churn/util.py", f"# note {n}\n")(root)
        _age(root)
        reads.clear()
        assert _report(root) == _report(root, use_cache=False)
        assert records.read_bytes() == before  # the records file is not written again
        assert len(list(cache.glob("*.delta"))) == 1
    assert decisions == [True, True, True]  # (an uncached audit never asks)
    decisions.clear()
    reads.clear()
    _append("src/churn/util.py", "# last\n")(root)
    _age(root)
    _report(root)
    assert decisions == [True]
    assert set(reads) == {"src/churn/util.py"}  # the journal's record of the last edit was read back


def test_a_damaged_journal_means_no_reuse(make_repo, monkeypatch, tmp_path, decisions):
    root, cache = _audited_once(make_repo, monkeypatch, tmp_path)
    _append("src/churn/util.py", "# a note\n")(root)
    _age(root)
    _report(root)
    (journal,) = cache.glob("*.delta")
    journal.write_bytes(journal.read_bytes()[:-10])
    decisions.clear()
    _append("src/churn/features.py", "# a note\n")(root)
    past = time.time() - 60
    os.utime(root / "src/churn/features.py", (past, past))  # only it: the others keep their keys
    # the seen file relies on the journal's records (without them, the records of a file asked more questions
    # since the records file was written would be older than what the last run asked): no reuse, even for an
    # edit of another file
    assert _report(root) == _report(root, use_cache=False)
    assert decisions == [False]


def test_the_records_file_is_written_whole_when_the_journal_outgrows_it(make_repo, monkeypatch, tmp_path):
    monkeypatch.setattr(cache_mod, "DELTA_RECORDS", 1)
    root, cache = _audited_once(make_repo, monkeypatch, tmp_path)
    (records,) = cache.glob("*.cache")
    before = records.read_bytes()
    _append("src/churn/util.py", "# a note\n")(root)
    _age(root)
    _report(root)
    assert records.read_bytes() == before and list(cache.glob("*.delta"))  # one record: the journal
    _append("src/churn/features.py", "# a note\n")(root)
    _age(root)
    assert _report(root) == _report(root, use_cache=False)
    assert records.read_bytes() != before  # two records: past the journal's limit
    assert not list(cache.glob("*.delta"))
