"""Errors of the refresh job. Each names the source or file, the problem and what to do about it."""

from __future__ import annotations

from costcalc.errors import CostcalcError


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
