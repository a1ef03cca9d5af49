"""Example mlops-audit plugin (see docs/plugins.md)."""
