"""What the audit cache's reuse after an edit relies on, read from the auditor's sources: facts and checks see a
file's size only through the repository's recorded comparisons, every per-file fact kind can be made again, and
source questions are declared."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import mlops_audit
import pytest
from mlops_audit import facts
from mlops_audit.checks import load_checks
from mlops_audit.facts import source
from mlops_audit.repo import Repo, fact_maker

PACKAGE = Path(mlops_audit.__file__).parent
#: Modules that own the listing and may read its entries' sizes, blobs and times directly.
LISTING_OWNERS = {"repo.py", "gitls.py", "cache.py"}
#: Entry attributes outside the cache's view of a file (sizes go through Repo.larger_than / smaller_than).
UNRECORDED = {"size", "blob", "mtime_ns", "modified"}
#: (module, expression) reads that are not file sizes or cannot change with an edit, and why.
ALLOWED = {
    ("facts/git.py", "self.size"),  # LargeFile's own field (its value came from Repo.exact_size)
    ("facts/git.py", "f.size"),  # the same, sorting the large files
    ("facts/git.py", "e.size"),  # unknown sizes of files absent from the working tree: listing flags
    ("engine.py", "entry.size"),  # the note of a file over the read limit, a size the cache always compares
}


def _modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if path.name not in LISTING_OWNERS or "/" in rel:
            out.append((rel, ast.parse(path.read_text(encoding="utf-8"))))
    return out


def test_sizes_blobs_and_times_are_read_through_recorded_channels_only():
    found = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in UNRECORDED and isinstance(node.ctx, ast.Load):
                expression = ast.unparse(node)
                if (rel, expression) not in ALLOWED:
                    found.append(f"{rel}:{node.lineno}: {expression}")
    assert not found, "read sizes with Repo.larger_than / smaller_than / exact_size:\n" + "\n".join(found)


def _constants(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def test_every_per_file_fact_kind_can_be_made_again():
    load_checks()
    facts.load()
    import mlops_audit.engine  # noqa: F401  - the audit's own modules (suppression) declare theirs too

    kinds = []
    for rel, tree in _modules():
        constants = _constants(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "file_fact"
            ):
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    kinds.append((rel, first.value))
                elif isinstance(first, ast.Name) and first.id in constants:
                    kinds.append((rel, constants[first.id]))
                elif (
                    rel != "repo.py" and rel != "facts/source.py"
                ):  # a kind named at run time: declare a family
                    pytest.fail(f"{rel}:{node.lineno}: file_fact kind is not a literal or a module constant")
    assert len(kinds) >= 9
    undeclared = [f"{rel}: {kind}" for rel, kind in kinds if fact_maker(kind) is None]
    assert not undeclared, "declare each with @makes_file_fact:\n" + "\n".join(undeclared)


def test_source_questions_must_be_declared(make_repo):
    repo = Repo(make_repo({"a.py": "x = 1\n"}))

    def undeclared(text: str) -> int:
        return len(text)

    with pytest.raises(ValueError, match="not declared"):
        source.ask(repo, "a.py", undeclared)
    with pytest.raises(ValueError, match="arguments"):  # a flag's repr would not read back from the kind
        source.ask(repo, "a.py", source.first_match, "x", re.MULTILINE)
    assert source.names(repo, "a.py", "x") == 1
    assert source.search(repo, "a.py", re.compile(r"= (\d)")) == (1, "= 1", ("1",))


def test_a_source_answer_is_made_again_from_its_kind(make_repo):
    root = make_repo(
        {"a.py": "def f():\n    return 1\n", "b.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4}'}
    )
    repo = Repo(root)
    assert source.names(repo, "a.py", "f") == 1
    (kind,) = [k for (_, k, path) in repo._tree.memo if _ == "file_fact" and path == "a.py"]
    maker = fact_maker(kind)
    assert maker is not None and maker(Repo(root), "a.py") == 1
    assert source.source_text(repo, "b.ipynb") == ""  # a notebook's code cells (none here)


def test_reads_outside_the_channels_are_recorded(make_repo):
    root = make_repo({"a.py": "import mlflow\n", "conf.yaml": "a: 1\n", "big.bin": b"x" * 100})
    repo = Repo(root)
    repo.grep(["a.py"], b"mlflow")
    repo.file_fact("test.kind/1", "a.py", lambda: len(repo.read_bytes("a.py") or b""))
    assert repo.raw_reads == set()
    repo.read_text("conf.yaml")
    assert repo.raw_reads == {"conf.yaml"}
    assert repo.larger_than("big.bin", 99) and not repo.smaller_than("big.bin", 100)
    assert {99, 100} <= set(repo.size_limits)
    assert repo.exact_size("big.bin") == 100 and "big.bin" in repo.raw_reads
    with repo.channel("a.py"):
        repo.read_bytes("a.py")
    assert "a.py" not in repo.raw_reads
