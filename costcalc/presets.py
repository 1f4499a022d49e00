"""Named comparisons: a preset fixes models, base, as-of date and languages; options override its parts, and the
report's first line says which preset it is and what was overridden ("published-2023-12-14 models and prices,
German"). Which models `current` holds is computed from the price tables on the as-of day
(current_preset). The presets are data (PRESETS, PUBLISHED_DEFAULT, PRESET_CURRENT); the functions below compute
`current` and merge a preset with the options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from costcalc.errors import InputError, UsageError


@dataclass(frozen=True)
class PresetHeader:
    """The preset a comparison was asked under (name None: the user's own) and what options overrode."""

    name: str | None
    overridden: list[str]
    heading: str
    description: str


# The published comparison that `costcalc report` reproduces by default.
PUBLISHED_DEFAULT = {
    "language": "it",
    "as_of": date(2023, 12, 14),
    "base": "mistral/mistral-medium",
    "models": [
        "mistral/mistral-medium",
        "aws-bedrock/anthropic.claude-v2",
        "openai/gpt-4-1106-preview",
        "openai/gpt-3.5-turbo-1106",
        "aws-bedrock/amazon.titan-text-express-v1",
        "aws-bedrock/meta.llama2-70b-chat-v1",
        "aws-bedrock/meta.llama2-13b-chat-v1",
    ],
    # cost(Mistral Medium) / cost(other), Italian input, as published
    "ratios": {
        "aws-bedrock/anthropic.claude-v2": 0.33,
        "openai/gpt-4-1106-preview": 0.31,
        "openai/gpt-3.5-turbo-1106": 3.1,
        "aws-bedrock/amazon.titan-text-express-v1": 2.1,
        "aws-bedrock/meta.llama2-70b-chat-v1": 1.53,
        "aws-bedrock/meta.llama2-13b-chat-v1": 4.0,
    },
}

# `--preset current` is computed from the tables on the as-of date (`current_preset`): per provider, the newest
# model of each class on sale that day. The base is OpenAI's flagship (a public tokenizer, so every ratio has at
# least one exact side).
PRESET_CURRENT = {"providers": ("openai", "anthropic", "google", "mistral", "aws-bedrock"),
                  "classes": ("flagship", "mid", "small"), "base_provider": "openai"}

DEFAULT = "published-2023-12-14"
ALIASES = {"published": DEFAULT}


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    languages: tuple[str, ...]
    models: tuple[str, ...]
    base: str
    as_of: date | None  # None: today
    skip_unavailable: bool = False  # leave out offerings whose optional tokenizer is not installed, and say so


PRESETS = {
    DEFAULT: Preset(DEFAULT, "the published comparison of 14 Dec 2023: Italian input, Mistral Medium against Claude 2, "
                             "GPT-4 Turbo, GPT-3.5 Turbo, Titan Text Express and Llama 2 70B/13B",
                    (PUBLISHED_DEFAULT["language"],), tuple(PUBLISHED_DEFAULT["models"]), PUBLISHED_DEFAULT["base"],
                    PUBLISHED_DEFAULT["as_of"]),
    "current": Preset("current", "the newest flagship, mid and small model of each provider on sale on the as-of "
                                 "date, in every bundled language", ("all",), (), "", None, skip_unavailable=True),
}


def current_preset(as_of: str | date | None = None, pricing_dir: str | Path | None = None) -> dict[str, Any]:
    """The models and base of `--preset current` on `as_of` (default today): per provider, the newest model of
    each class (flagship, mid, small) on sale that day. A new model in the tables joins it with no code change;
    a retired one leaves it."""
    from costcalc.prices import load_prices

    book = load_prices(as_of=as_of, path=pricing_dir)
    chosen = book.newest_by_class(PRESET_CURRENT["classes"], providers=PRESET_CURRENT["providers"])
    if not chosen:
        raise InputError(f"no model in the price tables has a class and is on sale on {book.as_of}",
                         "give models a class (flagship, mid, small) in pricing/providers/*.yaml, or pass -m")
    base = next((o for o in chosen if o.provider.provider == PRESET_CURRENT["base_provider"]), chosen[0])
    return {"models": [o.ref for o in chosen], "base": base.ref, "as_of": book.as_of,
            "classes": {o.ref: o.model.class_ for o in chosen}}



def flagships(as_of: str | date | None = None, pricing_dir: str | Path | None = None) -> list[str]:
    """The flagships of `--preset current` on `as_of`: what `costcalc estimate` prices when no model is given."""
    return [ref for ref, cls in current_preset(as_of, pricing_dir)["classes"].items() if cls == "flagship"]


def names() -> list[str]:
    return [*PRESETS, *ALIASES]


def get(name: str) -> Preset:
    from costcalc.errors import closest

    table = PRESETS
    found = table.get(ALIASES.get(name, name))
    if found is None:
        hint = closest(name, list(table))
        raise UsageError(f"unknown preset {name!r}" + (f"; {hint}" if hint else ""),
                         f"choose one of {', '.join(table)}")
    return found


def resolve(preset: str | None, languages: Sequence[str] | str | None, models: Sequence[str] | None,
            base: str | None, as_of: date | str | None, pricing_dir: str | Path | None = None) -> dict[str, Any]:
    """Merge a preset with explicit options. With no preset and no models, the default preset applies; with
    models and no preset, it is a comparison of the user's own. Returns the arguments for compare() and
    `header`, the PresetHeader the report names."""
    from costcalc.dates import parse_date
    from costcalc.languages import name as language_name

    if isinstance(languages, str):
        languages = [languages]
    languages = list(languages or [])
    if preset is None and models:
        return {"languages": languages or ["it"], "models": list(models), "base": base, "as_of": as_of,
                "skip_unavailable": False,
                "header": PresetHeader(None, [], "your own comparison",
                                       "the offerings, languages and date you chose")}
    chosen = get(preset or DEFAULT)
    day = parse_date(as_of) if as_of else None
    if chosen.name == "current" and not (models and base):
        from dataclasses import replace

        today = current_preset(day, pricing_dir)  # the tables decide which models are current
        chosen = replace(chosen, models=tuple(today["models"]), base=today["base"])
    # A part counts as overridden only when it differs from the preset's own value.
    given = {"models": list(models or []) if models and tuple(models) != chosen.models else None,
             "languages": languages if languages and tuple(languages) != chosen.languages else None,
             "base": base if base and base != chosen.base else None,
             "as_of": day if day and day != chosen.as_of else None}
    overridden = [part for part, value in given.items() if value]
    kept = [word for word, part in (("models", "models"), ("prices", "as_of")) if part not in overridden]
    changes = []
    if given["languages"]:
        changes.append(", ".join("all languages" if lang == "all" else language_name(lang) for lang in languages))
    if given["models"]:
        changes.append("your models")
    if given["base"]:
        changes.append(f"base {base}")
    if given["as_of"]:
        changes.append(f"prices as of {day}")
    if not overridden:
        heading = chosen.name
    elif kept:
        heading = f"{chosen.name} {' and '.join(kept)}, {', '.join(changes)}"
    else:
        heading = f"{chosen.name} with {', '.join(changes)}"
    return {"languages": languages or list(chosen.languages), "models": list(models or chosen.models),
            "base": base or (chosen.base if not models or chosen.base in models else None),
            "as_of": day or chosen.as_of, "skip_unavailable": chosen.skip_unavailable and not models,
            "header": PresetHeader(chosen.name, overridden, heading, chosen.description)}
