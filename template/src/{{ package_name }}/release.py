"""Release and rollback: pin the model version that the service runs.

``uv run poe release`` resolves the ``champion`` alias once, at deploy time, and records the immutable
``models:/<name>/<version>`` in ``artifacts/release/model.json`` (and prints it): the service and the
deploy manifests load that version, so a promotion changes production only through a new deploy, and every
pod of a deploy runs the same model. ``uv run poe rollback`` moves ``champion`` back to the version the
current champion replaced (or ``release.rollback_to=<version>``) and records that version as the release.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from .config import CONFIG_DIR, CONFIG_NAME
from .tracking import alias_version, configure

log = logging.getLogger(__name__)


def release(cfg: DictConfig) -> dict[str, Any]:
    """Resolve the champion alias to its version and record it in ``release.output``."""
    client = configure(cfg)
    name, alias = cfg.mlflow.registered_model_name, cfg.evaluation.champion_alias
    version = alias_version(client, name, alias)
    if version is None:
        raise LookupError(f"model {name!r} has no {alias!r} version yet: run the pipeline first")
    record = {
        "model_name": name,
        "alias": alias,
        "model_version": str(version.version),
        "model_uri": f"models:/{name}/{version.version}",
        "run_id": version.run_id,
        "resolved_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    output = Path(cfg.release.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    log.info("release: %s@%s is %s", name, alias, record["model_uri"])
    return record


def rollback(cfg: DictConfig) -> dict[str, Any]:
    """Make the previous champion (or ``release.rollback_to``) the champion again, then release it."""
    client = configure(cfg)
    name, alias = cfg.mlflow.registered_model_name, cfg.evaluation.champion_alias
    current = alias_version(client, name, alias)
    if current is None:
        raise LookupError(f"model {name!r} has no {alias!r} version: nothing to roll back")
    target = str(cfg.release.rollback_to or current.tags.get("previous_champion", ""))
    if not target:
        raise LookupError(f"version {current.version} replaced no champion: set release.rollback_to=<version>")
    client.get_model_version(name, target)  # fails loudly on an unknown version
    client.set_registered_model_alias(name, alias, target)
    client.set_model_version_tag(name, str(current.version), "rolled_back_to", target)
    client.set_model_version_tag(name, target, "rolled_back_from", str(current.version))
    log.warning("rollback: %s@%s moved from version %s to %s", name, alias, current.version, target)
    return release(cfg)


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def main(cfg: DictConfig) -> None:
    sys.stdout.write(json.dumps(release(cfg)) + "\n")


@hydra.main(config_path=str(CONFIG_DIR), config_name=CONFIG_NAME, version_base="1.3")
def rollback_main(cfg: DictConfig) -> None:
    sys.stdout.write(json.dumps(rollback(cfg)) + "\n")


if __name__ == "__main__":
    main()
