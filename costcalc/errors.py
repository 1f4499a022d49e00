"""One root exception; subclasses also inherit the matching builtin so plain-Python callers can catch them.

Messages say what failed, the offending value, what is available (or the closest matches) and the fix.
The library raises; only the CLI turns these into one line on stderr and an exit code.
"""

from __future__ import annotations

from collections.abc import Iterable


class CostcalcError(Exception):
    """Root of every error costcalc raises on purpose. `exit_code` is what the CLI exits with: 1 for a runtime or
    data problem, 2 for a usage problem (an option value that cannot be used)."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class CostcalcWarning(UserWarning):
    """Something was skipped or assumed and the run went on (e.g. an unusable cache); the CLI prints one line."""


class PriceTableError(CostcalcError, ValueError):
    """A price table (or fx.yaml) is malformed or inconsistent."""


class UnknownOfferingError(CostcalcError, LookupError):
    """No offering or alias of that name."""

    exit_code = 2


class NoPriceError(CostcalcError, LookupError):
    """The offering exists but has no price on the requested date."""


class RetiredError(NoPriceError):
    """The offering was retired before the requested date."""


class FxRateError(CostcalcError, LookupError):
    """No exchange rate for the currency pair on the requested date."""


class UnknownTokenizerError(CostcalcError, LookupError):
    """No tokenizer of that name in the registry."""

    exit_code = 2


class TokenizerAssetError(CostcalcError, RuntimeError):
    """A tokenizer asset is missing or does not match its recorded sha256."""


class MissingDependencyError(CostcalcError, ImportError):
    """An optional library is not installed."""


class InputError(CostcalcError, ValueError):
    """User-supplied text or file cannot be used."""


class UsageError(InputError):
    """An option value cannot be used (out of range, unknown name, an option that has no effect here)."""

    exit_code = 2


class OutputError(CostcalcError, OSError):
    """A file could not be written (missing directory, no permission, disk full)."""


class VendorError(CostcalcError, RuntimeError):
    """A vendor's token-counting endpoint refused or answered something unusable (costcalc calibrate)."""


# The price refresh job (costcalc.refresh): each names the source or file, the problem and what to do about it.

class RefreshError(CostcalcError, RuntimeError):
    """The refresh job cannot proceed (bad pricing directory, source map, lock held too long)."""


class UnsafeURLError(CostcalcError, ValueError):
    """A source URL that is not HTTPS (plain HTTP is allowed for loopback addresses only)."""


class FetchError(CostcalcError, OSError):
    """HTTP failure after the retries (status, timeout, size cap). The runner records it as that source's error."""


class FormatError(CostcalcError, ValueError):
    """The response is not in the format the source module expects (HTML page, truncated JSON, renamed fields)."""


class ApplyError(CostcalcError, RuntimeError):
    """Writing the new tables failed or would produce invalid tables; nothing was changed."""


def closest(value: str, choices: Iterable[str], n: int = 5) -> str:
    """'Did you mean: a, b?' for the closest choices, or '' when none is close."""
    import difflib

    matches = difflib.get_close_matches(value, list(choices), n=n, cutoff=0.5)
    return f"did you mean: {', '.join(matches)}?" if matches else ""


def closest_by_tokens(value: str, choices: Iterable[str], n: int = 3) -> str:
    """'did you mean: anthropic/claude-3-opus-20240229?' for 'claude-3-opus': the choices that contain every
    word of `value` (split at - . _ / :), fewest extra words first; '' when none does."""
    import re

    def words(text: str) -> list[str]:
        return [w for w in re.split(r"[-._/:]+", text.lower()) if w]

    wanted = words(value)
    if not wanted:
        return ""
    hits = []
    for choice in choices:
        have = words(choice)
        if all(w in have for w in wanted):
            hits.append((len(have) - len(wanted), choice))
    hits.sort()
    return f"did you mean: {', '.join(c for _, c in hits[:n])}?" if hits else ""
