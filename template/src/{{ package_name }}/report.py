"""Metrics report: the last evaluation as a Markdown table (candidate, champion, thresholds).

CI appends it to the pull request's job summary, so reviewers see how a change moves the metrics.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from .config import CONFIG_DIR, CONFIG_NAME


def render_markdown(decision: dict[str, Any], thresholds: dict[str, float]) -> str:
    candidate = decision["candidate_metrics"]
    champion = decision.get("champion_metrics") or {}
    lines = [
        f"### Model metrics: {decision['decision']} (run {decision['candidate_run_id']}, "
        f"version {decision.get('candidate_version') or 'not registered'})",
        "",
        f"{decision.get('reason', '')}",
        "",
        f"Hold-out: {decision.get('holdout_rows', 0)} rows that no model trained on"
        + (
            f"; paired bootstrap of the difference: lower bound {guard['lower_bound']:+.4f} "
            f"at {guard['confidence'] * 100:.0f}%, p = {guard['p_value']:.3f}"
            if (guard := decision.get("guard"))
            else ""
        )
        + ".",
        "",
        "| metric | candidate | champion | change | threshold |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, value in sorted(candidate.items()):
        old = champion.get(name)
        change = "" if old is None else f"{value - old:+.4f}"
        limit = thresholds.get(name)
        lines.append(
            f"| {name} | {value:.4f} | {'' if old is None else f'{old:.4f}'} | {change} | "
            f"{'' if limit is None else f'>= {limit}'} |"
        )
    return "\n".join(lines) + "\n"


def render_openmetrics(decision: dict[str, Any]) -> str:
    """``name value`` lines: GitLab compares them with the target branch in the merge request."""
    candidate, champion = decision["candidate_metrics"], decision.get("champion_metrics") or {}
    lines = [f"candidate_{name} {value:.6f}" for name, value in sorted(candidate.items())]
    lines += [f"champion_{name} {value:.6f}" for name, value in sorted(champion.items())]
    return "\n".join(lines) + "\n"


def report(cfg: DictConfig) -> str:
    path = Path(cfg.paths.artifacts_dir) / "evaluate" / "decision.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `uv run poe evaluate` (or the pipeline) first")
    decision = json.loads(path.read_text(encoding="utf-8"))
    if cfg.report.format == "openmetrics":
        return render_openmetrics(decision)
    if cfg.report.format != "markdown":
        raise ValueError(f"report.format must be markdown or openmetrics, not {cfg.report.format!r}")
    return render_markdown(decision, dict(cfg.evaluation.thresholds))


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    sys.stdout.write(report(cfg))


if __name__ == "__main__":
    main()
