"""The CI providers: which files configure which system, and ONE parser module per system.

Each module exposes ``parse(repo, path) -> Pipeline``; :data:`PARSERS` maps a provider name to it, in the order
providers are reported. Adding a provider = a module here, a row in :data:`PARSERS`, and a rule in
:func:`provider_of` recognising its files.
"""

from __future__ import annotations

from collections.abc import Callable

from ....repo import Repo, memoized
from ..model import Pipeline
from . import azure, bitbucket, circleci, cloudbuild, github, gitlab, jenkins

PARSERS: dict[str, Callable[[Repo, str], Pipeline]] = {
    "github": github.parse,
    "gitlab": gitlab.parse,
    "azure": azure.parse,
    "circleci": circleci.parse,
    "jenkins": jenkins.parse,
    "bitbucket": bitbucket.parse,
    "cloudbuild": cloudbuild.parse,
}
PROVIDERS = tuple(PARSERS)


@memoized
def ci_files(repo: Repo) -> dict[str, list[str]]:
    """CI configuration files by provider (only providers with files)."""
    found: dict[str, list[str]] = {}
    for path in repo.entries:
        provider = provider_of(path)
        if provider:
            found.setdefault(provider, []).append(path)
    azure_named = set(found.get("azure", ()))
    for path in azure_pipelines_by_content(repo):
        if path not in azure_named:
            found.setdefault("azure", []).append(path)
    taken = {p for paths in found.values() for p in paths}
    for path in cloudbuild.cloudbuild_files(repo):
        if path not in taken:
            found.setdefault("cloudbuild", []).append(path)
    return found


_AZURE_MARKERS = (b"vmImage", b"- task:", b"- script:", b"- bash:", b"- stage:", b"- job:")
_AZURE_DIRS = ("pipeline", "devops", "azure", "ci", "build")


def azure_pipelines_by_content(repo: Repo) -> list[str]:
    """Azure Pipelines files kept under any name (``.pipelines/ci.yml``, ``mlops/devops-pipelines/x.yml``):
    a YAML file in a directory named for pipelines or DevOps whose top level has ``trigger``/``pr``/``pool``
    and ``stages``/``jobs``/``steps``, with Azure's step or pool syntax (``- task:``, ``vmImage``)."""
    from ...yamlfile import load_yaml

    candidates = [
        path
        for path, entry in repo.entries.items()
        if entry.suffix in (".yml", ".yaml")
        and "/" in path
        and not path.startswith((".github/", ".gitlab", ".circleci/"))
        and any(word in path.rsplit("/", 1)[0].lower() for word in _AZURE_DIRS)
        and repo.smaller_than(path, 1_000_000)
    ]
    out = []
    for path in repo.grep(candidates, *_AZURE_MARKERS):
        data = load_yaml(repo, path)
        if not isinstance(data, dict):
            continue
        keys = set(data)
        if keys & {"trigger", "pr", "pool", "resources", "schedules"} and keys & {"stages", "jobs", "steps"}:
            out.append(path)
    return out


def provider_of(path: str) -> str | None:
    """The CI provider configured by ``path``, if any."""
    lower = path.lower()
    name = lower.rsplit("/", 1)[-1]
    if lower.startswith(".github/workflows/") and lower.count("/") == 2 and lower.endswith((".yml", ".yaml")):
        return "github"
    if lower == ".gitlab-ci.yml" or lower == ".gitlab-ci.yaml":
        return "gitlab"
    if ("/" not in lower and name.startswith("azure-pipelines") and name.endswith((".yml", ".yaml"))) or (
        lower.startswith((".azure-pipelines/", ".azuredevops/")) and lower.endswith((".yml", ".yaml"))
    ):
        return "azure"
    if lower.startswith(".circleci/") and lower.endswith((".yml", ".yaml")):
        return "circleci"
    if name == "jenkinsfile" or name.startswith("jenkinsfile.") or name.endswith(".jenkinsfile"):
        return "jenkins"
    if lower == "bitbucket-pipelines.yml" or lower == "bitbucket-pipelines.yaml":
        return "bitbucket"
    return None


@memoized
def pipelines(repo: Repo) -> list[Pipeline]:
    """Every CI pipeline of the repository, parsed once (unparsable files give ``parsed=False``)."""
    out: list[Pipeline] = []
    for provider, paths in ci_files(repo).items():
        parser = PARSERS[provider]
        for path in paths:
            if provider == "circleci" and not path.endswith(("config.yml", "config.yaml")):
                continue  # other .circleci/*.yml files are orbs or continuation configs
            try:
                out.append(parser(repo, path))
            except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as exc:
                repo.note(path, f"CI configuration not understood: {type(exc).__name__}: {exc}")
                out.append(Pipeline(provider, path, parsed=False))
    return out


def providers(repo: Repo) -> list[str]:
    """The CI providers the repository uses, in :data:`PROVIDERS` order."""
    return [p for p in PROVIDERS if p in ci_files(repo)]
