"""Options shared by several commands."""

from __future__ import annotations

from datetime import date

import click

from costcalc.errors import UsageError


class DateParam(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2023-12-14", param, ctx)


DATE = DateParam()

as_of_option = click.option("--as-of", type=DATE, default=None,
                            help="Prices in force on this date (default: today).")
currency_option = click.option("--currency", type=click.Choice(["USD", "EUR"], case_sensitive=False),
                               default=None, callback=lambda c, p, v: v.upper() if v else v,
                               help="Convert prices to this currency at the ECB rate of the as-of date "
                                    "(default: as billed).")
pricing_dir_option = click.option(
    "--pricing-dir", type=click.Path(file_okay=False, path_type=str), envvar="COSTCALC_PRICING_DIR",
    default=None, help="Price tables to use (default: the bundled ones; env COSTCALC_PRICING_DIR).")


calibrations_option = click.option(
    "--calibrations", "calibrations", multiple=True, type=click.Path(dir_okay=False, exists=True),
    metavar="FILE", help="Calibration file from `costcalc calibrate` (repeatable; the last one wins) laid over the "
                         "shipped calibrations of closed tokenizers (Claude, Gemini, Titan, Nova).")


def require(condition: bool, message: str, hint: str | None = None) -> None:
    if not condition:
        raise UsageError(message, hint)


def workload_options(func):
    """--direction, --output-ratio, --cached-share, --batch-share: what is billed (as in `report`)."""
    from decimal import Decimal

    for option in reversed([
        click.option("--direction", type=click.Choice(["input", "output", "mixed"]), default="input",
                     show_default=True, help="Bill the text as input, as output, or as input plus --output-ratio "
                                             "output."),
        click.option("--output-ratio", type=Decimal, default=Decimal(0),
                     help="With --direction mixed: output tokens per input token, e.g. 0.25."),
        click.option("--cached-share", type=Decimal, default=Decimal(0),
                     help="Share of input read from cache (0-1)."),
        click.option("--batch-share", type=Decimal, default=Decimal(0), help="Share sent through batch APIs (0-1)."),
    ]):
        func = option(func)
    return func
