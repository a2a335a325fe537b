"""Reading RSS/Atom bytes (feedparser), sitemaps (lxml) and listing pages (parsel) into article
links, without network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
from lxml import etree
from parsel import Selector

from spiders.dates import parse_datetime, to_utc_iso, utc_iso
from spiders.urls import same_site


@dataclass(frozen=True)
class Link:
    """An article URL found on an entry page, with the date the entry page gave it."""

    url: str
    date: str | None = None  # ISO-8601 UTC


class UnreadableFeed(ValueError):
    """Bytes that yield no entries at all (HTML error page, truncated XML, empty body)."""


def feed_links(
    body: bytes, feed_url: str, content_type: str | None = None, tz: str | None = None
) -> list[Link]:
    """Article links of an RSS/Atom feed, relative links resolved against the feed URL.

    A feed with errors but some entries keeps what parsed (feedparser's bozo flag). The
    Content-Type header's charset, when given, is weighed as feedparser does (RFC 3023).
    Dates without a zone ("2021-06-10 16:52:00") are read in `tz`, the source's zone.

    Raises:
        UnreadableFeed: nothing could be read as an entry.
    """
    headers = {"content-location": feed_url}
    if content_type:
        headers["content-type"] = content_type
    feed = feedparser.parse(body, response_headers=headers)
    if not feed.entries:
        if b"<html" in body[:1024].lower():
            raise UnreadableFeed("unreadable feed: the server sent an HTML page, not a feed")
        reason = feed.get("bozo_exception") or "no entries"
        raise UnreadableFeed(f"unreadable feed: {str(reason)[:200]}")
    links = []
    for entry in feed.entries:
        href = entry.get("link") or _guid_link(entry)
        if href:
            links.append(Link(urljoin(feed_url, href.strip()), _entry_date(entry, tz)))
    return links


def _guid_link(entry) -> str | None:
    guid = entry.get("id") or ""
    return guid if guid.startswith(("http://", "https://")) else None


def _entry_date(entry, tz: str | None = None) -> str | None:
    # dict.get: feedparser's own get() maps a missing "updated" to "published" with a warning
    for key in ("published", "updated", "created"):
        parsed = parse_datetime(dict.get(entry, key))
        if parsed:
            return to_utc_iso(parsed, tz)
    for key in ("published_parsed", "updated_parsed"):
        if dict.get(entry, key):
            return to_utc_iso(datetime(*entry[key][:6], tzinfo=UTC))
    return None


_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


def sitemap_links(body: bytes, sitemap_url: str) -> tuple[list[Link], list[Link]]:
    """(article links, child sitemaps with their lastmod) of a sitemap or sitemap index.

    Raises:
        UnreadableFeed: the bytes are not a sitemap.
    """
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError as err:
        raise UnreadableFeed(f"unreadable sitemap: {err}") from err
    if root is None or etree.QName(root).localname not in ("urlset", "sitemapindex"):
        raise UnreadableFeed("unreadable sitemap: no <urlset> or <sitemapindex>")
    children = [
        Link(urljoin(sitemap_url, loc), utc_iso(_text(node, "lastmod")))
        for node in root.xpath("//*[local-name()='sitemap']")
        if (loc := _text(node, "loc"))
    ]
    links = [
        Link(
            urljoin(sitemap_url, loc),
            utc_iso(_text(node, "publication_date") or _text(node, "lastmod")),
        )
        for node in root.xpath("//*[local-name()='url']")
        if (loc := _text(node, "loc"))
    ]
    return links, children


def _text(node, name: str) -> str | None:
    found = node.xpath(f".//*[local-name()='{name}']/text()")
    return found[0].strip() if found else None


def listing_links(
    page: Selector, base_url: str, domains: list[str], pattern: re.Pattern | None
) -> list[Link]:
    """The article links of a listing page: its links on the source's `domains` that match the
    source's article `pattern` (any, without one), in page order, each once."""
    hrefs = (h.strip() for h in page.css("a::attr(href)").getall())
    urls = dict.fromkeys(urljoin(base_url, h) for h in hrefs if h)
    return [
        Link(u)
        for u in urls
        if u.startswith(("http://", "https://"))
        and same_site(u, domains)
        and (pattern is None or pattern.search(u))
    ]
