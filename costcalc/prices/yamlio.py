"""YAML reading for price data: floats become exact Decimals, a key given twice is an error, and errors point at
file:line(:column)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from costcalc.errors import PriceTableError

# libyaml's parser when PyYAML was built with it (about 10x faster); constructors stay in Python either way.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: object, line: int) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key, self.line = key, line


class DecimalLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """Safe loader that reads `2.5` as Decimal('2.5'), never as a binary float, and refuses a key given twice in
    one mapping (YAML would silently keep the last value: a price typed twice must not hide the first)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: set[object] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    if key in seen:
                        raise _DuplicateKey(key, key_node.start_mark.line + 1)
                    seen.add(key)
                except TypeError:  # an unhashable key: the base constructor reports it
                    pass
        return super().construct_mapping(node, deep)


def _decimal(loader: DecimalLoader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    return Decimal(text)


DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """The document's data and its node tree (for line numbers). Raises PriceTableError with file:line:col."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise PriceTableError(f"{path}: not UTF-8 text (byte {e.start})", "save the file as UTF-8") from None
    except OSError as e:
        raise PriceTableError(f"{path}: cannot read: {e.strerror}") from None
    loader = DecimalLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _DuplicateKey as e:
        raise PriceTableError(f"{path}:{e.line}: duplicate key {e.key!r}") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = " ".join(filter(None, [e.context, e.problem]))
        raise PriceTableError(f"{where}: malformed YAML: {problem}", "fix the YAML syntax at that position") from None
    except yaml.YAMLError as e:
        raise PriceTableError(f"{path}: malformed YAML: {e}") from None
    finally:
        loader.dispose()
    return data, node


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the value at `loc` (a pydantic error location) in the node tree, as deep as it exists."""
    if node is None:
        return None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = [v for k, v in node.value if k.value == key]
            if not found:
                break
            node = found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1
