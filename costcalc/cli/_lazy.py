"""The root click group: imports a subcommand's module only when invoked (so `--help` stays fast), and turns
library errors into one `Error: ...` line and exit code 1 (the traceback only with --debug)."""

from __future__ import annotations

import importlib

import click


class LibraryError(click.ClickException):
    exit_code = 1


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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = sorted((name, short) for name, (_, short) in self.lazy_subcommands.items())
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        from costcalc.errors import CostcalcError

        try:
            return super().invoke(ctx)
        except CostcalcError as e:
            if (ctx.obj or {}).get("debug"):
                raise
            raise LibraryError(str(e)) from e
