"""Options shared by several commands, each defined once here so that a value means the same everywhere and a
bad value fails the same way (one line, exit 2) whichever command it was given to."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from costcalc.errors import UsageError


class DateParam(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx) -> date:
        from costcalc.dates import parse_date

        try:
            return parse_date(value)
        except UsageError:
            self.fail(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2023-12-14", param, ctx)


class NumberParam(click.ParamType):
    """A finite Decimal within [low, high]: 'abc', 'nan' and 'inf' are usage errors, not tracebacks."""

    name = "NUMBER"

    def __init__(self, low: Decimal | None = None, high: Decimal | None = None, example: str = "0.25") -> None:
        self.low, self.high, self.example = low, high, example

    def convert(self, value, param, ctx) -> Decimal:
        if isinstance(value, Decimal):
            number = value
        else:
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation:
                self.fail(f"{value!r} is not a number (e.g. {self.example})", param, ctx)
        if not number.is_finite():
            self.fail(f"{value!r} is not a finite number (e.g. {self.example})", param, ctx)
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            bounds = f"between {self.low} and {self.high}" if self.high is not None else f"at least {self.low}"
            self.fail(f"{value} is out of range: it must be {bounds} (e.g. {self.example})", param, ctx)
        return number


class OutputPath(click.ParamType):
    """A file to write; '-' is stdout. Its directory must exist: a typo in a path never creates directories."""

    name = "FILE"

    def convert(self, value, param, ctx) -> str:
        if value == "-" or value is None:
            return value
        parent = Path(value).expanduser().parent
        if not parent.is_dir():
            self.fail(f"directory {str(parent)!r} does not exist; create it first or choose another path", param, ctx)
        if Path(value).is_dir():
            self.fail(f"{value!r} is a directory; give a file name", param, ctx)
        return str(Path(value).expanduser())


DATE = DateParam()
SHARE = NumberParam(Decimal(0), Decimal(1), "0.25")
NON_NEGATIVE = NumberParam(Decimal(0), None, "0.3")
OUTPUT = OutputPath()

# One format vocabulary: each command offers the subset that applies to it.
FORMATS = ("table", "md", "csv", "json", "html")


def as_of_option(help: str = "Prices in force on this date (default: today)."):
    return click.option("--as-of", type=DATE, default=None, help=help)


def currency_option(default: str | None = None, help: str | None = None):
    """--currency USD|EUR, case-insensitive, given back in upper case."""
    return click.option(
        "--currency", type=click.Choice(["USD", "EUR"], case_sensitive=False), default=default,
        show_default=default is not None, callback=lambda c, p, v: v.upper() if v else v,
        help=help or "Convert prices to this currency at the ECB rate of the as-of date (default: as billed).")


def format_option(choices: Sequence[str] = ("table", "md", "csv", "json"), default: str | None = "table"):
    assert set(choices) <= set(FORMATS)
    shown = default if default is not None else "table at a terminal, md otherwise"
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default,
                        help=f"Output format (default: {shown}).")


def terminal_or(fmt: str | None, output: str = "-") -> str:
    """The format to use when none was given: a table fitted to the terminal, markdown when piped or written."""
    if fmt is not None:
        return fmt
    return "table" if output == "-" and sys.stdout.isatty() else "md"


pricing_dir_option = click.option(
    "--pricing-dir", type=click.Path(file_okay=False, path_type=str), envvar="COSTCALC_PRICING_DIR",
    default=None, help="Price tables to use (default: the bundled ones; env COSTCALC_PRICING_DIR).")


prices_option = click.option(
    "--prices", "prices", multiple=True, type=click.Path(path_type=str), envvar="COSTCALC_PRICES",
    metavar="FILE|DIR", help="Your own price tables on top of the bundled ones (repeatable; env COSTCALC_PRICES, "
                             "paths separated by ':'). A model id you define replaces ours, and reports say so.")
calibrations_option = click.option(
    "--calibrations", "calibrations", multiple=True, type=click.Path(dir_okay=False, exists=True),
    metavar="FILE", help="Calibration file from `costcalc calibrate` (repeatable; the last one wins) laid over the "
                         "shipped calibrations of closed tokenizers (Claude, Gemini, Titan, Nova).")


corpus_option = click.option("--corpus", default="bundled", show_default=True,
                             help="Bundled set name or a path (directory, FLORES-style files, JSONL).")
workers_option = click.option("--workers", type=click.IntRange(1, 256), default=None,
                              help="Processes (default: all cores).")
plot_option = click.option("--plot", type=OUTPUT, help="Also write a PNG heatmap here (its directory must exist).")


def errors_option(help: str):
    """--errors strict|replace: what to do with bytes that are not UTF-8 (`help` says what strict means here)."""
    return click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
                        help=help)


def workload_options(func):
    """--direction, --output-ratio, --cached-share, --batch-share: what is billed (as in `report`)."""
    for option in reversed([
        click.option("--direction", type=click.Choice(["input", "output", "mixed"]), default="input",
                     show_default=True, help="Bill the text as input, as output, or as input plus --output-ratio "
                                             "output."),
        click.option("--output-ratio", type=NON_NEGATIVE, default=Decimal(0),
                     help="With --direction mixed: output tokens per input token, e.g. 0.25."),
        click.option("--cached-share", type=SHARE, default=Decimal(0), help="Share of input read from cache (0-1)."),
        click.option("--batch-share", type=SHARE, default=Decimal(0), help="Share sent through batch APIs (0-1)."),
    ]):
        func = option(func)
    return func
