"""`costcalc calibrate` as library calls: find the model's family, measure, and write the entries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from costcalc.calibrate.schema import Calibration
from costcalc.errors import UnknownOfferingError, UsageError

# Where each vendor's models are priced (the provider tables searched for --model).
PROVIDERS = {"anthropic": ("anthropic",), "gemini": ("google",), "vertex": ("google", "google-vertex"),
             "bedrock": ("aws-bedrock",)}


@dataclass
class Outcome:
    entries: list[Calibration]
    family: str
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[dict]:
        """The entries as plain rows (one per language), for tables and JSON."""
        return [e.model_dump(mode="json") for e in self.entries]

    def footer(self) -> list[str]:
        """What the factors mean, the notes of the run, and where the entries were written."""
        return [f"{self.family}: tokens = factor x {self.entries[0].base} tokens (+ overhead per request).",
                *self.notes,
                "written: " + ", ".join(str(p) for p in self.written) if self.written
                else "not written: pass --output FILE or --apply"]


def family_of(model: str, vendor: str | None, family: str | None = None, pricing_dir: str | None = None) -> str:
    """The closed family `model` counts with: `family` when given, else the price tables' tokenizer."""
    from costcalc.prices import load_prices
    from costcalc.tokenizers.families import FAMILIES

    if family:
        if family not in FAMILIES:
            raise UsageError(f"unknown tokenizer family {family!r}", f"use one of {', '.join(sorted(FAMILIES))}")
        return family
    book = load_prices(path=pricing_dir)
    refs = [model] if "/" in model or vendor not in PROVIDERS else [f"{p}/{model}" for p in PROVIDERS[vendor]]
    offering = None
    for ref in refs:
        try:
            offering = book.lookup(ref)
            break
        except UnknownOfferingError:
            continue
    if offering is None:
        try:
            offering = book.lookup(model)
        except UnknownOfferingError:
            raise UsageError(f"model {model!r} is not in the price tables, so its tokenizer family is unknown",
                             f"pass --family (one of {', '.join(sorted(FAMILIES))})") from None
    if offering.tokenizer not in FAMILIES:
        raise UsageError(f"{offering.ref} counts with {offering.tokenizer}, not a closed family: nothing to "
                         "calibrate", "calibrate a model whose tokenizer is closed (Claude, Gemini, Titan, Nova)")
    return offering.tokenizer


def write(entries: Sequence[Calibration], output: str | Path | None, apply: bool,
          pricing_dir: str | None = None) -> list[Path]:
    from costcalc.calibrate import tablefile
    from costcalc.prices import default_pricing_dir

    written = []
    if output:
        tablefile.append(Path(output), entries)
        written.append(Path(output))
    if apply:
        written.append(tablefile.apply(Path(pricing_dir) if pricing_dir else default_pricing_dir(), entries))
    return written


def calibrate_vendor(vendor: str, model: str, *, api_base: str | None = None, languages: Sequence[str] = (),
                     corpus: str = "bundled", concurrency: int = 4, retries: int = 6, family: str | None = None,
                     output: str | Path | None = None, apply: bool = False, pricing_dir: str | None = None,
                     location: str = "us-central1", project: str = "", region: str | None = None,
                     progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Count the corpus with the vendor's endpoint and write per-language calibrations of `model`'s family."""
    from costcalc.calibrate import measure, vendors

    fam = family_of(model, vendor, family, pricing_dir)
    counter = vendors.client(vendor, model, api_base, location=location, project=project, region=region,
                             options=replace(vendors.HTTP, retries=retries))
    entries = measure.calibrate_vendor(counter, fam, corpus=corpus, languages=languages,
                                       concurrency=concurrency, progress=progress)
    return Outcome(entries, fam, write(entries, output, apply, pricing_dir))


def calibrate_usage(path: str | Path, model: str, *, text_field: str = "text", tokens_field: str = "input_tokens",
                    language_field: str | None = "language", language: str | None = None,
                    family: str | None = None, output: str | Path | None = None, apply: bool = False,
                    pricing_dir: str | None = None) -> Outcome:
    """Fit per-language calibrations of `model`'s family to a JSONL usage log and write them."""
    from costcalc.calibrate import usage

    fam = family_of(model, None, family, pricing_dir)
    entries, left_out = usage.calibrate_usage(path, fam, model=model, text_field=text_field,
                                              tokens_field=tokens_field, language_field=language_field,
                                              language=language)
    return Outcome(entries, fam, write(entries, output, apply, pricing_dir),
                   [f"left out: {note}" for note in left_out])
