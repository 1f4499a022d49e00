"""One root exception; subclasses also inherit the matching builtin so plain-Python callers can catch them.

Messages say what failed, the offending value, what is available (or the closest matches) and the fix.
The library raises; only the CLI turns these into one line on stderr and an exit code.
"""

from __future__ import annotations

from collections.abc import Iterable


class CostcalcError(Exception):
    """Root of every error costcalc raises on purpose."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class PriceTableError(CostcalcError, ValueError):
    """A price table (or fx.yaml) is malformed or inconsistent."""


class UnknownOfferingError(CostcalcError, LookupError):
    """No offering or alias of that name."""


class NoPriceError(CostcalcError, LookupError):
    """The offering exists but has no price on the requested date."""


class RetiredError(NoPriceError):
    """The offering was retired before the requested date."""


class FxRateError(CostcalcError, LookupError):
    """No exchange rate for the currency pair on the requested date."""


class UnknownTokenizerError(CostcalcError, LookupError):
    """No tokenizer of that name in the registry."""


class TokenizerAssetError(CostcalcError, RuntimeError):
    """A tokenizer asset is missing or does not match its recorded sha256."""


class MissingDependencyError(CostcalcError, ImportError):
    """An optional library is not installed."""


class InputError(CostcalcError, ValueError):
    """User-supplied text, file or option value cannot be used."""


def closest(value: str, choices: Iterable[str], n: int = 5) -> str:
    """'Did you mean: a, b?' for the closest choices, or '' when none is close."""
    import difflib

    matches = difflib.get_close_matches(value, list(choices), n=n, cutoff=0.5)
    return f"did you mean: {', '.join(matches)}?" if matches else ""
