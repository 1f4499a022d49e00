"""The one parser of dates a user gives (options, library arguments): ISO `YYYY-MM-DD`."""

from __future__ import annotations

from datetime import date

from costcalc.errors import UsageError


def parse_date(value: str | date | None) -> date:
    """A date from `YYYY-MM-DD` (or a date); None means today."""
    if value is None:
        return date.today()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise UsageError(f"invalid date {value!r}", "use YYYY-MM-DD, e.g. 2023-12-14") from None
