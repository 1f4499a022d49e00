"""The root click group: imports a subcommand's module only when invoked (so `--help` stays fast), and holds the
CLI's contracts in one place: a library error is one `Error: ...` line (exit 2 for a usage problem, 1 for a
runtime or data problem; the traceback only with --debug, which works anywhere on the line), a warning is one
`Warning: ...` line, and a closed pipe (`costcalc prices list | head -1`) ends the run quietly with exit 0."""

from __future__ import annotations

import importlib
import os
import sys
import warnings

import click

DEBUG_FLAG = "--debug"


class LibraryError(click.ClickException):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    from costcalc.errors import CostcalcWarning

    if issubclass(category, CostcalcWarning):
        click.echo(f"Warning: {message}", err=True)
    else:
        _default_showwarning(message, category, filename, lineno, file, line)


_default_showwarning = warnings.showwarning


def _hoist_debug(args: list[str]) -> list[str]:
    """`--debug` may stand anywhere before a `--`: move it to the root group, which owns it."""
    end = args.index("--") if "--" in args else len(args)
    if DEBUG_FLAG in args[:end]:
        args = [DEBUG_FLAG, *(a for i, a in enumerate(args) if not (i < end and a == DEBUG_FLAG))]
    return args


def _silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (e.g. a test runner's buffer)
        pass


class LazyGroup(click.Group):
    def __init__(self, *args, lazy_subcommands: dict[str, tuple[str, str]] | None = None, **kwargs) -> None:
        """`lazy_subcommands` maps a name to ("module:attribute", one-line help shown by --help)."""
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_subcommands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            module_name, attr = self.lazy_subcommands[cmd_name][0].split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """An unknown command names the closest ones."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from costcalc.errors import closest

            hint = closest(name, self.list_commands(ctx), n=3)
            raise click.UsageError(f"no such command {name!r}" + (f"; {hint}" if hint else "")
                                   + f" (see `{ctx.command_path} --help`)", ctx)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = sorted((name, short) for name, (_, short) in self.lazy_subcommands.items())
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = _hoist_debug(list(sys.argv[1:] if args is None else args))
        return super().main(args, prog_name, complete_var, standalone_mode, **extra)

    def invoke(self, ctx: click.Context):
        from costcalc.errors import CostcalcError

        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            try:
                return super().invoke(ctx)
            except CostcalcError as e:
                if (ctx.obj or {}).get("debug"):
                    raise
                raise LibraryError(str(e), e.exit_code) from e
            except BrokenPipeError:
                _silence_stdout()
                raise click.exceptions.Exit(0) from None
