"""The auditor reads; it never imports or runs the audited code (a module that would leave a marker if imported)."""

from __future__ import annotations

import json
import subprocess
import sys

BOOBY_TRAP = """
import pathlib
pathlib.Path({marker!r}).write_text("imported!")
import mlflow
mlflow.log_param("lr", 0.1)
mlflow.log_metric("acc", 0.9)
"""


def test_audited_code_is_never_imported(make_repo, tmp_path):
    marker = tmp_path / "MARKER"
    files = {
        "README.md": "# trap\n",
        "train.py": BOOBY_TRAP.format(marker=str(marker)),
        "setup.py": BOOBY_TRAP.format(marker=str(marker)),
        "conftest.py": BOOBY_TRAP.format(marker=str(marker)),
        "noxfile.py": BOOBY_TRAP.format(marker=str(marker)),
        "pkg/__init__.py": BOOBY_TRAP.format(marker=str(marker)),
        "notebook.ipynb": json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "source": BOOBY_TRAP.format(marker=str(marker)),
                        "outputs": [],
                        "metadata": {},
                        "execution_count": None,
                    }
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        ),
    }
    root = make_repo(files)
    proc = subprocess.run(
        [sys.executable, "-m", "mlops_audit", str(root), "-f", "json", "--no-cache"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert not marker.exists()
    assert "train.py" not in sys.modules.get("__main__").__dict__.get("__file__", "")
