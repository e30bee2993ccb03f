"""YAML parsing that remembers the line of every mapping key, for `path:line` errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from heliograph.content.errors import ContentError

MAX_VALUES = 200_000  # a 5,000-component site has about 15,000; far more is an alias bomb
MAX_DEPTH = 100  # real content nests three or four levels; libyaml crashes near 30,000


class LineMap(dict):
    """A YAML mapping that knows the line of each key (1-based, in the file)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


_FAST = getattr(yaml, "CSafeLoader", None)  # the same documents, about ten times faster


def _too_deep(text: str) -> bool:
    """Whether collections nest deeper than MAX_DEPTH (libyaml's composer recurses in C)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FAST or yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return True
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return False  # the parse itself reports it, with a line
    return False


def _bounded(parse: Callable[..., Any]) -> Callable[..., Any]:
    """Deeply nested YAML overflows recursion (a crash in libyaml): refuse it as an error."""

    @functools.wraps(parse)
    def guarded(text: str, path: Path, offset: int = 0) -> tuple[Any, list[ContentError]]:
        too_deep = [
            ContentError(
                path, 1 + offset, f"malformed YAML: values nested more than {MAX_DEPTH} levels deep"
            )
        ]
        if _too_deep(text):
            return None, too_deep
        try:
            return parse(text, path, offset)
        except RecursionError:
            return None, too_deep
        except yaml.reader.ReaderError as exc:  # raised as the loader is made, before parsing
            line = text.count("\n", 0, exc.position) + 1 + offset
            return None, [
                ContentError(
                    path,
                    line,
                    f"malformed YAML: character U+{exc.character:04X} is not allowed in YAML",
                )
            ]

    return guarded


@_bounded
def parse_yaml(text: str, path: Path, offset: int = 0) -> tuple[Any, list[ContentError]]:
    """Parse one YAML document; `offset` is the number of file lines before `text`."""
    if _FAST is not None:  # libyaml; on any error the pure loader below words the message
        fast = _FAST(text)
        try:
            node = fast.get_single_node()
        except yaml.YAMLError:
            pass
        else:
            problems: list[ContentError] = []
            return (_convert(node, fast, path, offset, problems) if node else None), problems
        finally:
            fast.dispose()
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


def _convert(
    node: yaml.Node,
    loader: yaml.SafeLoader,
    path: Path,
    offset: int,
    errors: list[ContentError],
    budget: list[int] | None = None,
) -> Any:
    line = node.start_mark.line + 1 + offset
    # Aliases share nodes, so nested ones (a "billion laughs") expand exponentially: count values.
    budget = [MAX_VALUES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        if budget[0] == -1:
            errors.append(
                ContentError(
                    path,
                    line,
                    f"more than {MAX_VALUES} values once aliases "
                    "(*name) are expanded; write the values out instead",
                )
            )
        return None
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves `<<` merge keys
        result = LineMap(line)
        for key_node, value_node in node.value:
            key = _convert(key_node, loader, path, offset, errors, budget)
            if budget[0] < 0:
                break  # reported once; the keys left would only repeat it
            key_line = key_node.start_mark.line + 1 + offset
            if not isinstance(key, str | int | float | bool) and key is not None:
                errors.append(ContentError(path, key_line, "mapping keys must be plain text"))
                continue
            if key in result:
                errors.append(
                    ContentError(
                        path,
                        key_line,
                        f"duplicate key {str(key)!r} (first at line {result.lines[key]})",
                    )
                )
                continue
            result[key] = _convert(value_node, loader, path, offset, errors, budget)
            result.lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, loader, path, offset, errors, budget) for n in node.value]
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
