"""Hatch build hook: bundle the template (copier.yml + template/) into the wheel as mlops_audit/_template.

Editable installs skip it: the package then finds the template at the checkout's root.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class TemplateBundleHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        build_data["force_include"]["copier.yml"] = "mlops_audit/_template/copier.yml"
        build_data["force_include"]["template"] = "mlops_audit/_template/template"
