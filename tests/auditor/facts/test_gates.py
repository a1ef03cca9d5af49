"""Quality gates from the one Python walk, and the byte prefilter that spares the parse of files without one."""

from __future__ import annotations

import pytest
from mlops_audit.facts.gates import may_hold_gate
from mlops_audit.facts.python import analyze_source

GATES = {
    "assert": "assert metrics['auc'] >= 0.8\n",
    "if raises": "if accuracy < THRESHOLD:\n    raise SystemExit('below bar')\n",
    "champion": "if new_f1 > champion_f1:\n    client.set_registered_model_alias('m', 'champion', v)\n",
    "condition over lines": "if (\n    val_loss\n    > best_loss + 0.01\n):\n    raise RuntimeError('worse')\n",
    "open bracket mid-line": "if (report['rmse']\n        > 3.5):\n    sys.exit(1)\n",
    "backslash": "assert scores.mean() \\\n    > 0.7\n",
    "comparison, then metric on the next line": "if 0.75 > (\n    auc):\n    raise ValueError\n",
    "gate function": (
        "def failed_thresholds(metrics, t):\n    return [k for k, low in t.items() if metrics[k] < low]\n"
    ),
    "MLflow thresholds": "th = {'auc': MetricThreshold(threshold=0.8)}\n",
}
NO_GATES = {
    "no comparison": "if model is None:\n    raise ValueError('no model')\n",
    "shapes, not metrics": "if x.shape[0] > 4:\n    raise ValueError('batch too large')\n",
    "arrow and shifts": "def f(a) -> int:\n    return a << 2 >> 1\n",
}


@pytest.mark.parametrize("name", GATES)
def test_every_file_with_a_gate_passes_the_prefilter(name):
    source = GATES[name]
    assert analyze_source(source).gates, name  # the walk finds the gate...
    assert may_hold_gate(source.encode()), name  # ...and the prefilter lets the file through to it


@pytest.mark.parametrize("name", NO_GATES)
def test_files_without_a_gate_skip_the_parse(name):
    source = NO_GATES[name]
    assert not analyze_source(source).gates
    assert not may_hold_gate(source.encode()), name
