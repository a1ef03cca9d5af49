"""Path helpers shared by every layer: git-style quoting of paths that are not valid UTF-8."""

from __future__ import annotations

import os

_GIT_ESCAPES = {
    ord("\a"): "\\a",
    ord("\b"): "\\b",
    ord("\t"): "\\t",
    ord("\n"): "\\n",
    ord("\v"): "\\v",
    ord("\f"): "\\f",
    ord("\r"): "\\r",
    ord('"'): '\\"',
    ord("\\"): "\\\\",
}


def display_path(path: str) -> str:
    """Return ``path`` for reports: unchanged when it is valid UTF-8, else quoted the way git quotes it.

    Paths come from the file system (or ``git ls-files -z``) decoded with ``surrogateescape``; a path that
    cannot be encoded back to strict UTF-8 held undecodable bytes. Git writes such paths as a C-style quoted
    string with octal escapes for every byte outside printable ASCII (``"caf\\351.py"``); so do we, in every
    output format, so the path a report shows is the one ``git ls-files`` shows.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(path)
    out = []
    for byte in raw:
        if byte in _GIT_ESCAPES:
            out.append(_GIT_ESCAPES[byte])
        elif byte < 0x20 or byte >= 0x7F:
            out.append(f"\\{byte:03o}")
        else:
            out.append(chr(byte))
    return '"' + "".join(out) + '"'


def clean_text(text: str) -> str:
    """Make free text (a message that may quote a path) safe to encode as UTF-8: undecodable bytes that were
    carried as surrogates are written as octal escapes, as git does."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join(
            f"\\{ord(ch) - 0xDC00:03o}" if 0xDC80 <= ord(ch) <= 0xDCFF else ch
            for ch in text
            if not (0xD800 <= ord(ch) <= 0xDBFF or 0xDD00 <= ord(ch) <= 0xDFFF)
        )
