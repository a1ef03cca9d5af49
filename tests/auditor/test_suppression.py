"""Inline suppressions: the comment syntax (end to end, they are tested with the engine)."""

from __future__ import annotations

from mlops_audit.suppression import parse


def test_inline_suppressions_parse():
    text = "a = 1\nb = pickle.load(f)  # mlops-audit: ignore[SEC003, rep001] our own file\n"
    assert parse(text) == {2: {"SEC003": "our own file", "REP001": "our own file"}}
    assert parse("no marker here") == {}
