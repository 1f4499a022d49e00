"""The package's one HTTP stack: a urllib3 pool whose `Retry` retries 429/5xx, timeouts and connection errors
with exponential backoff and honours Retry-After. Used by `costcalc prices refresh` (GET price lists) and the
vendor counting clients of `costcalc calibrate` (POST). urllib3 is imported only when a pool is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RETRY_STATUS = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class HttpSettings:
    timeout: float = 30.0  # seconds per attempt (connect + response)
    retries: int = 3  # further attempts after the first
    # urllib3's schedule: the first retry at once, then backoff x 2, x 4, ...; Retry-After wins when given
    backoff: float = 2.0
    max_wait: float = 120.0  # cap on any single wait, Retry-After included
    max_bytes: int = 64 * 2**20  # refuse larger responses (litellm's map is ~3 MB)


def pool(settings: HttpSettings, user_agent: str, check_redirect: Callable[[str], object] | None = None) -> Any:
    """A urllib3 PoolManager retrying as `settings` say; `check_redirect(url)` may raise to refuse a redirect."""
    import urllib3
    from urllib3.util.retry import Retry

    class _Retry(Retry):
        def parse_retry_after(self, retry_after: str) -> float:
            return min(super().parse_retry_after(retry_after), settings.max_wait)

        def increment(self, method=None, url=None, response=None, *args, **kwargs):
            location = response.get_redirect_location() if response is not None else None
            if location and check_redirect is not None:
                from urllib.parse import urljoin

                check_redirect(urljoin(url or "", location))
            return super().increment(method, url, response, *args, **kwargs)

    n = settings.retries
    retry = _Retry(total=None, connect=n, read=n, status=n, other=n, redirect=5, status_forcelist=RETRY_STATUS,
                   allowed_methods=None,
                   backoff_factor=settings.backoff, backoff_max=settings.max_wait,
                   respect_retry_after_header=True, raise_on_status=False)
    class _Pool(urllib3.PoolManager):
        def urlopen(self, method, url, redirect=True, **kw):
            kw.setdefault("retries", retry)  # urllib3 2.0 gives a redirect a default Retry, not the pool's
            return super().urlopen(method, url, redirect, **kw)

    return _Pool(retries=retry, timeout=urllib3.Timeout(total=settings.timeout), maxsize=16,
                 headers={"User-Agent": user_agent})
