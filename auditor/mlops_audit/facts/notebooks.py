"""Jupyter notebook facts, read as plain nbformat JSON (v3 and v4; ``source`` as a string or a list of lines).

:func:`notebook` parses one ``.ipynb`` once. :func:`notebook_code` joins the code cells (IPython magics and
shell escapes replaced by ``pass``) into one Python module analysed with :func:`~.python.analyze_source`, and
keeps the map from its lines back to ``(cell number, line in cell)`` so evidence can say ``nb.ipynb`` + "cell 3".
Cells that do not parse are dropped (with a note) rather than losing the whole notebook.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import lazyre
from ..model import Evidence
from ..repo import Repo, makes_file_fact, memoized
from . import FactValue, report_fact
from .python import ModuleInfo, _decode_module, _encode_module, analyze_source

#: Cell magics whose body is still Python.
_PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun", "%%python", "%%python3", "%%debug")
_MAGIC_LINE = lazyre.compile(r"^(\s*)([%!]|\w+\s*=\s*[%!])")


@dataclass(frozen=True, slots=True)
class Cell:
    number: int  # 1-based position among all cells
    kind: str  # "code", "markdown", "raw"
    source: str
    execution_count: int | None
    outputs: int  # number of outputs


@dataclass(slots=True)
class Notebook:
    path: str
    cells: list[Cell]
    nbformat: int | None = None

    @property
    def code_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.kind == "code"]


@dataclass(slots=True)
class NotebookCode:
    """The notebook's Python code as one module, with the way back to cells."""

    notebook: Notebook
    info: ModuleInfo
    line_map: list[tuple[int, int]] = field(
        default_factory=list
    )  # module line - 1 -> (cell number, cell line)

    @property
    def path(self) -> str:
        return self.notebook.path

    def where(self, line: int) -> tuple[int, int] | None:
        return self.line_map[line - 1] if 0 < line <= len(self.line_map) else None

    def evidence(self, line: int, what: str = "") -> Evidence:
        """Evidence for a line of the joined module: the notebook path and ``cell N, line M``."""
        loc = self.where(line)
        note = f"cell {loc[0]}, line {loc[1]}" if loc else ""
        if what:
            note = f"{note}: {what}" if note else what
        return Evidence(self.path, None, note)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def parse_notebook(data: bytes, path: str) -> Notebook:
    """Parse notebook JSON (raises ``ValueError`` when it is not a notebook)."""
    doc = json.loads(data)
    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")
    raw_cells = doc.get("cells")
    if raw_cells is None:  # nbformat 3: worksheets[].cells, code in "input", "prompt_number"
        raw_cells = []
        for sheet in doc.get("worksheets") or []:
            if isinstance(sheet, dict):
                raw_cells += sheet.get("cells") or []
    if not isinstance(raw_cells, list):
        raise ValueError("cells is not a list")
    cells = []
    for number, raw in enumerate(raw_cells, 1):
        if not isinstance(raw, dict):
            continue
        kind = str(raw.get("cell_type", ""))
        source = _text(raw.get("source", raw.get("input", "")))
        count = raw.get("execution_count", raw.get("prompt_number"))
        outputs = raw.get("outputs") or []
        cells.append(
            Cell(
                number,
                kind,
                source,
                count if isinstance(count, int) and not isinstance(count, bool) else None,
                len(outputs) if isinstance(outputs, list) else 0,
            )
        )
    fmt = doc.get("nbformat")
    return Notebook(path, cells, fmt if isinstance(fmt, int) else None)


def notebooks(repo: Repo) -> list[str]:
    """Committed ``.ipynb`` files (checkpoints excluded)."""
    return [p for p in repo.with_suffix(".ipynb") if ".ipynb_checkpoints/" not in p]


def code_source(nb: Notebook, *kinds: str) -> str:
    """The source of a notebook's code cells (and of the cells of other ``kinds``, e.g. ``"markdown"``), one
    cell after the other: what the notebook says, never its stored outputs (those are data, not code)."""
    wanted = {"code", *kinds}
    return "\n".join(c.source for c in nb.cells if c.kind in wanted)


def notebook(repo: Repo, path: str) -> Notebook | None:
    """One notebook, parsed once; ``None`` (with a note) when unreadable or malformed."""

    def compute() -> Notebook | None:
        data = repo.read_bytes(path)
        if data is None:
            return None
        try:
            return parse_notebook(data, path)
        except (ValueError, RecursionError, UnicodeDecodeError) as exc:
            repo.note(path, f"malformed notebook: {str(exc)[:120]}")
            return None

    nb = repo.shared_memo(("notebooks.notebook", repo.prefix + path), compute)
    if nb is None or nb.path == path:
        return nb
    return Notebook(path, nb.cells, nb.nbformat)


def strip_magics(source: str) -> str | None:
    """Python code of a cell: magic and shell lines become ``pass`` (same indentation, same line count);
    ``None`` for a cell magic whose body is not Python (``%%bash``, ``%%sql``...)."""
    stripped = source.lstrip()
    if stripped.startswith("%%"):
        head = stripped.split(None, 1)[0]
        if head not in _PYTHON_CELL_MAGICS:
            return None
    lines = []
    for line in source.splitlines():
        m = _MAGIC_LINE.match(line)
        if m or (line.rstrip().endswith("?") and not line.lstrip().startswith("#")):
            indent = m.group(1) if m else line[: len(line) - len(line.lstrip())]
            lines.append(indent + "pass")
        else:
            lines.append(line)
    return "\n".join(lines)


def _join(cells: list[tuple[int, str]]) -> tuple[str, list[tuple[int, int]]]:
    parts: list[str] = []
    line_map: list[tuple[int, int]] = []
    for number, code in cells:
        code_lines = code.splitlines() or [""]
        parts.extend(code_lines)
        line_map.extend((number, i) for i in range(1, len(code_lines) + 1))
    return "\n".join(parts) + "\n", line_map


@makes_file_fact("notebooks.code/1")
def notebook_code(repo: Repo, path: str) -> NotebookCode | None:
    """The code cells of a notebook analysed as one module (once per run)."""

    def compute() -> NotebookCode | None:
        nb = notebook(repo, path)
        if nb is None:
            return None
        cells = []
        for cell in nb.code_cells:
            code = strip_magics(cell.source)
            if code is not None and code.strip():
                cells.append((cell.number, code))
        dropped = []
        while True:
            source, line_map = _join(cells)
            info = analyze_source(source, path)
            if not info.syntax_error:
                break
            bad = _bad_cell(info.syntax_error, line_map)
            if bad is None or not cells:
                info = ModuleInfo(path)
                break
            dropped.append(bad)
            cells = [c for c in cells if c[0] != bad]
        if dropped:
            repo.note(path, f"cells not parsed as Python: {', '.join(map(str, dropped[:5]))}")
        return NotebookCode(nb, info, line_map)

    def encode(code: NotebookCode | None) -> Any:
        return None if code is None else (_encode_module(code.info), code.line_map)

    def decode(raw: Any) -> NotebookCode | None:
        if raw is None:
            return None
        nb = notebook(repo, path)  # the JSON is read again; the Python analysis is not redone
        if nb is None:
            raise ValueError("notebook no longer readable")  # recomputed by file_fact
        info = _decode_module(raw[0], path)
        if info is None:
            raise ValueError("cached notebook analysis is empty")  # recomputed by file_fact
        return NotebookCode(nb, info, [tuple(x) for x in raw[1]])

    code = repo.file_fact("notebooks.code/1", path, compute, encode=encode, decode=decode)
    if code is None or code.path == path:
        return code
    return NotebookCode(Notebook(path, code.notebook.cells, code.notebook.nbformat), code.info, code.line_map)


def _bad_cell(error: str, line_map: list[tuple[int, int]]) -> int | None:
    m = re.search(r"\(line (\d+)\)", error)
    if not m:
        return line_map[0][0] if line_map else None
    line = int(m.group(1))
    if 0 < line <= len(line_map):
        return line_map[line - 1][0]
    return line_map[-1][0] if line_map else None


def notebook_codes_containing(
    repo: Repo, *needles: bytes, paths: Iterable[str] | None = None
) -> list[NotebookCode]:
    """Analyse only the notebooks whose bytes contain one of ``needles`` (the byte prefilter)."""
    candidates = notebooks(repo) if paths is None else paths
    out = []
    for path in repo.grep(candidates, *needles):
        code = notebook_code(repo, path)
        if code is not None:
            out.append(code)
    return out


# --------------------------------------------------------------------------------------------- execution


@dataclass(frozen=True, slots=True)
class OrderProblem:
    cell: int
    message: str


def execution_order_problems(nb: Notebook) -> list[OrderProblem]:
    """Signs the notebook was not run top to bottom: execution counts that go down or repeat, or a code cell
    that was never run sitting before cells that were (it was skipped, or its output was cleared by hand)."""
    problems: list[OrderProblem] = []
    last = 0
    last_cell = 0
    pending_unrun: int | None = None
    for cell in nb.code_cells:
        if not cell.source.strip():
            continue
        if cell.execution_count is None:
            if cell.outputs:
                problems.append(OrderProblem(cell.number, "has outputs but no execution count"))
            elif pending_unrun is None and last:
                pending_unrun = cell.number
            continue
        if cell.execution_count <= last:
            problems.append(
                OrderProblem(
                    cell.number,
                    f"execution count {cell.execution_count} after {last} (cell {last_cell})",
                )
            )
        if pending_unrun is not None:
            problems.append(OrderProblem(pending_unrun, "never executed, but later cells were"))
            pending_unrun = None
        last = max(last, cell.execution_count)
        last_cell = cell.number
    return problems


@memoized
def executed_notebooks(repo: Repo) -> list[Notebook]:
    """Notebooks with at least one executed code cell."""
    out = []
    for path in notebooks(repo):
        nb = notebook(repo, path)
        if nb is not None and any(c.execution_count is not None for c in nb.code_cells):
            out.append(nb)
    return out


@memoized
def notebooks_with_outputs(repo: Repo) -> list[tuple[str, int]]:
    """``(path, first cell with outputs)`` for every notebook that carries outputs."""
    out = []
    for path in notebooks(repo):
        if not repo.contains(path, b'"outputs"'):
            continue
        nb = notebook(repo, path)
        if nb is None:
            continue
        first = next((c.number for c in nb.code_cells if c.outputs), None)
        if first is not None:
            out.append((path, first))
    return out


@report_fact("notebooks_with_outputs")
def notebooks_with_outputs_fact(repo: Repo) -> FactValue:
    found = notebooks_with_outputs(repo)
    return FactValue.of([Evidence(p, None, f"cell {n}") for p, n in found[:10]])
