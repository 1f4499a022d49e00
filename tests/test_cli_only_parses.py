"""The CLI only parses options, makes one library call and renders (DESIGN.md: "no arithmetic here").

Every module under costcalc/cli/ is read with `ast` and checked for the two things that mean a computation has
crept into the CLI:

1. Arithmetic. A `+ - * / // % ** @` whose operands are not all literal numbers (`64 * 2 ** 20` is a constant
   written as arithmetic) and where no operand is text or a literal collection (`"-" * width`,
   `f"..." + note`, `[*a] + [b]` build strings and lists, not numbers); any augmented assignment (`x += ...`)
   unless it appends text or a literal list; and the numeric built-ins and methods `sum`, `round`, `abs`,
   `divmod`, `pow`, `.quantize`, `math.*`, `statistics.*`.
2. A loop over the library's domain objects: a `for` statement or comprehension whose iterable names an
   offering, quote, model, price book, price, tokenizer list, count or premium collection (the identifiers in
   DOMAIN below, as a variable, attribute or called function). Loops over option values, footer lines, problems
   to print and table columns are rendering and stay allowed.

ALLOWED names the few places that do number work for the terminal only, each with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import costcalc.cli

CLI = Path(costcalc.cli.__file__).parent
ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult)
NUMERIC_CALLS = {"sum", "round", "abs", "divmod", "pow", "quantize"}
NUMERIC_MODULES = {"math", "statistics", "decimal"}
DOMAIN = {"offering", "offerings", "quote", "quotes", "model", "models", "book", "select", "lookup", "prices",
          "plan", "tokenizers", "list_tokenizers", "counts", "count_rows", "premium_rows", "premiums", "hosts",
          "entries", "aliases", "languages", "documents"}
# (module, function): why it may do arithmetic
ALLOWED = {
    ("_progress.py", "__call__"): "the progress bar advances by the characters counted since its last redraw",
}


def _texty(node: ast.expr) -> bool:
    """Text or a literal collection: what `+` and `*` build when they are not arithmetic."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | bytes)
    return isinstance(node, ast.JoinedStr | ast.List | ast.Tuple | ast.Set | ast.Dict | ast.ListComp)


def _number_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        return _number_literal(node.operand)
    if isinstance(node, ast.BinOp):
        return _number_literal(node.left) and _number_literal(node.right)
    return isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool)


def _names(node: ast.AST) -> set[str]:
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.add(n.id)
        elif isinstance(n, ast.Attribute):
            out.add(n.attr)
    return out


def _annotations(tree: ast.AST) -> set[int]:
    """ids of every node inside a type annotation (`str | None` is not arithmetic)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        parts = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            parts = [a.annotation for a in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs,
                                            node.args.vararg, node.args.kwarg] if a is not None] + [node.returns]
        elif isinstance(node, ast.AnnAssign):
            parts = [node.annotation]
        for part in parts:
            if part is not None:
                skip |= {id(n) for n in ast.walk(part)}
    return skip


def problems(source: str, module: str) -> list[str]:
    tree = ast.parse(source)
    skip = _annotations(tree)
    found = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        where = f"{module}:{getattr(node, 'lineno', '?')}"
        allowed = (module, function) in ALLOWED
        if id(node) not in skip and not allowed:
            numeric_binop = (isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC)
                             and not _number_literal(node) and not (_texty(node.left) or _texty(node.right)))
            if numeric_binop or (isinstance(node, ast.AugAssign) and not _texty(node.value)):
                found.append(f"{where}: arithmetic {ast.unparse(node)}")
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
                if name in NUMERIC_CALLS or owner in NUMERIC_MODULES:
                    found.append(f"{where}: arithmetic {ast.unparse(node)[:80]}")
            elif isinstance(node, ast.For | ast.comprehension) and _names(node.iter) & DOMAIN:
                line = getattr(node, "lineno", getattr(node.iter, "lineno", "?"))
                found.append(f"{module}:{line}: loop over {ast.unparse(node.iter)[:80]}")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "")
    return found


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda p: p.name)
def test_cli_module_only_parses_calls_and_renders(path: Path):
    found = problems(path.read_text(encoding="utf-8"), path.name)
    assert not found, "computation in the CLI; move it into the library:\n" + "\n".join(found)


@pytest.mark.parametrize("code", [
    "def f(q, n):\n    return q.input * n",
    "def f(rows):\n    total = 0\n    for r in rows:\n        total += r",
    "def f(x):\n    return sum(x)",
    "def f(v):\n    return v.quantize(PLACES)",
    "def f(book):\n    return [o.ref for o in book.offerings]",
    "def f(quotes):\n    for q in quotes:\n        print(q)",
    "def f(a, b):\n    return (b - a) / a",
])
def test_the_check_catches(code):
    assert problems(code, "x.py")


@pytest.mark.parametrize("code", [
    "def f(w):\n    return '-' * w",
    "def f(a: str | None) -> int | None:\n    return None",
    "LIMIT = 64 * 2 ** 20",
    "def f(notes):\n    for n in notes:\n        print(n)",
    "def f(name):\n    return f'{name}: ' + name",
    "def f(footer):\n    footer += ['x']",
])
def test_the_check_allows(code):
    assert not problems(code, "x.py")


def _commands():
    """Every leaf command of `costcalc`, loading the lazy subcommands, as (path, click.Command)."""
    import click

    from costcalc.cli import cli

    def walk(group, path):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                yield from walk(command, f"{path} {name}")
            else:
                yield f"{path} {name}", command

    return list(walk(cli, "costcalc"))


# Options several commands take: each is defined once in cli/_options.py, so its values parse the same way.
SHARED = ("--currency", "--as-of", "--corpus", "--workers", "--plot", "--errors", "--direction", "--output-ratio",
          "--cached-share", "--batch-share", "--pricing-dir", "--prices", "--calibrations")


# (command, option): why it parses differently
OWN = {("costcalc estimate", "--direction"): "a file is priced as input or as output; there is no output ratio"}


@pytest.mark.parametrize("option", SHARED)
def test_a_shared_option_parses_the_same_in_every_command(option):
    import click

    seen = {}
    for path, command in _commands():
        for param in command.params:
            if isinstance(param, click.Option) and option in param.opts and (path, option) not in OWN:
                kind = (param.type if not isinstance(param.type, click.Choice)
                        else (tuple(param.type.choices), param.type.case_sensitive))
                seen[path] = (kind, getattr(param.callback, "__code__", None))
    assert len(seen) >= 2, f"{option} is not shared: {list(seen)}"
    assert len({repr(v) for v in seen.values()}) == 1, f"{option} differs between commands: {seen}"


def test_currency_is_case_insensitive_in_every_command():
    import click

    for path, command in _commands():
        for param in command.params:
            if isinstance(param, click.Option) and "--currency" in param.opts:
                ctx = click.Context(command)
                assert param.process_value(ctx, "eur") == "EUR", path
