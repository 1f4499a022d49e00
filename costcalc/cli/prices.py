"""`costcalc prices ...`: list, show, history, diff and validate the versioned price tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from costcalc.cli._options import DATE, as_of_option, currency_option, format_option, prices_option, pricing_dir_option
from costcalc.cli._output import emit_listing, to_json
from costcalc.cli.refresh import refresh as refresh_command


@click.group()
def prices() -> None:
    """Browse and check the price tables (pricing/providers/*.yaml).

    \b
    Examples:
      costcalc prices list --provider mistral --as-of 2023-12-14
      costcalc prices show mistral/mistral-medium --as-of 2023-12-14 --currency USD --format json
      costcalc prices history openai/o3
      costcalc prices diff --from 2023-12-14 --to 2024-12-14 --provider mistral
      costcalc prices validate pricing/
      costcalc prices refresh --source litellm --source ecb --report refresh.md
    """


@prices.command("list")
@click.option("--provider", "-p", help="Only this billing provider (mistral, openai, anthropic, aws-bedrock, ...).")
@as_of_option()
@currency_option()
@format_option()
@pricing_dir_option
@prices_option
def list_(provider: str | None, as_of: date | None, currency: str | None, fmt: str, pricing_dir: str | None,
          prices: tuple[str, ...]) -> None:
    """Every offering priced on the as-of date, with its source confidence and tokenizer."""
    from costcalc.prices.listing import price_list

    emit_listing(price_list(provider, as_of=as_of, currency=currency, pricing_dir=pricing_dir, prices=prices), fmt)


@prices.command()
@click.argument("offering")
@as_of_option()
@currency_option()
@format_option()
@pricing_dir_option
@prices_option
def show(offering: str, as_of: date | None, currency: str | None, fmt: str, pricing_dir: str | None,
         prices: tuple[str, ...]) -> None:
    """One offering's prices on the as-of date, with their source, confidence and FX conversion."""
    from costcalc.prices.listing import show as show_offering

    emit_listing(show_offering(offering, as_of=as_of, currency=currency, pricing_dir=pricing_dir, prices=prices), fmt)


@prices.command()
@click.argument("offering")
@format_option()
@pricing_dir_option
@prices_option
def history(offering: str, fmt: str, pricing_dir: str | None, prices: tuple[str, ...]) -> None:
    """Every dated price entry of one offering, oldest first, as billed."""
    from costcalc.prices.listing import history as price_history

    emit_listing(price_history(offering, pricing_dir=pricing_dir, prices=prices), fmt)


@prices.command()
@click.option("--from", "start", type=DATE, required=True, help="Earlier date.")
@click.option("--to", "end", type=DATE, default=None, help="Later date (default: today).")
@click.option("--provider", "-p", help="Only this billing provider.")
@currency_option(default="USD", help="Compare in this currency, each side converted at its own date's ECB rate.")
@format_option()
@pricing_dir_option
@prices_option
def diff(start: date, end: date | None, provider: str | None, currency: str, fmt: str,
         pricing_dir: str | None, prices: tuple[str, ...]) -> None:
    """What changed between two dates: new, retired and repriced offerings, with percentages."""
    from costcalc.prices.listing import changes

    emit_listing(changes(start, end, provider=provider, currency=currency, pricing_dir=pricing_dir, prices=prices), fmt)


@prices.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def validate(ctx: click.Context, path: Path | None) -> None:
    """Check price tables: schema, dates in order, unique ids, known tokenizers and currencies.

    PATH is a pricing directory (with providers/*.yaml and fx.yaml) or one provider file
    (checked against the bundled fx.yaml). Prints every problem, one per line; exit 1 if any.
    """
    from costcalc.prices.listing import validate as check

    result = check(path)
    if result.pending_refresh:
        click.echo(f"{result.root}: an interrupted price refresh is pending; run `costcalc prices refresh "
                   f"--pricing-dir {result.root}` to finish or discard it", err=True)
    for problem in result.problems:
        click.echo(problem)
    if result.problems:
        click.echo(f"{len(result.problems)} problem(s) found.", err=True)
        ctx.exit(1)
    counted = f", {result.models} models" if result.models is not None else ""
    click.echo(f"OK: {result.root} ({result.tables} table file(s){counted}) is valid.")


@prices.command()
def schema() -> None:
    """Print the JSON Schema of a price table (pricing/schema.json is this output; editors use it)."""
    from costcalc.prices.schema import json_schema

    click.echo(to_json(json_schema()))


prices.add_command(refresh_command)
