"""Retries that wait: Retry-After on 429/503 is honoured, other temporary failures back off
exponentially, and a site asking for a longer pause than a crawl should sit through is left
alone until then (the spider records the time; the next crawl skips that entry until it).

403, 401 and 451 are never retried: a site refusing the crawler does not change its mind a
second later. The run records them as "blocked" and the scheduler backs off.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

from spiders.safety import REFUSED_NAMES

BLOCKED_STATUSES = (401, 403, 451)
RATE_LIMIT_STATUSES = (429, 503)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta seconds or an HTTP date); None if absent
    or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits before each retry and slows the domain after a 429/503.

    Settings: RETRY_BACKOFF_BASE (seconds before the first retry, doubling), RETRY_AFTER_MAX
    (the longest Retry-After waited for inside a crawl).
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    async def process_response(self, request, response):
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        asked = (
            retry_after_seconds(response.headers.get(b"Retry-After"))
            if response.status in RATE_LIMIT_STATUSES
            else None
        )
        if asked is not None and asked > self.retry_after_max:
            # too long to hold a crawl for: give up now, the spider defers the entry
            request.meta["retry_after_s"] = asked
            self.crawler.stats.inc_value("riskwatch/rate_limited")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        wait = asked if asked is not None else self._backoff(retry)
        if response.status in RATE_LIMIT_STATUSES:
            self._slow_domain(request, wait)
        await asyncio.sleep(wait)
        return retry

    async def process_exception(self, request, exception):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        if (urlsplit(request.url).hostname or "").lower() in REFUSED_NAMES:
            return None  # refused on purpose (an internal address), not a passing failure
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self._backoff(retry))
        return retry

    def _backoff(self, retry) -> float:
        return self.backoff_base * 2 ** (retry.meta.get("retry_times", 1) - 1)

    def _slow_domain(self, request, wait: float) -> None:
        """Space the rest of this domain's requests by what the site asked for (up to 60 s)."""
        downloader = getattr(self.crawler.engine, "downloader", None)
        if downloader is None:
            return
        # get_slot_key honours a request's download_slot meta, as the downloader does
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None:
            slot.delay = max(slot.delay, min(wait, 60.0))
