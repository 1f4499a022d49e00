"""What `costcalc prices list|show|history|diff|validate` print, as library calls: each loads the tables once and
returns a Listing (rows, columns, notes) or, for validate, the problems found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.listing import Listing

if TYPE_CHECKING:
    from costcalc.prices.book import Offering, PriceBook, Quote
    from costcalc.prices.schema import DatedAlias

LIST_COLUMNS = ["offering", "input", "output", "cached_input", "currency", "unit", "effective_from",
                "confidence", "tokenizer"]
HISTORY_COLUMNS = ["from", "from_basis", "currency", "unit", "input", "output", "cached_input", "confidence", "source"]
DIFF_COLUMNS = ["offering", "change", "input_from", "input_to", "input_pct", "output_from", "output_to",
                "output_pct", "currency", "note"]


def _book(as_of: date | str | None, pricing_dir: str | Path | None, prices: Sequence[str]) -> PriceBook:
    from costcalc.prices import load_prices

    return load_prices(as_of=as_of, path=pricing_dir, overlays=list(prices))


def _notes(book: PriceBook, quotes: list[Quote]) -> list[str]:
    lines = [f"Price table {book.version}; prices in force on {book.as_of}, per 1M tokens unless marked per "
             "character."]
    fx = {(q.billed_currency, q.currency, q.fx_rate, q.fx_date) for q in quotes if q.fx_rate is not None}
    lines += [f"{billed} converted to {target} at {rate} ({book.fx.source.split(',')[0]}, {day})."
              for billed, target, rate, day in sorted(fx, key=str)]
    if any(q.entry.confidence == "low" for q in quotes):
        lines.append("confidence low = sources conflict; see `costcalc prices show OFFERING` for the note.")
    return lines


def price_list(provider: str | None = None, *, as_of: date | str | None = None, currency: str | None = None,
               pricing_dir: str | Path | None = None, prices: Sequence[str] = ()) -> Listing:
    """Every offering priced on the as-of date (of one billing provider, or all), converted to `currency`."""
    book = _book(as_of, pricing_dir, prices)
    quotes = [o.price(book.as_of, currency) for o in book.select(provider, book.as_of)]
    rows = [{**q.to_dict(), "unit": q.entry.unit, "price_table": book.version} for q in quotes]
    return Listing(rows, LIST_COLUMNS, _notes(book, quotes))


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


def show(offering: str, *, as_of: date | str | None = None, currency: str | None = None,
         pricing_dir: str | Path | None = None, prices: Sequence[str] = ()) -> Listing:
    """One offering's prices on the as-of date with their source, confidence and FX conversion: field/value rows,
    and the full record as the JSON payload."""
    book = _book(as_of, pricing_dir, prices)
    off = book.lookup(offering)
    quote = off.price(book.as_of, currency)
    model = off.model
    data = {**quote.to_dict(), "name": model.name, "provider": off.provider.name, "model": model.model,
            "class": model.class_, "aliases": [_alias(off.provider.provider, a) for a in model.aliases],
            "context_window": model.context_window, "max_output": model.max_output, "precision": model.precision,
            "checked": model.checked, "price_table": book.version}
    rows = [{"field": k, "value": _cell(v)} for k, v in data.items() if v is not None and v not in ([], {})]
    return Listing(rows, ["field", "value"], payload=data)


def history(offering: str, *, pricing_dir: str | Path | None = None, prices: Sequence[str] = ()) -> Listing:
    """Every dated price entry of one offering, oldest first, as billed."""
    book = _book(None, pricing_dir, prices)
    off = book.lookup(offering)
    rows = [{"offering": off.ref, **e.model_dump(by_alias=True), "source": ", ".join(e.source)}
            for e in off.model.prices]
    retired = f"; retired on {off.model.until}" if off.model.until else ""
    return Listing(rows, HISTORY_COLUMNS, [
        f"{off.ref} ({off.model.name}); price table {book.version}; prices per 1M {off.model.prices[-1].unit}s, "
        f"as billed{retired}.", "Sources: see `costcalc prices show OFFERING` or pricing/sources.yaml."])


def _change_row(off: Offering, start: date, end: date, currency: str) -> dict[str, Any] | None:
    from costcalc.numbers import percent_change

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
    row: dict[str, Any] = {"offering": off.ref, "change": status, "currency": currency}
    for side, q in (("from", before), ("to", after)):
        row[f"input_{side}"] = q.input if q else None
        row[f"output_{side}"] = q.output if q else None
    row["input_pct"] = percent_change(row["input_from"], row["input_to"])
    row["output_pct"] = percent_change(row["output_from"], row["output_to"])
    notes = []
    if before and after and before.billed_currency != after.billed_currency:
        notes.append(f"billed in {before.billed_currency}, then {after.billed_currency}")
    if after is not None:
        notes.append(f"since {after.entry.from_}")
    row["note"] = "; ".join(notes)
    return row


def changes(start: date, end: date | None = None, *, provider: str | None = None, currency: str = "USD",
            pricing_dir: str | Path | None = None, prices: Sequence[str] = ()) -> Listing:
    """What changed between two dates: new, retired, repriced and re-sourced offerings, with percentages; each
    side converted to `currency` at its own date's rate."""
    from costcalc.errors import UsageError

    book = _book(end, pricing_dir, prices)
    end = book.as_of
    if start >= end:
        raise UsageError(f"--from {start} must be before --to {end}", "give an earlier --from or a later --to")
    if provider is not None:
        book.select(provider, end)  # validates the provider name
    offerings = [o for o in book.offerings if provider is None or o.provider.provider == provider]
    rows = [r for o in offerings if (r := _change_row(o, start, end, currency)) is not None]
    return Listing(rows, DIFF_COLUMNS, [f"Changes from {start} to {end}; price table {book.version}; {currency} per "
                                        "1M tokens; pct = change in percent."])


@dataclass(frozen=True)
class Validation:
    root: Path
    tables: int
    models: int | None  # None when one file was checked
    problems: list[str]
    pending_refresh: bool  # an interrupted price refresh waits to be finished or discarded


def validate(path: str | Path | None = None) -> Validation:
    """Check a pricing directory (providers/*.yaml with fx.yaml and sources.yaml), or one provider file against
    the bundled fx.yaml and the sources.yaml of the directory it sits in (else the bundled one)."""
    from costcalc.prices import check_dir, default_pricing_dir
    from costcalc.refresh.txn import pending

    root = Path(path) if path is not None else default_pricing_dir()
    if root.is_file():
        return Validation(root, 1, None, _validate_file(root), False)
    loaded, _, problems = check_dir(root)
    return Validation(root, len(loaded), sum(len(t.models) for _, t in loaded), problems, bool(pending(root)))


def _validate_file(path: Path) -> list[str]:
    """One provider file, checked in a scratch pricing dir beside the bundled fx.yaml."""
    import shutil
    import tempfile

    from costcalc.prices import check_dir, default_pricing_dir

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        (scratch / "providers").mkdir()
        shutil.copy(default_pricing_dir() / "fx.yaml", scratch / "fx.yaml")
        beside = path.parent.parent / "sources.yaml"  # a file inside a pricing dir cites that dir's sources
        shutil.copy(beside if beside.is_file() else default_pricing_dir() / "sources.yaml", scratch / "sources.yaml")
        copy = scratch / "providers" / path.name
        shutil.copy(path, copy)
        _, _, problems = check_dir(scratch)
    return [p.replace(str(copy), str(path)) for p in problems]
