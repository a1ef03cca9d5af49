"""The CI providers: which files configure which system, and ONE parser module per system.

Each module exposes ``parse(repo, path) -> Pipeline``; :data:`PARSERS` maps a provider name to it, in the order
providers are reported. Adding a provider = a module here, a row in :data:`PARSERS`, and a rule in
:func:`provider_of` recognising its files.
"""

from __future__ import annotations

from collections.abc import Callable

from ....repo import Repo, memoized
from ..model import Pipeline
from . import azure, bitbucket, circleci, github, gitlab, jenkins

PARSERS: dict[str, Callable[[Repo, str], Pipeline]] = {
    "github": github.parse,
    "gitlab": gitlab.parse,
    "azure": azure.parse,
    "circleci": circleci.parse,
    "jenkins": jenkins.parse,
    "bitbucket": bitbucket.parse,
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
    return found


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
