"""YAML loading shared by every fact module: safe, tolerant, once per file, with line numbers.

:func:`load_yaml` parses a file of the repository (first document, or every document with ``all_docs=True``)
with PyYAML's C loader when available. Mappings come back as :class:`LineDict` (a ``dict`` that knows the
1-based line of each key) and sequences as :class:`LineList` (a ``list`` that knows the line of each item), so
evidence can point at ``dvc.yaml:12``. A malformed file becomes a note (see ``Repo.note``) and ``None``,
never an exception. :func:`load_config` is the same, guarded against alias bombs (configuration files of other
tools: CI pipelines, hook managers, task files); :func:`line_of` is the one way to ask where a key or an item is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..repo import Repo

if TYPE_CHECKING:
    import yaml


class LineDict(dict[Any, Any]):
    """A mapping from YAML that remembers where it and each of its keys are (1-based lines)."""

    __slots__ = ("key_lines", "line")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line: int | None = None
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int | None:
        """The line of ``key`` (or of the mapping itself when the key is unknown)."""
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence from YAML that remembers where it and each of its items are (1-based lines)."""

    __slots__ = ("item_lines", "line")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line: int | None = None
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int | None:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


_LOADER: Any = None


def _line_loader() -> Any:
    """The loader class, built on first use: PyYAML is imported only by an audit that parses YAML (an
    unchanged tree answered from the audit cache never does)."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class _LineLoader(base):  # type: ignore[misc]  # base is Any: C or pure-Python SafeLoader
            pass

        _LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
        _LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
        # Unknown tags (CloudFormation's !Ref, !GetAtt...) load as plain values instead of failing the file.
        _LineLoader.add_multi_constructor("!", lambda loader, suffix, node: _untagged(loader, node))
        _LOADER = _LineLoader
    return _LOADER


def _construct_map(loader: Any, node: yaml.MappingNode) -> Any:
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines.setdefault(key, key_node.start_mark.line + 1)


def _construct_seq(loader: Any, node: yaml.SequenceNode) -> Any:
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=True))
        data.item_lines.append(child.start_mark.line + 1)


def _untagged(loader: Any, node: yaml.Node) -> Any:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return next(iter(_construct_map(loader, node)))  # shallow: enough for tags on mappings
    if isinstance(node, yaml.SequenceNode):
        return [loader.construct_object(c, deep=True) for c in node.value]
    return loader.construct_scalar(node)


def parse_yaml(text: str, *, all_docs: bool = False) -> Any:
    """Parse YAML text (raises ``yaml.YAMLError``); the first document, or a list of every document."""
    import yaml

    loader = _line_loader()
    if all_docs:
        return [d for d in yaml.load_all(text, Loader=loader) if d is not None]
    return yaml.load(text, Loader=loader)  # a SafeLoader subclass: safe


def load_yaml(repo: Repo, path: str, *, all_docs: bool = False) -> Any:
    """The parsed content of a YAML file of ``repo``, once per run; ``None`` (with a note) when it is
    absent, unreadable or malformed. With ``all_docs=True``: the list of every non-empty document."""

    def compute() -> Any:
        import yaml

        text = repo.read_text(path)
        if text is None:
            return None
        try:
            return parse_yaml(text, all_docs=all_docs)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            repo.note(path, f"malformed YAML{where}: {getattr(exc, 'problem', None) or exc}")
            return None

    return repo.shared_memo(("yamlfile.load", repo.prefix + path, all_docs), compute)


def line_of(data: Any, key: Any, default: int | None = None) -> int | None:
    """The line of ``key`` in a mapping from :func:`load_yaml`, or of the item at index ``key`` in a sequence
    from it (``default`` for plain dicts and lists)."""
    if isinstance(data, LineDict) or (isinstance(data, LineList) and isinstance(key, int)):
        return data.line_of(key) or default
    return default


#: A YAML file whose aliases expand to more nodes than this is not analysed (a "billion laughs" file).
MAX_YAML_NODES = 100_000


def load_config(repo: Repo, path: str) -> Any:
    """:func:`load_yaml`, guarded against alias bombs: ``None`` (with a note) when the document, once its
    anchors are expanded, holds more than :data:`MAX_YAML_NODES` nodes."""
    data = load_yaml(repo, path)
    if data is None or not isinstance(data, (dict, list)):
        return data

    def check() -> bool:
        try:
            size = _expanded_size(data, {})
        except RecursionError:
            size = MAX_YAML_NODES + 1
        if size > MAX_YAML_NODES:
            repo.note(path, f"YAML expands to more than {MAX_YAML_NODES} nodes through aliases: not analysed")
            return False
        return True

    return data if repo.shared_memo(("yamlfile.size_ok", repo.prefix + path), check) else None


def _expanded_size(value: Any, seen: dict[int, int]) -> int:
    if not isinstance(value, (dict, list)):
        return 1
    key = id(value)
    if key in seen:
        return seen[key]
    seen[key] = MAX_YAML_NODES + 1  # a cycle counts as too big
    items = value.values() if isinstance(value, dict) else value
    total = 1
    for item in items:
        total += _expanded_size(item, seen)
        if total > MAX_YAML_NODES:
            break
    seen[key] = total
    return total
