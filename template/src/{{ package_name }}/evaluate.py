"""Evaluation and promotion.

The candidate (the model version registered by the last training run) and the current champion are both
scored on the same held-out split of the current data. The candidate becomes ``champion`` only when it
reaches every threshold of ``evaluation.thresholds`` *and* beats the champion's primary metric by more than
``evaluation.min_improvement``. A valid candidate that does not beat the champion gets the ``challenger``
alias. A candidate that misses a threshold is tagged ``validation_status=failed`` and the step exits
non-zero; the champion is never replaced by it.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import hydra
import mlflow
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig

from .config import CONFIG_DIR, CONFIG_NAME
from .data import read_table, split_holdout
from .features import features_of
from .metrics import check_known, compute_metrics
from .tracking import alias_version, configure

log = logging.getLogger(__name__)

PROMOTED = "promoted"
CHALLENGER = "challenger"
REJECTED = "rejected"
ALREADY_CHAMPION = "already_champion"


@dataclass
class Decision:
    decision: str
    model_name: str
    candidate_version: str
    candidate_metrics: dict[str, float]
    champion_version: str | None = None
    champion_metrics: dict[str, float] | None = None
    failed_thresholds: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def promoted(self) -> bool:
        return self.decision == PROMOTED

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "promoted": self.promoted}


def _candidate(cfg: DictConfig, client: MlflowClient) -> str:
    """The model version to evaluate: of ``evaluation.run_id``, else of the last training run."""
    name = cfg.mlflow.registered_model_name
    run_id = cfg.evaluation.run_id
    if not run_id:
        last = Path(cfg.paths.artifacts_dir) / "train" / "last_run.json"
        if not last.is_file():
            raise FileNotFoundError(f"{last} not found: run `uv run poe train` first (or set evaluation.run_id)")
        record = json.loads(last.read_text(encoding="utf-8"))
        if record.get("model_version"):
            return str(record["model_version"])
        run_id = record["run_id"]
    versions = client.search_model_versions(f"name = '{name}' and run_id = '{run_id}'")
    if not versions:
        raise LookupError(f"run {run_id} has no registered version of model {name!r}")
    return str(max(int(v.version) for v in versions))


def failed_thresholds(metrics: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    return [f"{name}={metrics[name]:.4f} < {low}" for name, low in thresholds.items() if metrics[name] < low]


def decide(
    candidate: dict[str, float],
    champion: dict[str, float] | None,
    thresholds: dict[str, float],
    primary_metric: str,
    min_improvement: float,
) -> tuple[str, list[str], str]:
    """Pure promotion rule: (decision, failed thresholds, reason)."""
    failed = failed_thresholds(candidate, thresholds)
    if failed:
        return REJECTED, failed, "below threshold: " + ", ".join(failed)
    if champion is None:
        return PROMOTED, [], "no champion yet"
    new, old = candidate[primary_metric], champion[primary_metric]
    if new > old + min_improvement:
        return PROMOTED, [], f"{primary_metric} {new:.4f} beats the champion's {old:.4f}"
    return CHALLENGER, [], f"{primary_metric} {new:.4f} does not beat the champion's {old:.4f} by > {min_improvement}"


def evaluate_and_promote(cfg: DictConfig) -> Decision:
    ev = cfg.evaluation
    check_known([ev.primary_metric, *ev.thresholds])
    client = configure(cfg)
    name = cfg.mlflow.registered_model_name
    version = _candidate(cfg, client)

    dataset = read_table(cfg.paths.dataset)
    _, test = split_holdout(dataset, cfg)
    x_test, y_test = features_of(test, cfg.data.target), test[cfg.data.target]
    candidate_metrics = compute_metrics(mlflow.sklearn.load_model(f"models:/{name}/{version}"), x_test, y_test)

    champion = alias_version(client, name, ev.champion_alias)
    champion_version = str(champion.version) if champion is not None else None
    champion_metrics = None
    if champion_version is not None and champion_version != version:
        champion_model = mlflow.sklearn.load_model(f"models:/{name}/{champion_version}")
        champion_metrics = compute_metrics(champion_model, x_test, y_test)

    if champion_version == version:
        decision = Decision(ALREADY_CHAMPION, name, version, candidate_metrics, version, candidate_metrics)
        decision.reason = "the candidate already is the champion"
    else:
        verdict, failed, reason = decide(
            candidate_metrics, champion_metrics, dict(ev.thresholds), ev.primary_metric, ev.min_improvement
        )
        decision = Decision(
            verdict,
            name,
            version,
            candidate_metrics,
            champion_version,
            champion_metrics,
            failed,
            reason,
        )
        client.set_model_version_tag(name, version, "validation_status", "failed" if failed else "passed")
        if verdict == PROMOTED:
            client.set_registered_model_alias(name, ev.champion_alias, version)
            if champion_version is not None:
                client.set_model_version_tag(name, champion_version, "replaced_by", version)
        elif verdict == CHALLENGER:
            client.set_registered_model_alias(name, ev.challenger_alias, version)
        client.set_model_version_tag(name, version, "promotion_decision", verdict)

    out = Path(cfg.paths.artifacts_dir) / "evaluate"
    out.mkdir(parents=True, exist_ok=True)
    (out / "decision.json").write_text(json.dumps(decision.to_dict(), indent=2) + "\n", encoding="utf-8")
    log.info("%s: version %s (%s)", decision.decision, version, decision.reason)
    return decision


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    decision = evaluate_and_promote(cfg)
    if decision.decision == REJECTED:
        log.error("model version %s rejected: %s", decision.candidate_version, decision.reason)
        sys.exit(1)


if __name__ == "__main__":
    main()
