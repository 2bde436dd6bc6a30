"""YAML with line numbers.

PyYAML drops positions once it builds Python objects, but a schema error must point
at the line of the offending key. We compose the node tree (with the C loader when
present) and build plain dicts and lists ourselves, recording where each key sits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


class Mapping(dict[str, Any]):
    """A dict that remembers the line of each key and of itself (1-based)."""

    line: int
    key_lines: dict[str, int]

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.key_lines = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class Sequence(list[Any]):
    """A list that remembers the line of each item."""

    line: int
    item_lines: list[int]

    def __init__(self, line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.item_lines = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


@dataclass
class YamlProblem(Exception):
    line: int
    message: str
    extra: dict[str, Any] = field(default_factory=dict)


def line_of(value: Any, default: int) -> int:
    return int(getattr(value, "line", default))


MAX_NODES = 100_000  # a front matter or taxonomy is far smaller; aliases can multiply nodes


def load(text: str, first_line: int = 1) -> Any:
    """Parse one YAML document into Mapping/Sequence/scalars.

    `first_line` is the file line where `text` starts (front matter starts at 2).
    Raises YamlProblem with a file line on a syntax error or a duplicate key.
    """
    offset = first_line - 1
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _Builder(loader, offset).build(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            # An unclosed quote or bracket: where it opened, not where the text ran out.
            mark = exc.context_mark
        line = (mark.line + 1 + offset) if mark is not None else first_line
        problem = exc.problem or str(exc)
        context = f" ({exc.context})" if exc.context else ""
        raise YamlProblem(line, f"invalid YAML: {problem}{context}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


class _Builder:
    """Builds Mapping/Sequence/scalars from nodes, refusing recursive or exploding aliases."""

    def __init__(self, loader: Any, offset: int) -> None:
        self.loader = loader
        self.offset = offset
        self.count = 0
        self.path: set[int] = set()

    def build(self, node: yaml.Node) -> Any:
        line = node.start_mark.line + 1 + self.offset
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlProblem(line, f"invalid YAML: more than {MAX_NODES:,} values (aliases "
                              "expanding without end?)")
        if id(node) in self.path:
            raise YamlProblem(line, "invalid YAML: an alias refers to itself")
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            self.path.add(id(node))
            try:
                return self._collection(node, line)
            finally:
                self.path.discard(id(node))
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError as exc:
            # PyYAML resolves 2024-02-30 as a timestamp, then fails to build it.
            raise YamlProblem(line, f'invalid value "{node.value}": {exc}') from None

    def _collection(self, node: yaml.Node, line: int) -> Any:
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            result = Mapping(line)
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1 + self.offset
                key = self.build(key_node)
                if not isinstance(key, str):
                    key = str(key)
                if key in result:
                    raise YamlProblem(key_line, f'duplicate key "{key}"')
                result[key] = self.build(value_node)
                result.key_lines[key] = key_line
            return result
        seq = Sequence(line)
        for item in node.value:
            seq.append(self.build(item))
            seq.item_lines.append(item.start_mark.line + 1 + self.offset)
        return seq


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line where the body starts), or None without a `---` block."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not (text.startswith("---\n") or text.startswith("---\r\n")):
        return None
    lines = text.splitlines(keepends=True)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return front, body, index + 2
    return None
