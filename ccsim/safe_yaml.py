"""Reading YAML that people write: configurations and scenarios, through one loader.

PyYAML builds an alias as a reference to its anchored value, which is cheap; but everything
after it (the schema check, copies, error messages) walks the expanded tree, and a few hundred
bytes of nested aliases stand for billions of values. So before anything is built, the document
is checked: at most MAX_YAML_BYTES of UTF-8, nested at most MAX_YAML_DEPTH deep, and at most
MAX_YAML_VALUES values with every alias counted as all the values it stands for (a shared
settings block used a few hundred times is far below that). An alias inside its own anchor is
refused. Mappings and sequences remember their line, and a key given twice is refused.
Every problem is a YamlError: the file, the line when there is one, and a short message that
never quotes the document at length.
"""
from __future__ import annotations

import os
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .user_text import clip, short_repr

MAX_YAML_BYTES = 10 * 1024 * 1024  # a configuration or scenario file; checked before parsing
MAX_YAML_VALUES = 1_000_000  # values in one document, each alias counted as what it stands for
MAX_YAML_DEPTH = 100  # nested mappings and sequences
MAX_YAML_INT_BITS = 1024  # a whole number (0x... has no digit limit; Python cannot print one past ~14,000 bits)

# libyaml's parser when PyYAML has it (several times faster); the checks and constructors are ours.
_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlError(ValueError):
    def __init__(self, source: str, line: int | None, message: str):
        self.source, self.line, self.message = source, line, clip(message)
        super().__init__(f"{source}:{line}: {self.message}" if line else f"{source}: {self.message}")


class LineDict(dict):
    line: int = 0
    key_lines: dict[Any, int] = {}  # the line of each key (a scalar value's own line)


class LineList(list):
    line: int = 0
    item_lines: list[int] = []


class _Loader(_BaseLoader):
    """A safe loader whose mappings and sequences remember their line (1-based)."""

    source = "<yaml>"

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except YamlError:
            raise
        except (ValueError, OverflowError) as exc:  # a value its tag cannot be: 2020-13-45, !!int x, 5,000 digits
            raise YamlError(self.source, node.start_mark.line + 1, f"not valid YAML: {exc}") from None


def _mapping(loader: _Loader, node: MappingNode) -> LineDict:
    own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
    loader.flatten_mapping(node)  # merged (`<<: *defaults`) pairs first, then the mapping's own
    merged = len(node.value) - own
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    given: set[Any] = set()
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        try:
            twice = index >= merged and key in given  # a merged key may be overridden, not repeated
        except TypeError:
            raise YamlError(loader.source, key_node.start_mark.line + 1, "a key must be a plain value, "
                            "not a list or a mapping") from None
        if twice:
            raise YamlError(loader.source, key_node.start_mark.line + 1, f"{short_repr(key)} is given twice")
        if index >= merged:
            given.add(key)
            result.key_lines[key] = key_node.start_mark.line + 1
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _sequence(loader: _Loader, node: SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _int(loader: _Loader, node: ScalarNode) -> int:
    value = loader.construct_yaml_int(node)
    if value.bit_length() > MAX_YAML_INT_BITS:
        raise YamlError(loader.source, node.start_mark.line + 1,
                        f"a whole number of {len(node.value):,} characters is longer than any value ccsim takes")
    return value


_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read_yaml(path: str | os.PathLike[str], source: str | None = None) -> Any:
    """The YAML document in the file at `path` (None when it is empty); `source` names it in errors."""
    source = source if source is not None else str(path)
    try:
        with open(path, "rb") as file:
            if os.fstat(file.fileno()).st_size > MAX_YAML_BYTES:
                raise YamlError(source, None, _too_big())
            data = file.read(MAX_YAML_BYTES + 1)  # a device or a growing file has no honest size
    except OSError as exc:
        raise YamlError(source, None, f"cannot read: {exc.strerror or exc}") from None
    return parse_yaml(data, source)


def parse_yaml(data: bytes | str, source: str) -> Any:
    """The one YAML document in `data` (None when there is none), checked as the module says."""
    text = _text(data, source)
    loader = _Loader(text)
    loader.source = source
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _count_values(root, source)
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        raise YamlError(source, *_marked(exc, len(text))) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        what = exc.character if isinstance(exc.character, str) else chr(exc.character or 0)
        raise YamlError(source, line, f"not valid YAML: character #x{ord(what):04x} is not allowed "
                                      f"({exc.reason})") from None
    except yaml.YAMLError as exc:
        raise YamlError(source, None, f"not valid YAML: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    except YamlError:
        raise
    except (ValueError, OverflowError) as exc:  # a constructor's, outside construct_object (a !!set's items)
        raise YamlError(source, None, f"not valid YAML: {exc}") from None
    except RecursionError:  # PyYAML's own composer without libyaml: deeper than Python's stack
        raise YamlError(source, None, f"nested more than {MAX_YAML_DEPTH} levels deep") from None
    finally:
        loader.dispose()


def _too_big() -> str:
    return f"is over {MAX_YAML_BYTES // (1024 * 1024)} MiB, the most a configuration or scenario may be"


def _text(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        if len(data) > MAX_YAML_BYTES // 4 and len(data.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
            raise YamlError(source, None, _too_big())
        return data
    if len(data) > MAX_YAML_BYTES:
        raise YamlError(source, None, _too_big())
    try:
        return data.decode("utf-8-sig")  # an editor's byte-order mark is not part of the text
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlError(source, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8") from None


def _marked(exc: yaml.MarkedYAMLError, length: int) -> tuple[int | None, str]:
    """The line and message of a parser's error."""
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    # An unclosed bracket or quote is found at the end of the file; where it opened is more useful.
    if exc.context_mark is not None and (mark is None or mark.index >= length or "stream end" in problem):
        mark = exc.context_mark
    message = f"not valid YAML: {problem or context}"
    if problem and context:
        message += f" ({context}{f' at line {exc.context_mark.line + 1}' if exc.context_mark else ''})"
    return (mark.line + 1 if mark is not None else None), message


def _count_values(root: Node, source: str) -> None:
    """Refuse the document before it is built when it is too deep, refers to itself, or stands
    for more than MAX_YAML_VALUES values once its aliases are expanded."""
    sizes: dict[int, int] = {}  # collection node -> the values it stands for, once counted
    counting: set[int] = set()  # collections being counted: an alias to one is a cycle
    total = 0

    def add(values: int, node: Node, alias: bool) -> None:
        nonlocal total
        total += values
        if total > MAX_YAML_VALUES:
            raise YamlError(source, node.start_mark.line + 1,
                            "the aliases of the anchor on this line expand the document to more than "
                            f"{MAX_YAML_VALUES:,} values" if alias else f"more than {MAX_YAML_VALUES:,} values")

    def count(node: Node, depth: int) -> int:
        if isinstance(node, ScalarNode):
            add(1, node, alias=False)
            return 1
        key = id(node)
        if key in sizes:  # seen before: an alias of this anchored value
            add(sizes[key], node, alias=True)
            return sizes[key]
        if key in counting:
            raise YamlError(source, node.start_mark.line + 1, "an alias of the anchor on this line is inside "
                            "the value it names (a value cannot contain itself)")
        if depth > MAX_YAML_DEPTH:
            raise YamlError(source, node.start_mark.line + 1, f"nested more than {MAX_YAML_DEPTH} levels deep")
        counting.add(key)
        add(1, node, alias=False)
        size = 1
        children = node.value if isinstance(node, SequenceNode) else [n for pair in node.value for n in pair]
        for child in children:
            size += count(child, depth + 1)
        counting.discard(key)
        sizes[key] = size
        return size

    count(root, 1)


def line_of(data: Any, path: list[Any]) -> int | None:
    """The line of the deepest node along `path` that knows its line."""
    line = getattr(data, "line", None)
    node = data
    for key in path:
        try:
            child = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, LineList) and isinstance(key, int) and key < len(node.item_lines):
            line = node.item_lines[key]
        elif isinstance(node, LineDict):
            line = node.key_lines.get(key, line)
        node = child
        line = getattr(node, "line", line)
    return line


def plain(value: Any) -> Any:
    """LineDict/LineList back to dict/list (for code that checks exact types)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
