"""Closed tokenizer families: vendors whose tokenizer is not public, one name per generation whose tokenizer differs.

A family has no offline tokenizer. It counts as an exact **base** tokenizer times a per-language **calibration
factor** (`pricing/calibrations/`, `costcalc calibrate`), and is always labelled an estimate that says how it was
calibrated. Where no calibration exists the factor is 1 and the count is labelled "uncalibrated".
Why the families are split where they are: docs/tokenizer-families.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    name: str
    base: str  # an exact registry tokenizer
    vendor: str  # calibrate client that can measure it (anthropic, gemini, vertex, bedrock), or "" for none
    covers: str


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("anthropic:claude-3", "openai:o200k_base", "anthropic",
           "Claude 3, 3.5, 3.7, 4, 4.1, 4.5 and 4.6 (one tokenizer since Claude 3)"),
    Family("anthropic:claude-4.7", "openai:o200k_base", "anthropic",
           "Claude Opus 4.7 and every later Claude (the tokenizer introduced with Opus 4.7)"),
    Family("google:gemini-1", "google:gemma", "gemini", "Gemini 1.0 and 1.5"),
    Family("google:gemini-2", "google:gemma", "gemini",
           "Gemini 2.x and later models that Google's SDK does not map to a published Gemma tokenizer"),
    Family("amazon:titan", "openai:cl100k_base", "bedrock", "Amazon Titan Text"),
    Family("amazon:nova", "openai:cl100k_base", "bedrock", "Amazon Nova"),
    Family("mistral:closed", "mistral:tekken", "",
           "Mistral models whose weights and tokenizer are not published (Medium 3.x, ...)"),
)}


def family(name: str) -> Family | None:
    return FAMILIES.get(name)
