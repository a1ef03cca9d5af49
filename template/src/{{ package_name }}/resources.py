"""Compute resources of a training run (``configs/resources/``: ``local`` or ``gpu``).

``resources.device`` is checked before any work: ``cuda`` needs as many visible GPUs as ``resources.gpus``
(a scheduler's allocation in ``CUDA_VISIBLE_DEVICES``, else ``nvidia-smi -L``), so a GPU job on a node without
one fails at once instead of silently training on the CPU. ``resources.num_workers`` caps the threads of the
estimator's native code (BLAS, OpenMP) during fit. ``resources.cpus`` and ``resources.gpus`` are what a
scheduler reserves: a Ray job (:mod:`.ray_job`) and the Kubernetes Jobs of ``deploy/k8s/jobs/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from omegaconf import DictConfig
from threadpoolctl import threadpool_limits

DEVICES = ("cpu", "cuda")


class DeviceUnavailableError(RuntimeError):
    """The configured device is not available to this process."""


def visible_gpus() -> list[str]:
    """The GPUs this process may use."""
    allocated = os.environ.get("CUDA_VISIBLE_DEVICES")
    if allocated is not None:
        return [d.strip() for d in allocated.split(",") if d.strip() and d.strip() != "-1"]
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    listing = subprocess.run([smi, "-L"], capture_output=True, text=True, check=False)
    return [line for line in listing.stdout.splitlines() if line.startswith("GPU ")] if listing.returncode == 0 else []


def check_device(resources: DictConfig) -> None:
    device = str(resources.device).split(":")[0]
    if device not in DEVICES:
        raise ValueError(f"resources.device={resources.device!r}: expected one of {', '.join(DEVICES)}")
    if device == "cuda":
        needed = max(int(resources.gpus), 1)
        gpus = visible_gpus()
        if len(gpus) < needed:
            raise DeviceUnavailableError(
                f"resources.device={resources.device} needs {needed} GPU(s) but {len(gpus)} are visible "
                "(CUDA_VISIBLE_DEVICES / nvidia-smi): run on a GPU node, or use resources=local"
            )


@contextmanager
def use_resources(resources: DictConfig) -> Iterator[None]:
    """Check the device, then cap the native thread pools at ``resources.num_workers`` for the block."""
    check_device(resources)
    if int(resources.num_workers) < 1:
        raise ValueError(f"resources.num_workers={resources.num_workers}: at least 1")
    with threadpool_limits(limits=int(resources.num_workers)):
        yield
