"""Notebook facts: nbformat v3/v4, magics, cell mapping, outputs, execution order, malformed files."""

from __future__ import annotations

import json

from mlops_audit.facts import notebooks as nbf
from mlops_audit.repo import Repo


def nb(*cells: tuple[str, int | None, int], v3: bool = False) -> str:
    """A notebook from ``(source, execution_count, n_outputs)`` code cells."""
    out = [{"output_type": "stream", "name": "stdout", "text": ["x\n"]}]
    if v3:
        raw = [
            {"cell_type": "code", "input": src, "prompt_number": n, "outputs": out * k} for src, n, k in cells
        ]
        return json.dumps({"nbformat": 3, "worksheets": [{"cells": raw}]})
    raw = [
        {"cell_type": "code", "source": src.splitlines(keepends=True), "execution_count": n, "outputs": out * k,
         "metadata": {}}
        for src, n, k in cells
    ]  # fmt: skip
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": raw})


def test_code_is_analysed_across_cells_with_magics_stripped(make_repo) -> None:
    root = make_repo(
        {
            "a.ipynb": nb(
                ("%matplotlib inline\nimport numpy as np", 1, 0), ("!pip install x\nnp.random.seed(0)", 2, 0)
            )
        }
    )
    code = nbf.notebook_code(Repo(root), "a.ipynb")
    assert code is not None
    call = code.info.calls_to("numpy.random.seed")[0]
    ev = code.evidence(call.line, call.name)
    assert ev.path == "a.ipynb" and ev.note.startswith("cell 2, line 2")


def test_a_cell_that_does_not_parse_is_dropped_not_the_notebook(make_repo) -> None:
    root = make_repo(
        {"a.ipynb": nb(("import torch", 1, 0), ("def broken(:\n", 2, 0), ("torch.manual_seed(1)", 3, 0))}
    )
    repo = Repo(root)
    code = nbf.notebook_code(repo, "a.ipynb")
    assert code is not None and code.info.calls_to("torch.manual_seed")
    assert any("cells not parsed" in n.message for n in repo.notes)


def test_non_python_cell_magic_is_skipped() -> None:
    assert nbf.strip_magics("%%bash\nls -la\n") is None
    assert nbf.strip_magics("%%time\nx = 1") == "pass\nx = 1"
    assert nbf.strip_magics("for i in range(2):\n    !echo hi") == "for i in range(2):\n    pass"


def test_nbformat_v3(make_repo) -> None:
    root = make_repo({"old.ipynb": nb(("import random\nrandom.seed(3)", 1, 1), v3=True)})
    repo = Repo(root)
    code = nbf.notebook_code(repo, "old.ipynb")
    assert code is not None and code.info.calls_to("random.seed")
    assert nbf.notebooks_with_outputs(repo) == [("old.ipynb", 1)]


def test_notebooks_with_outputs_fact(make_repo) -> None:
    root = make_repo(
        {"clean.ipynb": nb(("x = 1", None, 0)), "dirty.ipynb": nb(("x = 1", None, 0), ("print(x)", 1, 1))}
    )
    fact = nbf.notebooks_with_outputs_fact(Repo(root))
    assert fact.value is True
    assert [str(e) for e in fact.evidence] == ["dirty.ipynb"]
    assert fact.evidence[0].note == "cell 2"


def test_no_outputs_is_false(make_repo) -> None:
    root = make_repo({"clean.ipynb": nb(("x = 1", None, 0))})
    assert nbf.notebooks_with_outputs_fact(Repo(root)).value is False


def test_malformed_notebook_is_a_note(make_repo) -> None:
    root = make_repo({"bad.ipynb": "{not json", "list.ipynb": "[1, 2]"})
    repo = Repo(root)
    assert nbf.notebook(repo, "bad.ipynb") is None
    assert nbf.notebook(repo, "list.ipynb") is None
    assert nbf.notebooks_with_outputs(repo) == []
    assert {n.path for n in repo.notes} >= {"bad.ipynb", "list.ipynb"}


def test_execution_order() -> None:
    ordered = nbf.parse_notebook(nb(("a", 1, 0), ("b", 2, 1), ("c", 5, 0)).encode(), "x.ipynb")
    assert nbf.execution_order_problems(ordered) == []
    shuffled = nbf.parse_notebook(nb(("a", 3, 0), ("b", 1, 0)).encode(), "x.ipynb")
    assert nbf.execution_order_problems(shuffled)[0].cell == 2
    skipped = nbf.parse_notebook(nb(("a", 1, 0), ("b", None, 0), ("c", 2, 1)).encode(), "x.ipynb")
    assert nbf.execution_order_problems(skipped)[0].cell == 2
    cleared = nbf.parse_notebook(nb(("a", None, 0), ("b", None, 0)).encode(), "x.ipynb")
    assert nbf.execution_order_problems(cleared) == []
