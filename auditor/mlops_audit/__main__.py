"""``python -m mlops_audit`` is the ``mlops-audit`` command."""

from .cli import main

main()
