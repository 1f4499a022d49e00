"""Fetching a price list: HTTPS only, a size cap, and the package's one HTTP stack (`costcalc.net`, urllib3)
for timeouts, retries, backoff and Retry-After.

Plain HTTP is refused except for loopback hosts, so tests can serve fixtures from 127.0.0.1; a redirect must
satisfy the same rule (no https -> http downgrade).
"""

from __future__ import annotations

import ipaddress
import time
from urllib.parse import urlsplit

from costcalc.errors import FetchError, UnsafeURLError
from costcalc.net import RETRY_STATUS, HttpSettings, pool

__all__ = ["HttpSettings", "check_url", "fetch"]

_CHUNK = 64 * 1024


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


def _too_big(url: str, settings: HttpSettings, what: str) -> FetchError:
    return FetchError(f"{url} {what}, over the {settings.max_bytes:,}-byte cap",
                      "check the URL, or raise --max-bytes if the file really grew")


def fetch(url: str, settings: HttpSettings | None = None) -> bytes:
    """The response body of GET `url`; raises FetchError with one line saying what failed after the last attempt."""
    import urllib3

    settings = settings or HttpSettings()
    check_url(url)
    attempts = settings.retries + 1
    try:
        resp = pool(settings, "costcalc-refresh", check_url).request("GET", url, preload_content=False,
                                                                     headers={"Accept": "*/*"})
    except urllib3.exceptions.MaxRetryError as e:
        reason = "timed out" if isinstance(e.reason, urllib3.exceptions.TimeoutError) else str(e.reason)
        raise FetchError(f"{reason} from {url} after {attempts} attempt(s)",
                         "the source may be down; the next scheduled run will try again") from None
    except urllib3.exceptions.HTTPError as e:
        raise FetchError(f"{type(e).__name__} from {url}: {e}", "the next scheduled run will try again") from None
    with resp:
        if resp.status >= 400:
            retried = resp.status in RETRY_STATUS
            raise FetchError(f"HTTP {resp.status} {resp.reason} from {url}"
                             + (f" after {attempts} attempt(s)" if retried else ""),
                             "the source may be down; the next scheduled run will try again" if retried else
                             "check the URL (--url) or whether the source moved")
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > settings.max_bytes:
            raise _too_big(url, settings, f"announces {int(declared):,} bytes")
        chunks, size, deadline = [], 0, time.monotonic() + settings.timeout
        try:
            for chunk in resp.stream(_CHUNK):
                size += len(chunk)
                if size > settings.max_bytes:
                    raise _too_big(url, settings, "sent more bytes")
                if time.monotonic() > deadline:  # a trickle of bytes never trips the per-read timeout
                    raise FetchError(f"timed out reading {url}", "the next scheduled run will try again")
                chunks.append(chunk)
        except urllib3.exceptions.HTTPError as e:
            reason = "timed out" if isinstance(e, urllib3.exceptions.TimeoutError) else type(e).__name__
            raise FetchError(f"{reason} reading {url}", "the next scheduled run will try again") from None
    return b"".join(chunks)
