"""Publication dates: structured metadata first, then htmldate's reading of the page; ISO-8601
with the page's offset for extraction, UTC for storage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import htmldate
from lxml.html import HtmlElement

# Where publishers put a machine-readable publication time, most trusted first.
_META_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    # lower-cased name: Chinese government CMSs write PubDate, others pubdate or publishdate
    "//meta[translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = "
    "'pubdate' or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    " = 'publishdate' or @name='publish-date' or @name='publish_date' or @name='publishtime'"
    " or @name='article:published_time' or @name='dc.date.issued' or @name='DC.date.issued'"
    " or @name='parsely-pub-date' or @name='sailthru.date']/@content",
    '//meta[@property="og:release_date"]/@content',
    "//html/@data-publishtime",
    "//article//time[@datetime]/@datetime",
)


def to_utc_iso(value: datetime, tz: str | None = None) -> str:
    """ISO-8601 UTC text; a naive time is read in `tz` (the source's zone), else as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(tz))
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_local_iso(value: datetime, tz: str | None = None) -> str:
    """ISO-8601 with the offset the page stated ("2019-11-18T20:00:00-05:00"); a naive time is
    read in `tz`, the source's zone. The day in it is the day the page's readers saw."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(tz))
    elif tz:  # stated in UTC, say: shown in the source's zone, where its readers are
        value = value.astimezone(_zone(tz))
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def utc_iso(text: str | None) -> str | None:
    """An ISO-8601 time with any offset as ISO-8601 UTC ("...Z"); None stays None."""
    parsed = parse_datetime(text)
    return to_utc_iso(parsed) if parsed else None


def plausible(value: datetime) -> bool:
    """Not a placeholder (0001-01-01) nor far in the future."""
    return 1990 <= value.year <= datetime.now(UTC).year + 1


def _zone(tz: str | None):
    try:
        return ZoneInfo(tz) if tz else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_datetime(text: str | None) -> datetime | None:
    """An ISO-8601 or RFC-822 timestamp as a datetime; None if it is neither."""
    if not text:
        return None
    text = " ".join(text.split())
    iso = text.replace("Z", "+00:00").replace(" ", "T", 1)
    if text[:4].isdigit():
        iso = iso.replace(" ", "")  # "2021-10-09 09:05:12 +0800", as 36Kr's feed writes it
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def metadata_date(tree: HtmlElement) -> tuple[datetime, bool] | None:
    """The publication time a page states in its metadata (meta tags, JSON-LD, <time>), and
    whether it states the time of day ("2021-06-10" alone does not)."""
    for found in (_jsonld_date(tree), *(_first(tree, xp) for xp in _META_XPATHS)):
        parsed = parse_datetime(found)
        if parsed and plausible(parsed):
            return parsed, ":" in found
    return None


def _first(tree: HtmlElement, xpath: str) -> str | None:
    values = tree.xpath(xpath)
    return str(values[0]) if values else None


def _jsonld_date(tree: HtmlElement) -> str | None:
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for node in data if isinstance(data, list) else [data, *data.get("@graph", [])]:
            if isinstance(node, dict) and node.get("datePublished"):
                return str(node["datePublished"])
    return None


def page_date(tree: HtmlElement, url: str | None) -> datetime | None:
    """htmldate's best guess at the original publication date, with time when the page has one."""
    try:
        found = htmldate.find_date(
            tree,
            url=url,
            original_date=True,
            extensive_search=True,
            outputformat="%Y-%m-%dT%H:%M:%S",
        )
    except (ValueError, TypeError):
        return None
    return parse_datetime(found) if found else None
