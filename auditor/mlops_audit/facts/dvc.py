"""DVC facts: ``dvc.yaml`` stages, ``dvc.lock``, ``*.dvc`` pointer files and ``.dvc/config`` remotes.

Everything is parsed from the files (YAML and INI, tolerantly); ``dvc`` is never imported nor run, so a remote
declared in ``.dvc/config`` counts on a machine without DVC installed. Data versioning (the ``data_versioning``
report fact) also recognises git-lfs patterns for data and lakeFS.
"""

from __future__ import annotations

import configparser
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from .. import lazyre
from ..needles import declare
from ..repo import Repo, memoized
from . import FactValue, inventory, report_fact
from .git import DATA_DIRS, DATA_SUFFIXES, MODEL_SUFFIXES, is_model_file, lfs_patterns
from .yamlfile import line_of, load_yaml


@dataclass(frozen=True)
class Stage:
    """One stage of a ``dvc.yaml`` (``foreach``/``matrix`` stages count once, with their template)."""

    name: str
    path: str  # the dvc.yaml
    line: int | None
    cmd: tuple[str, ...] = ()
    deps: tuple[str, ...] = ()
    outs: tuple[str, ...] = ()  # outs, metrics and plots files, relative to the dvc.yaml's directory
    params: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pointer:
    """A ``*.dvc`` file and the outputs it tracks (paths relative to the repository root)."""

    path: str
    outs: tuple[str, ...]


@dataclass(frozen=True)
class Remote:
    name: str
    url: str
    path: str  # .dvc/config or .dvc/config.local
    line: int | None


@dataclass(frozen=True)
class DvcConfig:
    remotes: tuple[Remote, ...] = ()
    default_remote: str | None = None
    default_line: int | None = None
    paths: tuple[str, ...] = field(default_factory=tuple)


def _dir(path: str) -> str:
    return path.rsplit("/", 1)[0] + "/" if "/" in path else ""


def _norm(base: str, rel: str) -> str:
    joined = posixpath.normpath(base + rel.strip())
    return "" if joined == "." else joined


def _as_names(value: Any) -> tuple[str, ...]:
    """``deps``/``outs``/``params`` entries: strings, or one-key mappings ``{path: {cache: false}}``."""
    if value is None:
        return ()
    if isinstance(value, (str, int, float)):
        return (str(value),)
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, list) and v:  # params: {params.yaml: [a, b]} -> "params.yaml:a"
                out.extend(f"{k}:{x}" for x in v if isinstance(x, str))
            else:
                out.append(str(k))
        return tuple(out)
    if isinstance(value, list):
        for item in value:
            out.extend(_as_names(item))
    return tuple(out)


@memoized
def dvc_yaml_files(repo: Repo) -> list[str]:
    return repo.named("dvc.yaml")


@memoized
def lock_files(repo: Repo) -> list[str]:
    return repo.named("dvc.lock")


@memoized
def stages(repo: Repo) -> list[Stage]:
    """Every stage of every ``dvc.yaml``; deps/outs rebased to the repository root."""
    out: list[Stage] = []
    for path in dvc_yaml_files(repo):
        data = load_yaml(repo, path)
        if not isinstance(data, dict):
            continue
        raw = data.get("stages")
        if not isinstance(raw, dict):
            if raw is not None:
                repo.note(path, "dvc.yaml: 'stages' is not a mapping")
            continue
        base = _dir(path)
        for name, body in raw.items():
            if not isinstance(body, dict):
                continue
            if isinstance(body.get("do"), dict):  # foreach: ... do: {...}
                body = body["do"]
            cmd = body.get("cmd")
            cmds = tuple(str(c) for c in cmd) if isinstance(cmd, list) else ((str(cmd),) if cmd else ())
            wdir = body.get("wdir")
            stage_base = (
                _dir(_norm(base, str(wdir)) + "/x") if isinstance(wdir, str) and wdir.strip(". /") else base
            )
            outs = (
                *_as_names(body.get("outs")),
                *_as_names(body.get("metrics")),
                *_as_names(body.get("plots")),
            )
            out.append(
                Stage(
                    name=str(name),
                    path=path,
                    line=line_of(raw, name),
                    cmd=cmds,
                    deps=tuple(_norm(stage_base, d) for d in _as_names(body.get("deps"))),
                    outs=tuple(_norm(stage_base, o) for o in outs),
                    params=_as_names(body.get("params")),
                    metrics=tuple(_norm(stage_base, m) for m in _as_names(body.get("metrics"))),
                )
            )
    return out


@memoized
def pointers(repo: Repo) -> list[Pointer]:
    """``*.dvc`` files (outside the ``.dvc/`` directory) and the paths they track."""
    out = []
    for path in repo.with_suffix(".dvc"):
        if path.startswith(".dvc/") or "/.dvc/" in path:
            continue
        data = load_yaml(repo, path)
        outs: list[str] = []
        if isinstance(data, dict) and isinstance(data.get("outs"), list):
            for item in data["outs"]:
                if isinstance(item, dict) and isinstance(item.get("path"), str):
                    outs.append(_norm(_dir(path), item["path"]))
        if not outs:  # a pointer we cannot read still says "this path is versioned by DVC"
            outs.append(path[: -len(".dvc")])
        out.append(Pointer(path, tuple(outs)))
    return out


def _config_paths(repo: Repo) -> list[str]:
    return [p for p in (".dvc/config", ".dvc/config.local") if p in repo.entries]


@memoized
def config(repo: Repo) -> DvcConfig:
    """Remotes and the default remote from ``.dvc/config`` (and ``.dvc/config.local`` when listed)."""
    remotes: list[Remote] = []
    default: str | None = None
    default_line: int | None = None
    paths = _config_paths(repo)
    for path in paths:
        text = repo.read_text(path)
        if text is None:
            continue
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        try:
            parser.read_string(text, source=path)
        except configparser.Error as exc:
            repo.note(path, f"malformed DVC config: {str(exc).splitlines()[0]}")
            continue
        lines = text.splitlines()
        for raw_section in parser.sections():
            section = raw_section.strip().strip("'")
            m = re.match(r"""^\s*remote\s+["']?([^"']+)["']?\s*$""", section)
            if m:
                name = m.group(1).strip()
                url = parser.get(raw_section, "url", fallback="")
                line = _find_line(lines, rf"""^\s*\[\s*['"]?remote\s+["']?{re.escape(name)}""")
                remotes.append(Remote(name, url, path, line))
            elif section.strip('"') == "core" and parser.has_option(raw_section, "remote"):
                default = parser.get(raw_section, "remote").strip()
                default_line = _find_line(lines, r"^\s*remote\s*=")
    return DvcConfig(tuple(remotes), default, default_line, tuple(paths))


def _find_line(lines: list[str], pattern: str) -> int | None:
    rx = re.compile(pattern, re.IGNORECASE)
    return next((i for i, text in enumerate(lines, 1) if rx.search(text)), None)


def uses_dvc(repo: Repo) -> bool:
    return bool(dvc_yaml_files(repo) or pointers(repo) or ".dvc/config" in repo.entries)


@memoized
def tracked_outputs(repo: Repo) -> list[str]:
    """Paths versioned by DVC: ``*.dvc`` pointer outputs and ``dvc.yaml`` stage outputs."""
    out = [o for p in pointers(repo) for o in p.outs]
    out += [o for s in stages(repo) for o in s.outs]
    return sorted(set(out))


def is_dvc_tracked(repo: Repo, path: str) -> bool:
    """Is ``path`` (a file or a directory) a DVC output or inside one?"""
    path = path.rstrip("/")
    return any(path == o or path.startswith(o.rstrip("/") + "/") for o in tracked_outputs(repo))


# ----------------------------------------------------------------------------------------- data versioning
_MEDIA = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".svg",
    ".webp",
    ".ico",
    ".mp4",
    ".mov",
    ".ttf",
    ".woff",
    ".woff2",
    ".pdf",
)


@memoized
def lfs_data_patterns(repo: Repo) -> list[Any]:
    """git-lfs patterns that route data or model files (not just images, fonts or documents)."""
    out = []
    for p in lfs_patterns(repo):
        pat = p.pattern.lower()
        if pat.endswith(_MEDIA):
            continue
        if (
            pat.endswith((*DATA_SUFFIXES, *MODEL_SUFFIXES, "/**"))
            or any(f"{d}/" in pat for d in (*DATA_DIRS, "models", "model"))
            or pat in ("*", "**", "**/*")
        ):
            out.append(p)
    return out


@memoized
def lakefs_evidence(repo: Repo) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = [(p, None) for p in repo.named(".lakectl.yaml", "lakectl.yaml")]
    from .python import modules_containing

    for mod in modules_containing(repo, *_LAKEFS_NEEDLES):
        out += [(mod.path, ln) for _, ln in mod.imports_any("lakefs", "lakefs_sdk", "lakefs_client")][:1]
        out += [(mod.path, ln) for s, ln in mod.strings if re.match(r"lakefs://[\w.-]+/", s)][:1]
    return out


# (declared here without facts.python, which this module imports only when a function runs)
_LAKEFS_NEEDLES = declare((b"lakefs",))
_DATASET_VERSION_NEEDLES = declare((b"create_new_version", b"azure.ai.ml"))
_AML_DATA_SCHEMA = lazyre.compile(rb"\$schema:\s*\S*azureml\S*/data\.schema\.json")


def registered_dataset_evidence(repo: Repo) -> list[tuple[str, int | None]]:
    """Datasets registered as versions in an ML platform's data registry: Azure ML data assets
    (``$schema: .../data.schema.json``, ``azure.ai.ml.entities.Data``) and Azure ML v1 datasets registered with
    ``create_new_version=True``."""
    from .python import modules_containing

    out: list[tuple[str, int | None]] = []
    for path in repo.grep(repo.with_suffix(".yml", ".yaml"), b"data.schema.json"):
        text = repo.read_bytes(path) or b""
        m = _AML_DATA_SCHEMA.search(text)
        if m:
            out.append((path, text.count(b"\n", 0, m.start()) + 1))
    for mod in modules_containing(repo, *_DATASET_VERSION_NEEDLES):
        for call in mod.calls:
            if call.kwargs.get("create_new_version") is True or call.name == "azure.ai.ml.entities.Data":
                out.append((mod.path, call.line))
                break
    return out


@memoized
def data_versioning_evidence(repo: Repo) -> list[tuple[str, int | None]]:
    """Where data is versioned: DVC pointers and stage outputs, git-lfs data patterns, lakeFS, datasets registered
    as versions in an ML platform (:func:`registered_dataset_evidence`). Pointers that track
    only model files (``trained_model.dvc`` -> ``model.ckpt``) version a model, not data; a DVC project whose
    only pointers are those has no data versioned by DVC."""
    all_pointers = pointers(repo)
    data_pointers = [p for p in all_pointers if not all(is_model_file(o) for o in p.outs)]
    out: list[tuple[str, int | None]] = [(p.path, None) for p in data_pointers[:3]]
    out += [(s.path, s.line) for s in stages(repo) if s.outs][:2]
    if not out and dvc_yaml_files(repo):
        out.append((dvc_yaml_files(repo)[0], None))
    if ".dvc/config" in repo.entries and (out or not all_pointers):
        out.append((".dvc/config", None))
    out += [(p.path, p.line) for p in lfs_data_patterns(repo)[:2]]
    out += lakefs_evidence(repo)[:2]
    out += registered_dataset_evidence(repo)[:2]
    return out


@report_fact("data_versioning")
def data_versioning_fact(repo: Repo) -> FactValue:
    return FactValue.of(data_versioning_evidence(repo))


@inventory("data_versioning")
def data_versioning_inventory(repo: Repo) -> list[str]:
    tools = []
    if uses_dvc(repo):
        tools.append("dvc")
    if lfs_data_patterns(repo):
        tools.append("git-lfs")
    if lakefs_evidence(repo):
        tools.append("lakefs")
    if registered_dataset_evidence(repo):
        tools.append("azureml")
    return tools
