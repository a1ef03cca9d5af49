"""Monitoring: compare the current data with the data the champion was trained on.

The reference is the champion's own training data, logged with its training run
(``reference/train.parquet``, see :mod:`.train`), so drift is measured against what the production model
learned from, not against whatever data was prepared last (``drift.reference=<path>`` overrides it). The
current data is a batch file or the service's prediction log (a ``.jsonl`` file: served traffic).

Each feature is tested on its own (two-sample Kolmogorov-Smirnov for numeric columns, chi-squared on the
category counts otherwise) at a Bonferroni-corrected level, and the batch is validated against the
inference suite. The step writes ``reports/drift/drift.json`` and ``reports/drift/drift.html`` and exits
non-zero when the batch fails validation (and on drift with ``drift.fail_on_drift=true``). Drift is a reason
to retrain, not to stop: ``uv run poe ct`` (:mod:`.ct`) monitors and, on drift, trains, evaluates and promotes.
"""

from __future__ import annotations

import html
import json
import logging
import sys
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import pandas as pd
from omegaconf import DictConfig
from scipy import stats

from .config import CONFIG_DIR, CONFIG_NAME
from .data import read_table
from .features import features_of
from .validation import INFERENCE_SUITE, load_suite, suite_path, validate_frame

log = logging.getLogger(__name__)


def feature_tests(reference: pd.DataFrame, current: pd.DataFrame, p_value: float) -> list[dict[str, Any]]:
    """One statistical test per shared feature, each at ``p_value / n_features``."""
    columns = [c for c in reference.columns if c in current.columns]
    if not columns:
        raise ValueError("the reference and the current batch share no column")
    alpha = p_value / len(columns)
    results = []
    for column in columns:
        ref, cur = reference[column].dropna(), current[column].dropna()
        if len(ref) == 0 or len(cur) == 0:
            results.append({"feature": column, "test": "none", "statistic": None, "p_value": 0.0, "drifted": True})
            continue
        if pd.api.types.is_numeric_dtype(ref) and pd.api.types.is_numeric_dtype(cur):
            test = stats.ks_2samp(ref.to_numpy(dtype=float), cur.to_numpy(dtype=float))
            name, statistic, p = "ks", float(test.statistic), float(test.pvalue)
        else:
            categories = sorted(set(ref.astype(str)) | set(cur.astype(str)))
            table = np.array(
                [
                    [int((ref.astype(str) == c).sum()) for c in categories],
                    [int((cur.astype(str) == c).sum()) for c in categories],
                ]
            )
            if len(categories) < 2:
                name, statistic, p = "chi2", 0.0, 1.0
            else:
                chi2 = stats.chi2_contingency(table)
                name, statistic, p = "chi2", float(chi2.statistic), float(chi2.pvalue)
        results.append({"feature": column, "test": name, "statistic": statistic, "p_value": p, "drifted": p < alpha})
    return results


def read_prediction_log(path: str | Path, model_version: str | None = None) -> pd.DataFrame:
    """The inputs of the served predictions in a prediction log (JSON lines written by the service)."""
    records = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                entry = json.loads(line)
                if model_version is None or str(entry["model_version"]) == str(model_version):
                    records.append(entry["inputs"])
    if not records:
        which = f" of version {model_version}" if model_version else ""
        raise ValueError(f"the prediction log {path} holds no prediction{which}")
    return pd.DataFrame.from_records(records)


def read_current(path: str | Path) -> pd.DataFrame:
    """A batch file (CSV, Parquet) or a prediction log (``.jsonl``)."""
    return read_prediction_log(path) if Path(path).suffix == ".jsonl" else read_table(path)


def champion_reference(cfg: DictConfig) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """The champion's training data (downloaded from its run) and where it came from; None without champion."""
    import mlflow

    from .tracking import alias_version, configure
    from .train import REFERENCE_ARTIFACT

    client = configure(cfg)
    champion = alias_version(client, cfg.mlflow.registered_model_name, cfg.evaluation.champion_alias)
    if champion is None:
        return None
    path = mlflow.artifacts.download_artifacts(f"runs:/{champion.run_id}/{REFERENCE_ARTIFACT}")
    source = {
        "reference": f"runs:/{champion.run_id}/{REFERENCE_ARTIFACT}",
        "champion_version": str(champion.version),
        "champion_run_id": champion.run_id,
    }
    return read_table(path), source


def drift_report(
    reference: pd.DataFrame, current: pd.DataFrame, cfg: DictConfig, source: dict[str, Any] | None = None
) -> dict[str, Any]:
    reference = features_of(reference, cfg.data.target)
    current = features_of(current, cfg.data.target)
    tests = feature_tests(reference, current, cfg.drift.p_value)
    drifted = [t["feature"] for t in tests if t["drifted"]]
    share = len(drifted) / len(tests)
    validation = validate_frame(current, load_suite(suite_path(cfg, INFERENCE_SUITE)))
    return {
        "reference": str(cfg.drift.reference),
        "champion_version": None,
        "champion_run_id": None,
        **(source or {}),
        "current": str(cfg.drift.current),
        "reference_rows": len(reference),
        "current_rows": len(current),
        "p_value": cfg.drift.p_value,
        "per_feature_alpha": cfg.drift.p_value / len(tests),
        "max_drifted_share": cfg.drift.max_drifted_share,
        "drifted_features": drifted,
        "drifted_share": share,
        "validation": validation.to_dict(),
        "drift_detected": share > cfg.drift.max_drifted_share,
        "passed": share <= cfg.drift.max_drifted_share and validation.success,
        "features": tests,
    }


STYLE = (
    "body { font-family: sans-serif; margin: 2rem } table { border-collapse: collapse } "
    "td, th { border: 1px solid #ccc; padding: .3rem .6rem } tr.drifted { background: #fdd }"
)


def render_html(report: dict[str, Any]) -> str:
    rows = "\n".join(
        "<tr class='{cls}'><td>{f}</td><td>{t}</td><td>{s}</td><td>{p:.3g}</td><td>{d}</td></tr>".format(
            cls="drifted" if t["drifted"] else "ok",
            f=html.escape(str(t["feature"])),
            t=t["test"],
            s="" if t["statistic"] is None else f"{t['statistic']:.4f}",
            p=t["p_value"],
            d="yes" if t["drifted"] else "no",
        )
        for t in report["features"]
    )
    failures = "".join(
        f"<li>{html.escape(str(f['expectation']))} ({html.escape(str(f['column'] or 'table'))})</li>"
        for f in report["validation"]["failures"]
    )
    verdict = "PASSED" if report["passed"] else "FAILED"
    drifted, allowed = format(report["drifted_share"], ".1%"), format(report["max_drifted_share"], ".1%")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report: {verdict}</title>
<style>{STYLE}</style></head>
<body><h1>Drift report: {verdict}</h1>
<p>Reference: {html.escape(report["reference"])} ({report["reference_rows"]} rows).
Current batch: {html.escape(report["current"])} ({report["current_rows"]} rows).</p>
<p>Drifted features: {len(report["drifted_features"])} ({drifted}; allowed {allowed}),
each tested at alpha = {report["per_feature_alpha"]:.2e}.</p>
<p>Expectation suite: {"passed" if report["validation"]["success"] else "failed"}</p><ul>{failures}</ul>
<table><thead><tr><th>feature</th><th>test</th><th>statistic</th><th>p-value</th><th>drifted</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
"""


def no_reference_report(current: pd.DataFrame, cfg: DictConfig) -> dict[str, Any]:
    """Without a champion there is nothing to drift from: only the contract of the current data is checked."""
    current = features_of(current, cfg.data.target)
    validation = validate_frame(current, load_suite(suite_path(cfg, INFERENCE_SUITE)))
    return {
        "reference": "none: no champion yet",
        "champion_version": None,
        "champion_run_id": None,
        "current": str(cfg.drift.current),
        "reference_rows": 0,
        "current_rows": len(current),
        "p_value": cfg.drift.p_value,
        "per_feature_alpha": cfg.drift.p_value,
        "max_drifted_share": cfg.drift.max_drifted_share,
        "drifted_features": [],
        "drifted_share": 0.0,
        "validation": validation.to_dict(),
        "drift_detected": False,
        "passed": validation.success,
        "features": [],
    }


def run_drift(cfg: DictConfig) -> dict[str, Any]:
    current = read_current(cfg.drift.current)
    if cfg.drift.reference:
        report = drift_report(read_table(cfg.drift.reference), current, cfg)
    else:
        found = champion_reference(cfg)
        if found is None:
            report = no_reference_report(current, cfg)
        else:
            report = drift_report(found[0], current, cfg, source=found[1])
    out = Path(cfg.paths.reports_dir) / "drift"
    out.mkdir(parents=True, exist_ok=True)
    (out / "drift.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / "drift.html").write_text(render_html(report), encoding="utf-8")
    log.info("drift report written to %s: %s", out, "passed" if report["passed"] else "FAILED")
    return report


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    report = run_drift(cfg)
    if not report["validation"]["success"]:
        log.error("the current data violates the contract: fix the data pipeline before anything learns from it")
        sys.exit(1)
    if report["drift_detected"]:
        log.warning("drift detected in %s: retrain (`uv run poe ct` does it on drift)", report["drifted_features"])
        if cfg.drift.fail_on_drift:
            sys.exit(1)


if __name__ == "__main__":
    main()
