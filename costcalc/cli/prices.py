"""`costcalc prices ...`: list, show, history, diff and validate the versioned price tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import click

from costcalc.cli._options import DATE, as_of_option, currency_option, pricing_dir_option
from costcalc.cli._output import emit, format_option, to_json
from costcalc.cli.refresh import refresh as refresh_command
from costcalc.prices import Offering, PriceBook, Quote, load_prices
from costcalc.prices.schema import DatedAlias


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


def _book(as_of: date | None, pricing_dir: str | None) -> PriceBook:
    return load_prices(as_of=as_of, path=pricing_dir)


def _footer(book: PriceBook, as_of: date, quotes: list[Quote]) -> list[str]:
    lines = [f"Price table {book.version}; prices in force on {as_of}, per 1M tokens unless marked per character."]
    fx = {(q.billed_currency, q.currency, q.fx_rate, q.fx_date) for q in quotes if q.fx_rate is not None}
    for billed, target, rate, day in sorted(fx, key=str):
        lines.append(f"{billed} converted to {target} at {rate} ({book.fx.source.split(',')[0]}, {day}).")
    if any(q.entry.confidence == "low" for q in quotes):
        lines.append("confidence low = sources conflict; see `costcalc prices show OFFERING` for the note.")
    return lines


LIST_COLUMNS = ["offering", "input", "output", "cached_input", "currency", "unit", "effective_from",
                "confidence", "tokenizer"]


@prices.command("list")
@click.option("--provider", "-p", help="Only this billing provider (mistral, openai, anthropic, aws-bedrock, ...).")
@as_of_option
@currency_option
@format_option()
@pricing_dir_option
def list_(provider: str | None, as_of: date | None, currency: str | None, fmt: str, pricing_dir: str | None) -> None:
    """Every offering priced on the as-of date, with its source confidence and tokenizer."""
    book = _book(as_of, pricing_dir)
    quotes = [o.price(book.as_of, currency) for o in book.select(provider, book.as_of)]
    rows = [{**q.to_dict(), "unit": q.entry.unit, "price_table": book.version} for q in quotes]
    emit(rows, LIST_COLUMNS, fmt, footer=_footer(book, book.as_of, quotes))


@prices.command()
@click.argument("offering")
@as_of_option
@currency_option
@format_option()
@pricing_dir_option
def show(offering: str, as_of: date | None, currency: str | None, fmt: str, pricing_dir: str | None) -> None:
    """One offering's prices on the as-of date, with their source, confidence and FX conversion."""
    book = _book(as_of, pricing_dir)
    off = book.lookup(offering)
    quote = off.price(book.as_of, currency)
    model = off.model
    data = {**quote.to_dict(), "name": model.name, "provider": off.provider.name, "model": model.model,
            "class": model.class_, "aliases": [_alias(off.provider.provider, a) for a in model.aliases],
            "context_window": model.context_window, "max_output": model.max_output, "precision": model.precision,
            "checked": model.checked, "price_table": book.version}
    if fmt == "json":
        click.echo(to_json(data))
        return
    rows = [{"field": k, "value": _cell(v)} for k, v in data.items() if v is not None and v not in ([], {})]
    emit(rows, ["field", "value"], fmt)


def _alias(provider: str, alias: str | DatedAlias) -> str:
    if isinstance(alias, str):
        return f"{provider}/{alias}"
    return f"{provider}/{alias.name} (from {alias.from_}" + (f" until {alias.until})" if alias.until else ")")


def _cell(value: object) -> object:
    """A show-table cell: lists and mappings as one readable line."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(f"{v['title']} <{v['url']}>" if isinstance(v, dict) and "url" in v
                         else ", ".join(f"{k} {x}" for k, x in v.items()) if isinstance(v, dict) else str(v)
                         for v in value)
    return value


HISTORY_COLUMNS = ["from", "from_basis", "currency", "unit", "input", "output", "cached_input", "confidence", "source"]


@prices.command()
@click.argument("offering")
@format_option()
@pricing_dir_option
def history(offering: str, fmt: str, pricing_dir: str | None) -> None:
    """Every dated price entry of one offering, oldest first, as billed."""
    book = _book(None, pricing_dir)
    off = book.lookup(offering)
    rows = [{"offering": off.ref, **e.model_dump(by_alias=True), "source": ", ".join(e.source)}
            for e in off.model.prices]
    retired = f"; retired on {off.model.until}" if off.model.until else ""
    emit(rows, HISTORY_COLUMNS, fmt,
         footer=[f"{off.ref} ({off.model.name}); price table {book.version}; "
                 f"prices per 1M {off.model.prices[-1].unit}s, as billed{retired}.",
                 "Sources: see `costcalc prices show OFFERING` or pricing/sources.yaml."])


def _change(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    if old is None or new is None or old == 0:
        return None
    return ((new - old) / old * 100).quantize(Decimal("0.1"))


def _diff_row(off: Offering, start: date, end: date, currency: str) -> dict | None:
    before = off.price(start, currency) if off.is_priced(start) else None
    after = off.price(end, currency) if off.is_priced(end) else None
    if before is None and after is None:
        return None
    status = "new" if before is None else "retired" if after is None else None
    if status is None:
        if before.entry is after.entry:  # type: ignore[union-attr]
            return None
        same = (before.input, before.output) == (after.input, after.output)  # type: ignore[union-attr]
        status = "re-sourced" if same else "repriced"
    row: dict = {"offering": off.ref, "change": status, "currency": currency}
    for side, q in (("from", before), ("to", after)):
        row[f"input_{side}"] = q.input if q else None
        row[f"output_{side}"] = q.output if q else None
    row["input_pct"] = _change(row["input_from"], row["input_to"])
    row["output_pct"] = _change(row["output_from"], row["output_to"])
    notes = []
    if before and after and before.billed_currency != after.billed_currency:
        notes.append(f"billed in {before.billed_currency}, then {after.billed_currency}")
    if after is not None:
        notes.append(f"since {after.entry.from_}")
    row["note"] = "; ".join(notes)
    return row


DIFF_COLUMNS = ["offering", "change", "input_from", "input_to", "input_pct", "output_from", "output_to",
                "output_pct", "currency", "note"]


@prices.command()
@click.option("--from", "start", type=DATE, required=True, help="Earlier date.")
@click.option("--to", "end", type=DATE, default=None, help="Later date (default: today).")
@click.option("--provider", "-p", help="Only this billing provider.")
@click.option("--currency", type=click.Choice(["USD", "EUR"]), default="USD", show_default=True,
              help="Compare in this currency, each side converted at its own date's ECB rate.")
@format_option()
@pricing_dir_option
def diff(start: date, end: date | None, provider: str | None, currency: str, fmt: str,
         pricing_dir: str | None) -> None:
    """What changed between two dates: new, retired and repriced offerings, with percentages."""
    book = _book(end, pricing_dir)
    end = book.as_of
    if start >= end:
        raise click.BadParameter(f"--from {start} must be before --to {end}", param_hint="--from")
    if provider is not None:
        book.select(provider, end)  # validates the provider name
    offerings = [o for o in book.offerings if provider is None or o.provider.provider == provider]
    rows = [r for o in offerings if (r := _diff_row(o, start, end, currency)) is not None]
    emit(rows, DIFF_COLUMNS, fmt, footer=[f"Changes from {start} to {end}; price table {book.version}; "
                                          f"{currency} per 1M tokens; pct = change in percent."])


@prices.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def validate(ctx: click.Context, path: Path | None) -> None:
    """Check price tables: schema, dates in order, unique ids, known tokenizers and currencies.

    PATH is a pricing directory (with providers/*.yaml and fx.yaml) or one provider file
    (checked against the bundled fx.yaml). Prints every problem, one per line; exit 1 if any.
    """
    from costcalc.prices import check_dir, default_pricing_dir
    from costcalc.refresh.txn import pending

    root = path or default_pricing_dir()
    if root.is_dir() and pending(root):
        click.echo(f"{root}: an interrupted price refresh is pending; run `costcalc prices refresh --pricing-dir "
                   f"{root}` to finish or discard it", err=True)
    if root.is_file():
        problems = _validate_file(root)
        tables = 1
        models = None
    else:
        loaded, _, problems = check_dir(root)
        tables, models = len(loaded), sum(len(t.models) for _, t in loaded)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        ctx.exit(1)
    counted = f", {models} models" if models is not None else ""
    click.echo(f"OK: {root} ({tables} table file(s){counted}) is valid.")


def _validate_file(path: Path) -> list[str]:
    """One provider file, checked in a scratch pricing dir beside the bundled fx.yaml."""
    import shutil
    import tempfile

    from costcalc.prices import check_dir, default_pricing_dir

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "providers").mkdir()
        shutil.copy(default_pricing_dir() / "fx.yaml", Path(tmp) / "fx.yaml")
        beside = path.parent.parent / "sources.yaml"  # a file inside a pricing dir cites that dir's sources
        shutil.copy(beside if beside.is_file() else default_pricing_dir() / "sources.yaml", Path(tmp) / "sources.yaml")
        shutil.copy(path, Path(tmp) / "providers" / path.name)
        _, _, problems = check_dir(Path(tmp))
    return [p.replace(str(Path(tmp) / "providers" / path.name), str(path)) for p in problems]


@prices.command()
def schema() -> None:
    """Print the JSON Schema of a price table (pricing/schema.json is this output; editors use it)."""
    from costcalc.prices.schema import json_schema

    click.echo(to_json(json_schema()))


prices.add_command(refresh_command)
