"""Does parsing Python files on several cores pay off here? The experiment behind the audit's rule.

Parses the Python files of a tree (default: the synthetic 10,000-file repository of ``auditor_speed.py``)
with the auditor's own ``analyze_source``, first in this process, then in a ``fork`` process pool of 2 and of
``os.cpu_count()`` workers (texts sent to the workers, the plain-data encoding of each result sent back, as the
audit cache stores it), and prints the wall times. On 2 cores the pool wins when they are idle and loses when
another job holds one, so the audit uses it only when nothing else is runnable (``facts.python``).

    uv run python benchmarks/parallel_parse.py [TREE] [--limit N]
"""

from __future__ import annotations

import argparse
import gc
import marshal
import multiprocessing as mp
import os
import time
from pathlib import Path

from mlops_audit.facts import python as pyfacts

HERE = Path(__file__).resolve().parent


def work(batch: list[tuple[str, str]]) -> list[bytes]:
    return [marshal.dumps(pyfacts._encode_module(pyfacts.analyze_source(text, path))) for path, text in batch]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", nargs="?", type=Path, default=HERE / ".work" / "synthetic-10000")
    parser.add_argument("--limit", type=int, default=4000, help="at most this many files")
    parser.add_argument("--chunk", type=int, default=64, help="files per task")
    args = parser.parse_args()
    files = sorted(args.tree.rglob("*.py"))[: args.limit]
    items = [(str(f), f.read_text(encoding="utf-8", errors="replace")) for f in files]
    gc.set_threshold(50_000, 20, 100)  # as during an audit

    started = time.perf_counter()
    expected = [
        pyfacts._decode_module(marshal.loads(b), p) for (p, _), b in zip(items, work(items), strict=True)
    ]
    one = time.perf_counter() - started
    print(f"{len(items)} files, {sum(len(t) for _, t in items) / 1e6:.1f} MB, {os.cpu_count()} cores")
    print(f"1 process: {one:.2f} s")
    for workers in sorted({2, os.cpu_count() or 1}):
        started = time.perf_counter()
        chunks = [items[i : i + args.chunk] for i in range(0, len(items), args.chunk)]
        with mp.get_context("fork").Pool(workers) as pool:
            blobs = [b for chunk in pool.imap(work, chunks) for b in chunk]
        got = [pyfacts._decode_module(marshal.loads(b), p) for (p, _), b in zip(items, blobs, strict=True)]
        took = time.perf_counter() - started
        assert got == expected
        print(f"{workers} workers: {took:.2f} s ({one / took:.2f}x)")


if __name__ == "__main__":
    main()
