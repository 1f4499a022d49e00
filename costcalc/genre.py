"""Genre weighting: how much each corpus document (one per genre) counts towards a language's token rate.

The default pools every document ("all documents, equal characters"): a language's tokens per English character
is its total tokens over the total English characters of the documents it shares with English, so each English
character weighs the same. `--genre NAME[=WEIGHT]` gives a share of the English-equivalent content to each named
genre instead (the others get none):

    rate(L) = sum_g w_g * units(L, g) / chars_en(g)  /  sum_g w_g

where units are tokens (or characters, for offerings billed per character). The manifest's document ids are the
vocabulary (`technical-code`, `news-report`, ...); its descriptions say what each one is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from costcalc.errors import InputError, closest

DEFAULT_DESCRIPTION = "all documents, equal characters (every English character of every genre weighs the same)"


def parse_genre(spec: str) -> tuple[str, Decimal]:
    """'technical-code=2' -> ('technical-code', Decimal(2)); a bare name weighs 1."""
    name, _, weight = spec.partition("=")
    try:
        value = Decimal(weight) if weight else Decimal(1)
    except InvalidOperation:
        raise InputError(f"genre weight {weight!r} in {spec!r} is not a number",
                         "use --genre NAME or --genre NAME=WEIGHT, e.g. --genre technical-code=2") from None
    return name.strip(), value


def genre_weights(specs: Iterable[str | tuple[str, Decimal | float | int]] | Mapping[str, Decimal | float | int],
                  vocabulary: Sequence[str]) -> dict[str, Decimal] | None:
    """Checked weights {genre: weight} from `--genre` specs or a mapping; None (the default) when empty."""
    items = list(specs.items()) if isinstance(specs, Mapping) else [
        parse_genre(s) if isinstance(s, str) else s for s in specs]
    if not items:
        return None
    weights: dict[str, Decimal] = {}
    for name, raw in items:
        weight = Decimal(str(raw))
        if name not in vocabulary:
            raise InputError(f"unknown genre {name!r}",
                             closest(name, vocabulary) or f"the corpus genres are: {', '.join(vocabulary)}")
        if not weight.is_finite() or weight < 0:
            raise InputError(f"genre weight for {name!r} must be a number >= 0, got {raw}",
                             f"e.g. --genre {name}=2")
        weights[name] = weights.get(name, Decimal(0)) + weight
    if not sum(weights.values()):
        raise InputError("genre weights add up to 0: nothing would be counted", "give at least one genre a weight > 0")
    return weights


def rate(units: Mapping[str, int], chars_en: Mapping[str, int], docs: Sequence[str],
         weights: Mapping[str, Decimal] | None) -> tuple[Decimal, Decimal]:
    """Units (tokens or characters) per English character of content over `docs`, pooled or genre-weighted, as
    (numerator, denominator): callers multiply a price by the numerator first, so pooled money stays exact."""
    if weights is None:
        return Decimal(sum(units[d] for d in docs)), Decimal(sum(chars_en[d] for d in docs))
    missing = [g for g, w in weights.items() if w and g not in docs]
    if missing:
        raise InputError(f"genre {missing[0]!r} has no document in both this language and English",
                         "leave that genre out or use a corpus that has it")
    total = sum(weights.values())
    return sum((w * Decimal(units[g]) / Decimal(chars_en[g]) for g, w in weights.items() if w), Decimal(0)), total


def describe(weights: Mapping[str, Decimal] | None) -> str:
    if weights is None:
        return DEFAULT_DESCRIPTION
    total = sum(weights.values())
    return "genre-weighted: " + ", ".join(f"{g} {w / total:.0%}".replace("%", " %")
                                          for g, w in weights.items() if w) + " of the content"
