"""After an edit of one file, does the cached audit report what an uncached one does, and how often are the last
run's results reused? Measured on real repositories (the verdict corpus's checkouts).

For each tree: one cached audit (a fresh cache), then for each of ``--files`` Python files (picked with a fixed
seed) and each kind of edit, the edit is made, a cached and an uncached audit are run and their JSON reports
compared (the duration aside), and the file is restored. Edits:

* ``comment``: a comment line appended (no answer of the file changes: reuse expected);
* ``blank-top``: an empty line inserted at the top (every line number after it moves: recomputed);
* ``import``: ``import os`` appended (its imports change: recomputed).

Prints a Markdown table per kind: edits, reports identical to the uncached audit, results reused, and the
median wall time of the cached audit. Any difference is listed (it would be a wrong verdict given from the
cache); the exit code is 1 then.

    uv run python benchmarks/edit_reuse.py /work/corpus/*        # every checkout of the corpus
    uv run python benchmarks/edit_reuse.py --files 3 /work/corpus/openai__CLIP
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mlops_audit import cache as cache_mod
from mlops_audit.engine import audit
from mlops_audit.formats import render

EDITS: dict[str, Callable[[bytes], bytes]] = {
    "comment": lambda data: data + (b"" if data.endswith(b"\n") or not data else b"\n") + b"# edited\n",
    "blank-top": lambda data: b"\n" + data,
    "import": lambda data: data + (b"" if data.endswith(b"\n") or not data else b"\n") + b"import os\n",
}


def _report(root: Path, use_cache: bool) -> dict:
    data = json.loads(render("json", [audit(root, use_cache=use_cache)]))
    data.pop("duration_seconds", None)
    return data


def _python_files(root: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "*.py"], capture_output=True, check=False)
    return sorted(p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", type=Path, nargs="+")
    parser.add_argument("--files", type=int, default=2, help="Python files edited per tree")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    decisions: list[bool] = []
    original = cache_mod.AuditCache._edits_change_nothing

    def spy(self: cache_mod.AuditCache) -> bool:
        answer = original(self)
        decisions.append(answer)
        return answer

    cache_mod.AuditCache._edits_change_nothing = spy  # type: ignore[method-assign]
    rng = random.Random(args.seed)
    stats: dict[str, dict[str, list[float] | int]] = {
        kind: {"edits": 0, "same": 0, "reused": 0, "times": []} for kind in EDITS
    }
    differences: list[str] = []
    with tempfile.TemporaryDirectory() as cache:
        os.environ[cache_mod.ENV_VAR] = cache
        for tree in args.trees:
            files = _python_files(tree)
            if not files:
                continue
            _report(tree, use_cache=True)
            for path in rng.sample(files, min(args.files, len(files))):
                target = tree / path
                before, st = target.read_bytes(), target.stat()
                for kind, edit in EDITS.items():
                    target.write_bytes(edit(before))
                    try:
                        decisions.clear()
                        started = time.perf_counter()
                        cached = _report(tree, use_cache=True)
                        elapsed = time.perf_counter() - started
                        uncached = _report(tree, use_cache=False)
                    finally:
                        target.write_bytes(before)
                        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
                    row = stats[kind]
                    row["edits"] += 1  # type: ignore[operator]
                    row["same"] += cached == uncached  # type: ignore[operator]
                    row["reused"] += decisions == [True]  # type: ignore[operator]
                    row["times"].append(elapsed)  # type: ignore[union-attr]
                    if cached != uncached:
                        differences.append(f"{tree.name}: {kind} of {path}")
            print(f"# {tree.name}: done", file=sys.stderr)
    print("| edit | edits | cached report = uncached | results reused | cached audit, median (s) |")
    print("|---|---:|---:|---:|---:|")
    for kind, row in stats.items():
        times = row["times"]
        median = statistics.median(times) if times else float("nan")  # type: ignore[arg-type]
        print(f"| {kind} | {row['edits']} | {row['same']} | {row['reused']} | {median:.2f} |")
    for line in differences:
        print(f"DIFFERENT: {line}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
