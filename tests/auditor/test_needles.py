"""Byte prefilters: every needle set answered in one pass, the same answers as one search per needle, and every
prefilter the facts search Python files with declared at import time (else each costs one more pass per file)."""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path

import mlops_audit
from mlops_audit import needles
from mlops_audit.needles import NeedleSets, bytes_match, word


def _reference(data: bytes, needle_set: tuple[bytes, ...]) -> bool:
    """The meaning of a needle set, written with ``re``: plain needles anywhere, words between non-word bytes."""
    for needle in needle_set:
        if needles.is_word(needle):
            pattern = rb"(?<![A-Za-z0-9_])" + re.escape(needle[2:-2]) + rb"(?![A-Za-z0-9_])"
            if re.search(pattern, data):
                return True
        elif needle in data:
            return True
    return False


SETS = [
    (b"mlflow", b"MLflow", word("serve"), b".fit("),
    (word("fit"), b"fastapi", b"flask", b"starlette"),
    (b"serve",),  # the same text as a plain needle in one set and a word in another
    (b"ab", b"abc", b"bc", b"c"),  # needles inside one another: overlapping matches
    (word("x"), word("_x"), b"\xe9t\xe9"),  # one-letter words, a word starting with _, non-ASCII bytes
]


def test_one_pass_gives_the_answers_of_one_search_per_set():
    alphabet = [b"mlflow", b"serve", b"observe", b" ", b"_", b".fit(", b"fit", b"outfit", b"x", b"_x", b"abc"]
    alphabet += [b"\n", b"(", b"\xe9t\xe9", b"\xff", b"flask", b"1", b"MLflow"]
    rng = random.Random(13)
    group = NeedleSets(SETS)
    for _ in range(2000):
        data = b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        expected = sum(1 << i for i, s in enumerate(SETS) if _reference(data, s))
        assert group.mask(data) == expected, data
        for s in SETS:  # one set alone: the automaton (4+ needles) or one search per needle
            assert bytes_match(data, s) == _reference(data, s), (data, s)


def test_word_boundaries_at_both_ends_of_the_bytes():
    group = NeedleSets([(word("serve"),), (b"serve",)])
    assert group.mask(b"serve") == 0b11
    assert group.mask(b"observe") == 0b10
    assert group.mask(b"serve_model") == 0b10
    assert group.mask(b"(serve)") == 0b11
    assert group.mask(b"") == 0


def test_a_set_declared_after_the_first_search_is_searched_on_its_own(monkeypatch):
    monkeypatch.setattr(needles, "_DECLARED", {})
    monkeypatch.setattr(needles, "_SELECTING", {})
    monkeypatch.setattr(needles, "_GROUP", [])
    early = needles.declare((b"early",))
    lazy = needles.declare((b"some",), selects=False)
    group = needles.declared()
    assert group is not None and group.sets == (early, lazy)
    assert needles.selecting(group) == 0b01
    late = needles.declare((b"late",))
    assert needles.declared(late) is None  # not in the group: the group stays as the first search built it
    assert needles.declared(early) is group


_SEARCHES = {"modules_containing", "code_units", "notebook_codes_containing"}


def _declared_names(tree: ast.Module) -> set[str]:
    """Module-level names bound to ``prefilter(...)`` or ``declare(...)``."""
    out = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in {"prefilter", "declare"}:
                out.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return out


def test_every_prefilter_of_python_files_is_declared_at_import_time():
    """A search with needles built at the call (``modules_containing(repo, b"x")``) is not in the one-pass
    group, and a full audit would scan every file once more for it (needles known only at run time go through
    ``repo.grep`` and ``modules``)."""
    package = Path(mlops_audit.__file__).parent
    trees = {path: ast.parse(path.read_text(), str(path)) for path in package.rglob("*.py")}
    declared = set().union(*(_declared_names(tree) for tree in trees.values()))
    assert len(declared) > 20
    searches: dict[int, str] = {}  # every search call -> where it is
    forwarding: set[int] = set()  # searches inside a function that forwards its own ``*needles``
    for path, tree in trees.items():
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and _search_needles(call, declared) is False:
                searches[id(call)] = f"{path.relative_to(package)}:{call.lineno}"
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and func.args.vararg:
                forwarded = {func.args.vararg.arg}
                forwarding.update(
                    id(c) for c in ast.walk(func) if isinstance(c, ast.Call) and _search_needles(c, forwarded)
                )
    assert [where for key, where in searches.items() if key not in forwarding] == []


def _search_needles(call: ast.Call, names: set[str]) -> bool | None:
    """None when ``call`` is no prefilter search; else whether its needles are one
    ``*NAME`` (or ``*module.NAME``) with NAME in ``names``."""
    name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
    if name not in _SEARCHES:
        return None
    needle_args = call.args[1:]
    if len(needle_args) != 1 or not isinstance(needle_args[0], ast.Starred):
        return False
    value = needle_args[0].value
    bound = value.id if isinstance(value, ast.Name) else getattr(value, "attr", None)
    return bound in names
