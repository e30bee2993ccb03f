"""YAML parsing that remembers the line of every mapping key, for `path:line` errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from heliograph.errors import ContentError


class LineMap(dict):
    """A YAML mapping that knows the line of each key (1-based, in the file)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


def parse_yaml(text: str, path: Path, offset: int = 0) -> tuple[Any, list[ContentError]]:
    """Parse one YAML document; `offset` is the number of file lines before `text`."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        if line > text.count("\n"):  # at the end of the text: point at what was left open
            lines = text.splitlines()
            last = max((i for i, s in enumerate(lines, 1) if s.strip()), default=1)
            opened = exc.context_mark.line + 1 if exc.context_mark else last
            line = min(opened, last)
        line += offset
        problem = exc.problem or exc.context or "invalid YAML"
        return None, [ContentError(path, line, f"malformed YAML: {problem}")]
    except yaml.YAMLError as exc:
        return None, [ContentError(path, 1 + offset, f"malformed YAML: {exc}")]
    finally:
        loader.dispose()
    if node is None:
        return None, []
    errors: list[ContentError] = []
    value = _convert(node, loader, path, offset, errors)
    return value, errors


def _convert(node: yaml.Node, loader: yaml.SafeLoader, path: Path, offset: int,
             errors: list[ContentError]) -> Any:
    line = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves `<<` merge keys
        result = LineMap(line)
        for key_node, value_node in node.value:
            key = _convert(key_node, loader, path, offset, errors)
            key_line = key_node.start_mark.line + 1 + offset
            if not isinstance(key, str | int | float | bool) and key is not None:
                errors.append(ContentError(path, key_line, "mapping keys must be plain text"))
                continue
            if key in result:
                errors.append(ContentError(
                    path, key_line, f"duplicate key '{key}' (first at line {result.lines[key]})"))
                continue
            result[key] = _convert(value_node, loader, path, offset, errors)
            result.lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, loader, path, offset, errors) for n in node.value]
    try:
        return loader.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as exc:
        errors.append(ContentError(path, line, f"cannot read value {node.value!r}: {exc.problem}"))
        return None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        errors.append(ContentError(path, line, f"cannot read value {node.value!r}: {exc}"))
        return None


def node_line(value: Any, default: int) -> int:
    """The line of a mapping value, or `default` for scalars (which carry no position)."""
    return value.line if isinstance(value, LineMap) else default
