"""Article extraction as a pure function: page bytes in, title, text, date and language out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import trafilatura
from lxml import etree, html
from lxml.html import HtmlElement

from spiders.charset import decode_html
from spiders.cleanup import boilerplate_blocks, trim_body
from spiders.dates import metadata_date, page_date, plausible, to_local_iso, to_utc_iso
from spiders.hints import apply_hints
from spiders.langid import detect_language
from spiders.text_dates import date_after_headline, date_in_text, visible_date
from spiders.titles import headline


@dataclass(frozen=True)
class Extracted:
    """What a page says: each field None when the page does not yield it."""

    title: str | None
    text: str | None
    published: str | None  # ISO-8601 with the page's own offset ("...T20:00:00-05:00");
    # a page's local time without one is read in the source's zone; a bare day is "...T00:00:00Z"
    published_from: str | None  # "metadata" (stated with a time zone) or "page" (inferred)
    lang: str | None
    canonical_url: str | None
    encoding: str


def extract(
    page: bytes | str,
    url: str,
    *,
    http_charset: str | None = None,
    tz: str | None = None,
    hints: dict | None = None,
    now: datetime | None = None,
) -> Extracted:
    """Extract an article from one page; never raises on bad HTML, each field fails alone.

    Args:
        page: the response body (bytes are decoded, sniffing GBK/Big5 when undeclared).
        url: the page URL, for resolving links and as a date hint.
        http_charset: the charset from the Content-Type header, if any.
        tz: the source's time zone, for dates a page gives without one.
        hints: a source's CSS selectors (title, body, date, remove) for what the generic
            reading gets wrong on that site.
        now: when the page was fetched, for relative dates ("3小时前"); default now.
    """
    if isinstance(page, bytes):
        text, encoding = decode_html(page, http_charset)
    else:
        text, encoding = page, "str"
    tree = _parse(text)
    if tree is None:
        return Extracted(None, None, None, None, None, None, encoding)
    hinted = apply_hints(tree, hints) if hints else {}
    if hints and hints.get("remove"):
        text = html.tostring(tree, encoding="unicode")
    blocks = boilerplate_blocks(tree, text)
    published, published_from = _published(tree, url, tz, now)
    if hinted.get("date"):
        published, published_from = _hinted_date(hinted["date"], tz, now), "page"
    canonical = _canonical(tree, url)
    # trafilatura parses the string itself: its own parse scores higher than ours on the
    # extraction benchmark, and its metadata pass (htmldate again) would double our cost
    title = hinted.get("title") or headline(tree)
    if hinted.get("body"):
        body = hinted["body"]
    else:
        doc = trafilatura.bare_extraction(
            text, url=url, with_metadata=False, include_comments=False
        )
        body = _clean(trim_body(getattr(doc, "text", None) or "", title, blocks))
    lang = detect_language(f"{title or ''}\n{body or ''}", hint=_html_lang(tree))
    return Extracted(title, body, published, published_from, lang, canonical, encoding)


def _parse(text: str) -> HtmlElement | None:
    # lxml refuses str input that carries an XML encoding declaration
    text = text.replace("\x00", "")
    if text.lstrip().startswith("<?xml"):
        text = text.split("?>", 1)[-1]
    if not text.strip():
        return None
    try:
        return html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _local_now(tz: str | None, now: datetime | None) -> datetime:
    """Now as the source's wall clock (naive): relative dates count back from it."""
    try:
        zone = ZoneInfo(tz) if tz else UTC
    except (KeyError, ValueError):
        zone = UTC
    return (now or datetime.now(UTC)).astimezone(zone).replace(tzinfo=None)


def _as_iso(found: tuple[datetime, bool], tz: str | None) -> str:
    moment, has_time = found
    if not has_time and moment.tzinfo is None:
        return to_utc_iso(moment, "UTC")  # a bare date: keep the day the page shows
    return to_local_iso(moment, tz)


def _hinted_date(text: str, tz: str | None, now: datetime | None) -> str | None:
    found = date_in_text(text, _local_now(tz, now))
    return _as_iso(found, tz) if found else None


def _published(
    tree: HtmlElement, url: str, tz: str | None, now: datetime | None = None
) -> tuple[str | None, str | None]:
    stated = metadata_date(tree)
    if stated and stated[1]:
        return to_local_iso(stated[0], tz), "metadata"
    # absolute dates first: "2 hours ago" is only right on a page fetched just now
    shown = visible_date(tree) or date_after_headline(tree)
    if stated:  # a day without a time: the page may show the time beside it
        if not (shown and shown[1] and shown[0].date() == stated[0].date()):
            shown = (stated[0], False)
        return _as_iso(shown, tz), "page"
    if shown:
        return _as_iso(shown, tz), "page"
    inferred = page_date(tree, url)
    # htmldate's 1 January at midnight is mostly a copyright year: a "3 hours ago" beats it
    weak = inferred is None or not plausible(inferred) or inferred.timetuple()[1:5] == (1, 1, 0, 0)
    relative = visible_date(tree, _local_now(tz, now)) if weak else None
    if relative:
        return _as_iso(relative, tz), "page"
    if inferred is None or not plausible(inferred):
        return None, None
    return _as_iso((inferred, (inferred.hour, inferred.minute) != (0, 0)), tz), "page"


def _canonical(tree: HtmlElement, url: str) -> str | None:
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        found = tree.xpath(xpath)
        if found and str(found[0]).strip():
            return urljoin(url, str(found[0]).strip())
    return None


def _html_lang(tree: HtmlElement) -> str | None:
    found = tree.xpath("/html/@lang")
    return str(found[0]) if found else None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
