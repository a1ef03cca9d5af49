"""The contract every built-in check meets: a documented docstring and a passing and a failing test, found by ID.

**Docstring** (what ``mlops-audit explain ID`` and the docs site show), in this order::

    <summary: the first paragraph, a sentence ending with "." that says what passes>

    <optional detail paragraphs: what counts, what does not, "When it applies: ...">

    Why it matters: <text on the label's line, as many paragraphs as needed>

    How to fix: <text on the label's line; ``mlops-audit fix --select ID`` when it can>

    Example::                         (or  Example (``path/of/the/file``)::)

        <an indented literal block: real configuration or code that passes the check>

or, for a one-liner, a last paragraph ``Example: <text>``. Each label starts its paragraph at the left margin
and appears once; the example is the last part of the docstring; an inline literal (````code````) opens and
closes on one line (``explain`` and the docs site convert them line by line). An example that names its file
(``Example (``dvc.yaml``)::``) is written to that file in a fixture repository, with the few files
``EXAMPLE_CONTEXT`` adds around it, and must make its check pass. (``checks/base.py`` and CONTRIBUTING.md
describe the same convention.)

**Tests**, in ``tests/auditor/checks/test_<module>.py`` of the check's family (``FAMILIES`` in ``model.py``):
a check ID has a passing test when a test function whose name contains the lowercase ID as a word
(``test_rep002``, ``test_rep002_locked``) mentions ``Status.PASS`` in its body — directly or through a
module-level alias such as ``PASS = Status.PASS`` — or when a row of a ``pytest.mark.parametrize`` table
(a tuple, list or ``pytest.param(...)``, inline or a module-level constant) holds both the ID string and
``Status.PASS``. Likewise ``Status.FAIL`` for a failing test. One function may cover both statuses.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from mlops_audit.checks import load_checks
from mlops_audit.checks.base import Check
from mlops_audit.model import FAMILIES, FAMILY_BY_PREFIX, Status, family_prefix
from mlops_audit.repo import Repo

TESTS_DIR = Path(__file__).resolve().parent / "checks"

WHY = "Why it matters:"
HOW = "How to fix:"
EXAMPLE_BLOCK = re.compile(r"Example(?: \([^()\n]+\))?::")
EXAMPLE_INLINE = re.compile(r"Example: \S")
LABEL = re.compile(r"(Why it matters|How to fix|Example)\b")


@cache
def builtin_checks() -> dict[str, Check]:
    """The checks this repository ships (third-party plugins answer to their own authors)."""
    return {cid: c for cid, c in load_checks(plugins=False).items() if c.plugin is None}


# --- docstrings -----------------------------------------------------------------------------------------------


@dataclass
class Paragraph:
    text: str  # the paragraph's lines, joined with newlines
    literal: str | None = None  # the indented block that follows a paragraph ending with "::"


def paragraphs(doc: str) -> list[Paragraph]:
    """Split a (dedented) docstring into paragraphs; the literal block after ``...::`` stays with its paragraph."""
    lines = doc.splitlines()
    out: list[Paragraph] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start = i
        while i < len(lines) and lines[i].strip():
            i += 1
        para = Paragraph("\n".join(lines[start:i]))
        if para.text.rstrip().endswith("::"):
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i][:1] in (" ", "\t")):
                block.append(lines[i])
                i += 1
            para.literal = "\n".join(block).strip("\n")
        out.append(para)
    return out


def docstring_problems(doc: str) -> list[str]:
    """What the docstring lacks or gets wrong under the convention above (empty when it complies)."""
    paras = paragraphs(doc)
    if not paras:
        return ["no docstring"]
    problems = []
    summary = paras[0].text
    if LABEL.match(summary):
        problems.append("the first paragraph must be a summary, not a labelled section")
    elif not summary.rstrip().endswith("."):
        problems.append('the summary (first paragraph) must be a sentence ending with "."')
    found: dict[str, list[int]] = {"why": [], "how": [], "example": []}
    for index, para in enumerate(paras):
        first = para.text.split("\n", 1)[0]
        if first.startswith(WHY):
            found["why"].append(index)
            if not para.text[len(WHY) :].strip():
                problems.append(f'"{WHY}" needs its text on the same paragraph')
        elif first.startswith("How to fix"):
            found["how"].append(index)
            if not first.startswith(HOW + " ") or not para.text[len(HOW) :].strip():
                problems.append(
                    f'"How to fix" must read "{HOW} <text>" (put code in the Example): {first.strip()!r}'
                )
        elif first.startswith("Example"):
            found["example"].append(index)
            if EXAMPLE_BLOCK.fullmatch(para.text.strip()):
                if not (para.literal or "").strip():
                    problems.append('"Example::" must be followed by an indented, non-empty literal block')
            elif not EXAMPLE_INLINE.match(para.text):
                problems.append(
                    f'the example must read "Example::" (or "Example (``path``)::") followed by an indented '
                    f'block, or "Example: <text>": {first.strip()!r}'
                )
    for para in paras:
        for line in para.text.splitlines():
            if line.count("``") % 2:
                problems.append(
                    f"an inline literal (``...``) must open and close on one line: {line.strip()!r}"
                )
    names = {"why": f'a "{WHY}" paragraph', "how": f'a "{HOW}" paragraph', "example": "an Example"}
    for key, where in found.items():
        if not where:
            problems.append(f"missing {names[key]}")
        elif len(where) > 1:
            problems.append(f"{names[key]} appears {len(where)} times (once, please)")
    firsts = [found[key][0] for key in ("why", "how", "example") if found[key]]
    if firsts != sorted(firsts):
        problems.append('the sections must come in the order "Why it matters", "How to fix", "Example"')
    if found["example"] and found["example"][-1] != len(paras) - 1:
        problems.append("the Example must be the last part of the docstring")
    return problems


# --- tests found by ID ----------------------------------------------------------------------------------------


def _status_aliases(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to a status: ``PASS, FAIL = Status.PASS, Status.FAIL`` -> {PASS: PASS, ...}."""
    aliases: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = list(zip(target.elts, node.value.elts, strict=False))
            else:
                pairs = [(target, node.value)]
            for name, value in pairs:
                status = _status_attr(value)
                if isinstance(name, ast.Name) and status:
                    aliases[name.id] = status
    return aliases


def _status_attr(node: ast.AST) -> str | None:
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Status"
        and node.attr in ("PASS", "FAIL")
    ):
        return node.attr
    return None


def _statuses(nodes: list[ast.AST] | ast.AST, aliases: dict[str, str]) -> set[str]:
    found: set[str] = set()
    for root in nodes if isinstance(nodes, list) else [nodes]:
        for node in ast.walk(root):
            status = _status_attr(node)
            if status:
                found.add(status)
            elif isinstance(node, ast.Name) and node.id in aliases:
                found.add(aliases[node.id])
    return found


def _test_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            out.append(node)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            out += [n for n in node.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]
    return out


def _parametrize_rows(func: ast.FunctionDef, constants: dict[str, ast.expr]) -> list[ast.expr]:
    rows: list[ast.expr] = []
    for deco in func.decorator_list:
        if not (
            isinstance(deco, ast.Call)
            and isinstance(deco.func, ast.Attribute)
            and deco.func.attr == "parametrize"
            and len(deco.args) >= 2
        ):
            continue
        table = deco.args[1]
        if isinstance(table, ast.Name):
            table = constants.get(table.id, table)
        if isinstance(table, (ast.List, ast.Tuple)):
            rows += table.elts
    return rows


def ids_tested_in(path: Path) -> dict[str, set[str]]:
    """{check ID (upper case): the statuses ("PASS", "FAIL") its tests in this file assert}."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases = _status_aliases(tree)
    constants = {
        t.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    found: dict[str, set[str]] = {}
    for func in _test_functions(tree):
        for cid in builtin_checks():
            if re.search(rf"(?<![a-z0-9]){cid.lower()}(?![0-9])", func.name):
                found.setdefault(cid, set()).update(_statuses(list(func.body), aliases))
        for row in _parametrize_rows(func, constants):
            ids = {
                n.value
                for n in ast.walk(row)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in builtin_checks()
            }
            for cid in ids:
                found.setdefault(cid, set()).update(_statuses(row, aliases))
    return found


def family_test_file(check_id: str) -> Path:
    return TESTS_DIR / f"test_{FAMILY_BY_PREFIX[family_prefix(check_id)].module}.py"


# --- the contract ---------------------------------------------------------------------------------------------


def test_every_check_docstring_has_summary_why_how_and_example() -> None:
    report = []
    for cid, check in builtin_checks().items():
        problems = docstring_problems(check.doc)
        if problems:
            where = check.func.__code__.co_filename.rsplit("/", 2)[-2:]
            report.append(f"{cid} ({'/'.join(where)}, {check.func.__name__}): " + "; ".join(problems))
    assert not report, (
        f"{len(report)} check docstring(s) break the convention (tests/auditor/test_check_contract.py, "
        "CONTRIBUTING.md):\n  " + "\n  ".join(report)
    )


def test_every_check_has_a_passing_and_a_failing_test() -> None:
    cache: dict[Path, dict[str, set[str]]] = {}
    report = []
    for cid in builtin_checks():
        path = family_test_file(cid)
        if path not in cache:
            cache[path] = ids_tested_in(path) if path.is_file() else {}
        missing = [s for s in ("PASS", "FAIL") if s not in cache[path].get(cid, set())]
        if missing:
            what = " and ".join(f"Status.{s}" for s in missing)
            report.append(
                f"{cid}: no test asserting {what} in {path.relative_to(TESTS_DIR.parents[2])} "
                f"(a test_{cid.lower()}_... function, or a parametrize row with {cid!r})"
            )
    assert not report, f"{len(report)} check(s) lack a passing or failing test:\n  " + "\n  ".join(report)


#: Files a named example needs around it to apply (the training code a CT workflow or a test gate is about...).
_TRAIN = (
    "import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\n\n"
    "def train_model(df, n_estimators=100):\n"
    "    X, y = df.drop(columns='churned'), df['churned']\n"
    "    return RandomForestClassifier(n_estimators=n_estimators, random_state=0).fit(X, y)\n"
)
_NOTEBOOK = json.dumps(
    {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": [
                    "from sklearn.ensemble import RandomForestClassifier\n",
                    "RandomForestClassifier().fit(X, y)\n",
                ],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
)
EXAMPLE_CONTEXT: dict[str, dict[str, str]] = {
    "REP001": {"src/churn/train.py": _TRAIN},
    "REP004": {"src/churn/train.py": _TRAIN},
    "REP005": {"src/churn/train.py": _TRAIN},
    "REP007": {"src/churn/train.py": _TRAIN},
    "PIP003": {"notebooks/explore.ipynb": _NOTEBOOK},
    "FLX001": {"src/churn/__init__.py": ""},
    "DAT002": {
        "src/churn/validate.py": "import pandera as pa\n\nclass Raw(pa.DataFrameModel):\n    amount: float\n"
    },
    "TST002": {"src/churn/train.py": _TRAIN},
    "TST003": {"src/churn/__init__.py": "", "src/churn/train.py": _TRAIN},
    "TST004": {"src/churn/train.py": _TRAIN},
    "TST005": {
        "tests/test_train.py": "from churn.train import train_model\n\ndef test_it():\n    assert train_model\n"
    },
}
NAMED_EXAMPLE = re.compile(r"Example \(``([^`]+)``[^()]*\)::")


def test_every_example_that_names_its_file_passes_its_check(make_repo) -> None:
    """``Example (``path``)::`` promises a file that passes: written to ``path`` (with the few files of
    EXAMPLE_CONTEXT around it), it must make the check pass."""
    report, named = [], 0
    for cid, check in builtin_checks().items():
        paras = paragraphs(check.doc)
        m = NAMED_EXAMPLE.fullmatch(paras[-1].text.strip()) if paras else None
        if not m or not paras[-1].literal:
            continue
        named += 1
        files = {**EXAMPLE_CONTEXT.get(cid, {}), m.group(1): textwrap.dedent(paras[-1].literal) + "\n"}
        result = check.run(Repo(make_repo(files, name=cid)))
        if result.status is not Status.PASS:
            report.append(f"{cid}: its example {m.group(1)} -> {result.status.value}: {result.message}")
    assert named >= 40, f"only {named} examples name their file"
    assert not report, "examples that do not pass their own check:\n  " + "\n  ".join(report)


# --- the contract's own rules can fail ------------------------------------------------------------------------

GOOD_DOC = """Dependencies are locked.

Details.

Why it matters: drift.

How to fix: ``uv lock``.

Example (``uv.lock``)::

    version = 1
"""


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        (GOOD_DOC, None),
        (GOOD_DOC.replace("Example (``uv.lock``)::\n\n    version = 1\n", "Example: ``uv lock``."), None),
        ("", "no docstring"),
        ("Why it matters: x.\n\nHow to fix: y.\n\nExample: z", "must be a summary"),
        (GOOD_DOC.replace("Dependencies are locked.", "Dependencies are locked"), 'ending with "."'),
        (GOOD_DOC.replace("Why it matters: drift.\n\n", ""), 'missing a "Why it matters:"'),
        (GOOD_DOC.replace("How to fix: ``uv lock``.", "How to fix::\n\n    uv lock"), '"How to fix: <text>"'),
        (GOOD_DOC.replace("    version = 1\n", ""), "non-empty literal block"),
        (GOOD_DOC.replace("Example (``uv.lock``)::", "Example ``uv.lock``::"), "the example must read"),
        (GOOD_DOC + "\nTrailing note.\n", "must be the last part"),
        (
            GOOD_DOC.replace(
                "Why it matters: drift.\n\nHow to fix: ``uv lock``.", "How to fix: a.\n\nWhy it matters: b."
            ),
            "in the order",
        ),
        (GOOD_DOC + "\nExample: again\n", "appears 2 times"),
        (GOOD_DOC.replace("Details.", "Details ``a\nb``."), "open and close on one line"),
    ],
)
def test_docstring_rules(doc: str, problem: str | None) -> None:
    problems = docstring_problems(doc)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_tests_are_found_by_name_alias_and_parametrize_row(tmp_path: Path) -> None:
    source = """
from mlops_audit.model import Status
import pytest
PASS = Status.PASS
ROWS = [("DOC001", Status.FAIL), pytest.param("DOC003", Status.PASS, id="x")]

def test_doc001_readme(make_repo):
    assert_status(make_repo({}), "DOC001", PASS)

def test_rep0021_only():
    assert Status.FAIL

@pytest.mark.parametrize(("cid", "status"), ROWS)
def test_table(cid, status):
    pass

class TestDoc002:
    @pytest.mark.parametrize("row", [["DOC002", Status.FAIL]])
    def test_it(self, row):
        pass
"""
    path = tmp_path / "test_x.py"
    path.write_text(source)
    assert ids_tested_in(path) == {"DOC001": {"PASS", "FAIL"}, "DOC003": {"PASS"}, "DOC002": {"FAIL"}}


def test_contributing_maps_every_family_to_its_module_and_tests() -> None:
    """CONTRIBUTING.md's family table (prefix -> module -> tests) is FAMILIES, and every test file exists."""
    text = (TESTS_DIR.parents[2] / "CONTRIBUTING.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| `([A-Z]+)` \| [^|]+ \| `checks/(\w+)\.py` \| `(tests/auditor/checks/test_\w+\.py)` \|$",
        text,
        re.M,
    )
    expected = [(f.prefix, f.module, f"tests/auditor/checks/test_{f.module}.py") for f in FAMILIES]
    assert rows == expected
    for _, _, tests in rows:
        assert (TESTS_DIR.parents[2] / tests).is_file(), tests
