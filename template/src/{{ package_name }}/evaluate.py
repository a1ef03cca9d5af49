"""Evaluation and promotion: a fair comparison on the hold-out, then registration of a winner only.

The candidate (the model of the last training run) and the current champion are both scored on the
hold-out: rows assigned by a stable hash of their key (see :func:`.data.holdout_mask`), so neither model
trained on them, and rows stay in the hold-out when the data grows. Both are loaded through ``mlflow.pyfunc``
(:mod:`.classifier`), whatever their flavour. The candidate replaces the champion only
when it

1. reaches every threshold of ``evaluation.thresholds``,
2. beats the champion's ``primary_metric`` by at least ``evaluation.min_improvement``, and
3. passes the statistical guard: a paired, stratified bootstrap of the metric difference on the hold-out
   whose one-sided lower bound at ``guard.confidence`` is above zero (hold-outs of a few dozen rows cannot
   tell a 0.005 gain from noise, and the guard says so).

Only a promoted candidate is registered (a new model version, with the ``champion`` alias). Every decision
is an MLflow run (``stage=evaluate``) with the hold-out as input, the decision and its reason as tags, the
candidate's and champion's metrics, the guard's numbers, and the validation and drift reports as artifacts;
the candidate's training run gets the decision and reason as tags too. A candidate below a threshold is
``rejected`` and the step exits non-zero; a valid one that is not better is ``not_promoted`` (exit 0).
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import hydra
import mlflow
from mlflow.tracking import MlflowClient
from omegaconf import DictConfig

from .classifier import load_classifier
from .config import CONFIG_DIR, CONFIG_NAME
from .data import read_table, split_holdout
from .features import features_of
from .hashing import frame_sha256
from .metrics import check_known, compute_metrics, paired_bootstrap
from .tracking import alias_version, configure, log_dataset

log = logging.getLogger(__name__)

PROMOTED = "promoted"
NOT_PROMOTED = "not_promoted"
REJECTED = "rejected"
ALREADY_CHAMPION = "already_champion"
DECISION_ARTIFACT = "evaluation/decision.json"


@dataclass
class Decision:
    decision: str
    model_name: str
    candidate_run_id: str
    candidate_metrics: dict[str, float]
    reason: str
    candidate_version: str | None = None
    champion_version: str | None = None
    champion_metrics: dict[str, float] | None = None
    failed_thresholds: list[str] | None = None
    guard: dict[str, Any] | None = None
    holdout_rows: int = 0
    holdout_sha256: str = ""
    evaluation_run_id: str | None = None

    @property
    def promoted(self) -> bool:
        return self.decision == PROMOTED

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "promoted": self.promoted}


def candidate_run(cfg: DictConfig) -> str:
    """The training run to evaluate: ``evaluation.run_id``, else the run recorded by the last ``train``."""
    if cfg.evaluation.run_id:
        return str(cfg.evaluation.run_id)
    last = Path(cfg.paths.artifacts_dir) / "train" / "last_run.json"
    if not last.is_file():
        raise FileNotFoundError(f"{last} not found: run `uv run poe train` first (or set evaluation.run_id)")
    return str(json.loads(last.read_text(encoding="utf-8"))["run_id"])


def failed_thresholds(metrics: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    return [f"{name}={metrics[name]:.4f} < {low}" for name, low in thresholds.items() if metrics[name] < low]


def decide(
    candidate: dict[str, float],
    champion: dict[str, float] | None,
    thresholds: dict[str, float],
    primary_metric: str,
    min_improvement: float,
    guard: dict[str, Any] | None = None,
) -> tuple[str, list[str], str]:
    """Pure promotion rule: (decision, failed thresholds, reason). ``guard`` is a :func:`paired_bootstrap`
    result, or None when no guard applies (no champion, or ``guard.method=none``)."""
    failed = failed_thresholds(candidate, thresholds)
    if failed:
        return REJECTED, failed, "below threshold: " + ", ".join(failed)
    if champion is None:
        return PROMOTED, [], "no champion yet"
    new, old = candidate[primary_metric], champion[primary_metric]
    versus = f"{primary_metric} {new:.4f} vs the champion's {old:.4f}"
    if new - old < min_improvement:
        return NOT_PROMOTED, [], f"{versus}: not better by {min_improvement} or more"
    if guard is None:
        return PROMOTED, [], f"{versus}: better by {min_improvement} or more"
    bound = f"one-sided {guard['confidence'] * 100:.0f}% bootstrap lower bound {guard['lower_bound']:+.4f}"
    if not guard["lower_bound"] > 0:
        return (
            NOT_PROMOTED,
            [],
            (
                f"{versus}: the gain is not significant on the {guard['rows']}-row hold-out "
                f"({bound} <= 0, p = {guard['p_value']:.3f})"
            ),
        )
    return PROMOTED, [], f"{versus}: better by {min_improvement} or more and significant ({bound} > 0)"


def _log_reports(cfg: DictConfig) -> None:
    """The validation and drift reports of this loop iteration, next to the decision they informed."""
    reports = Path(cfg.paths.reports_dir)
    for path in (reports / "validation.json", reports / "drift" / "drift.json", reports / "drift" / "drift.html"):
        if path.is_file():
            mlflow.log_artifact(str(path), "reports" if path.parent == reports else "reports/drift")


def _register(client: MlflowClient, cfg: DictConfig, decision: Decision, previous: str | None) -> str:
    name = decision.model_name
    run = client.get_run(decision.candidate_run_id)
    model_uri = run.data.tags.get("model_uri") or f"runs:/{decision.candidate_run_id}/model"
    registered = mlflow.register_model(model_uri, name)
    version = str(registered.version)
    tags = {
        "run_id": decision.candidate_run_id,
        "evaluation_run_id": str(decision.evaluation_run_id),
        "validation_status": "passed",
        "promotion_decision": PROMOTED,
        "promotion_reason": decision.reason,
        "holdout_sha256": decision.holdout_sha256,
    }
    if previous is not None:
        tags["previous_champion"] = previous
    for key, value in tags.items():
        client.set_model_version_tag(name, version, key, value)
    client.set_registered_model_alias(name, cfg.evaluation.champion_alias, version)
    if previous is not None:
        client.set_model_version_tag(name, previous, "replaced_by", version)
    return version


def evaluate_and_promote(cfg: DictConfig) -> Decision:
    ev = cfg.evaluation
    check_known([ev.primary_metric, *ev.thresholds])
    client = configure(cfg)
    name = cfg.mlflow.registered_model_name
    run_id = candidate_run(cfg)

    dataset = read_table(cfg.paths.dataset)
    _, holdout = split_holdout(dataset, cfg)
    x_test, y_test = features_of(holdout, cfg.data.target), holdout[cfg.data.target]
    candidate = load_classifier(f"runs:/{run_id}/model")
    candidate_metrics = compute_metrics(candidate, x_test, y_test)

    champion = alias_version(client, name, ev.champion_alias)
    champion_version = str(champion.version) if champion is not None else None
    decision = Decision("", name, run_id, candidate_metrics, "", champion_version=champion_version)
    decision.holdout_rows, decision.holdout_sha256 = len(holdout), frame_sha256(holdout)
    if champion is not None and champion.run_id == run_id:
        decision.decision, decision.reason = ALREADY_CHAMPION, f"the candidate already is version {champion_version}"
        decision.candidate_version = champion_version
        decision.champion_metrics = candidate_metrics
    else:
        guard = None
        if champion is not None:
            champion_model = load_classifier(f"models:/{name}/{champion_version}")
            decision.champion_metrics = compute_metrics(champion_model, x_test, y_test)
            if ev.guard.method == "paired_bootstrap":
                guard = paired_bootstrap(
                    ev.primary_metric,
                    y_test,
                    candidate,
                    champion_model,
                    x_test,
                    resamples=ev.guard.resamples,
                    confidence=ev.guard.confidence,
                    seed=cfg.seed,
                )
            elif ev.guard.method != "none":
                raise ValueError(f"evaluation.guard.method must be paired_bootstrap or none, not {ev.guard.method!r}")
        decision.guard = guard
        decision.decision, decision.failed_thresholds, decision.reason = decide(
            candidate_metrics,
            decision.champion_metrics,
            dict(ev.thresholds),
            ev.primary_metric,
            ev.min_improvement,
            guard,
        )

    with mlflow.start_run(run_name=f"evaluate-{run_id[:8]}") as run:
        decision.evaluation_run_id = run.info.run_id
        mlflow.set_tags(
            {
                "stage": "evaluate",
                "candidate_run_id": run_id,
                "champion_version": str(champion_version),
                "decision": decision.decision,
                "reason": decision.reason,
                "holdout_sha256": decision.holdout_sha256,
            }
        )
        log_dataset(holdout, cfg.paths.dataset, cfg.data.target, "holdout", "evaluation")
        mlflow.log_metrics({f"candidate_{k}": v for k, v in candidate_metrics.items()})
        if decision.champion_metrics:
            mlflow.log_metrics({f"champion_{k}": v for k, v in decision.champion_metrics.items()})
        if decision.guard:
            mlflow.log_metrics({f"guard_{k}": float(v) for k, v in decision.guard.items()})
        _log_reports(cfg)
        if decision.decision == PROMOTED:
            decision.candidate_version = _register(client, cfg, decision, champion_version)
            mlflow.set_tag("model_version", decision.candidate_version)
        mlflow.log_dict(decision.to_dict(), DECISION_ARTIFACT)
    for key, value in {
        "promotion_decision": decision.decision,
        "promotion_reason": decision.reason,
        "evaluation_run_id": str(decision.evaluation_run_id),
        "model_version": str(decision.candidate_version),
    }.items():
        client.set_tag(run_id, key, value)

    out = Path(cfg.paths.artifacts_dir) / "evaluate"
    out.mkdir(parents=True, exist_ok=True)
    (out / "decision.json").write_text(json.dumps(decision.to_dict(), indent=2) + "\n", encoding="utf-8")
    log.info("%s: run %s, version %s (%s)", decision.decision, run_id, decision.candidate_version, decision.reason)
    return decision


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    decision = evaluate_and_promote(cfg)
    if decision.decision == REJECTED:
        log.error("the model of run %s is rejected: %s", decision.candidate_run_id, decision.reason)
        sys.exit(1)


if __name__ == "__main__":
    main()
