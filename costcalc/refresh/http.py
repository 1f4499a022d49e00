"""HTTPS fetching with a size cap, timeouts and retries: stdlib urllib only (no new dependency).

Plain HTTP is refused except for loopback hosts, so tests can serve fixtures from 127.0.0.1.
"""

from __future__ import annotations

import email.utils
import http.client
import ipaddress
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from costcalc.errors import FetchError, UnsafeURLError

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class HttpSettings:
    timeout: float = 30.0  # seconds per attempt, connect + whole body
    max_bytes: int = 64 * 2**20  # litellm's map is ~3 MB; anything near this cap is not a price list
    retries: int = 3  # further attempts after the first
    backoff: float = 2.0  # first wait in seconds; doubles after each failed attempt
    max_wait: float = 120.0  # cap on any single wait, Retry-After included
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


def check_url(url: str) -> str:
    """The URL if it is HTTPS, or plain HTTP to a loopback host; raises UnsafeURLError otherwise."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and _is_loopback(host):
        return url
    raise UnsafeURLError(f"refusing to fetch {url!r}: only https:// URLs are allowed "
                         "(http:// only for 127.0.0.0/8, ::1 and localhost)", "use the https:// form of the URL")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect must satisfy the same scheme rule as the original URL (no https -> http downgrade)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    # No ProxyHandler from the environment would change where bytes come from; keep urllib's defaults otherwise.
    return urllib.request.build_opener(_CheckedRedirects)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _read_capped(resp, url: str, settings: HttpSettings, started: float) -> bytes:
    declared = resp.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > settings.max_bytes:
        raise FetchError(f"{url} announces {int(declared):,} bytes, over the {settings.max_bytes:,}-byte cap",
                         "check the URL, or raise --max-bytes if the file really grew")
    chunks, size = [], 0
    while chunk := resp.read(_CHUNK):
        size += len(chunk)
        if size > settings.max_bytes:
            raise FetchError(f"{url} sent more than the {settings.max_bytes:,}-byte cap",
                             "check the URL, or raise --max-bytes if the file really grew")
        if time.monotonic() - started > settings.timeout:
            raise TimeoutError("body not complete within the timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, settings: HttpSettings | None = None) -> bytes:
    """The response body of GET `url`. Retries 429/5xx, timeouts and connection errors with exponential
    backoff, honouring Retry-After; raises FetchError with one line saying what failed after the last attempt."""
    settings = settings or HttpSettings()
    check_url(url)
    opener = _opener()
    attempts = settings.retries + 1
    last = ""
    for attempt in range(attempts):
        wait = settings.backoff * 2**attempt
        started = time.monotonic()
        request = urllib.request.Request(url, headers={"User-Agent": "costcalc-refresh", "Accept": "*/*"})
        try:
            with opener.open(request, timeout=settings.timeout) as resp:
                return _read_capped(resp, url, settings, started)
        except urllib.error.HTTPError as e:
            e.close()
            if e.code not in RETRYABLE_STATUS:
                raise FetchError(f"HTTP {e.code} {e.reason} from {url}",
                                 "check the URL (--url) or whether the source moved") from None
            last = f"HTTP {e.code} {e.reason}"
            hinted = retry_after(e.headers.get("Retry-After")) if e.headers else None
            if hinted is not None:
                wait = hinted
        except UnsafeURLError:
            raise
        except (TimeoutError, urllib.error.URLError, ConnectionError, http.client.HTTPException) as e:
            reason = getattr(e, "reason", e)
            last = "timed out" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else str(reason)
        if attempt + 1 < attempts:
            settings.sleep(min(wait, settings.max_wait))
    raise FetchError(f"{last} from {url} after {attempts} attempt(s)",
                     "the source may be down; the next scheduled run will try again")
