"""YAML reading for every data file: floats become exact Decimals, a key given twice is an error, errors point at
file:line(:column), and `read_validated` checks a file against its pydantic schema, one problem per line with
file:line."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from costcalc.errors import PriceTableError

T = TypeVar("T", bound=BaseModel)

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
            found = [v for k, v in node.value if k.value == str(key)]  # a date key is written ISO
            if not found:
                break
            node = found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1




def _where(loc: tuple[int | str, ...], table: dict) -> str:
    """'model 'gpt-4': prices[1].input' from a pydantic location inside a provider file."""
    parts, i = [], 0
    if len(loc) >= 2 and loc[0] == "models" and isinstance(loc[1], int):
        models = table.get("models") or []
        model_id = models[loc[1]].get("id") if loc[1] < len(models) and isinstance(models[loc[1]], dict) else None
        parts.append(f"model {model_id!r}" if model_id else f"models[{loc[1]}]")
        i = 2
    path = ""
    for key in loc[i:]:
        path += f"[{key}]" if isinstance(key, int) else (f".{key!s}" if path else str(key))
    return ": ".join([*parts, path] if path else parts)


def _validation_problems(path: Path, data: object, node, err: ValidationError) -> list[str]:
    problems = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        line = line_of(node, loc)
        where = _where(loc, data if isinstance(data, dict) else {})
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = f"unknown field {loc[-1]!r}; remove it or check its spelling"
        elif e["type"] == "missing":
            msg = f"missing required field {loc[-1]!r}"
        elif "input" in e and e["type"] not in ("model_type",) and not isinstance(e["input"], dict | list):
            msg = f"{msg} (got {e['input']!r})"
        problems.append(f"{path}{':' + str(line) if line else ''}: {where + ': ' if where else ''}{msg}")
    return problems


def read_validated(path: Path, schema: type[T]) -> tuple[T | None, object, list[str]]:
    """A YAML file parsed and validated against a schema: (the model or None, the node tree, problems with
    file:line). Every data file of pricing/ is read this way."""
    try:
        data, node = read_yaml(path)
    except PriceTableError as e:
        return None, None, [str(e)]
    try:
        return schema.model_validate(data), node, []
    except ValidationError as e:
        return None, node, _validation_problems(path, data, node, e)


def duplicate_ids(path: Path, node: object, section: str, ids: Sequence[str], what: str) -> list[str]:
    """One problem, with file:line, for every id listed again in `section`."""
    seen: set[str] = set()
    problems = []
    for i, ident in enumerate(ids):
        if ident in seen:
            problems.append(f"{path}:{line_of(node, (section, i, 'id'))}: {what} {ident!r} is listed twice; "
                            "keep one entry")
        seen.add(ident)
    return problems
