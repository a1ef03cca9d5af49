"""Regular expressions compiled on first use.

The fact and check modules hold a few hundred module-level patterns; compiling them all at import cost about
35 ms of every run, most of which (an unchanged tree answered from the audit cache, a pre-commit run on a small
repository) never searches with most of them. :func:`compile` returns a stand-in that compiles its pattern the
first time a method is called, then calls the compiled pattern's methods directly.
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, cast

__all__ = ["compile"]

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner")


class _LazyPattern:
    """Stands in for ``re.compile(pattern, flags)`` until first used (``pattern`` and ``flags`` are those
    given)."""

    def __init__(self, pattern: Any, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:  # only for what is not set yet: the first use
        compiled = re.compile(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        self.groups = compiled.groups
        self.groupindex = compiled.groupindex
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazyre.compile({self.pattern!r}, {self.flags})"


def compile(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(pattern, flags)``, compiled when first used."""
    return cast("re.Pattern[AnyStr]", _LazyPattern(pattern, int(flags)))
