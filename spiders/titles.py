"""The headline: what the page's <h1> says when the metadata title is that headline plus the
site's name ("... | CNIL", "..._国家市场监督管理总局"), else the metadata title without a
trailing site name, else the <h1> or <title>."""

from __future__ import annotations

import re

from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_title

# What sites put between a headline and their own name (not ":", which headlines use).
_SEPARATORS = re.compile(r"\s+[-–—·•»]\s+|\s*[_｜|]\s*|\s+::\s+")
MIN_SHARE = 0.4  # an <h1> shorter than this share of the title is a kicker or a logo


def headline(tree: HtmlElement) -> str | None:
    meta = _text(_safe(lambda: examine_meta(tree).title))
    page_title = _text(tree.findtext(".//title"))
    for h1 in (_text(el.text_content()) for el in tree.xpath("//h1")[:3]):
        if not h1 or len(h1) < 4:
            continue
        for title in (meta, page_title):
            if title and h1 in title and len(h1) >= MIN_SHARE * len(title):
                return h1
    if meta:
        return _without_site_name(meta, tree)
    generic = _text(_safe(lambda: extract_title(tree)))
    return _without_site_name(generic, tree) if generic else page_title


def _without_site_name(title: str, tree: HtmlElement) -> str:
    """Drop trailing segments that name the site (og:site_name, or short brand-like tails,
    at most two: "Headline - Section - Site"), keeping at least half of the title."""
    site = _text((tree.xpath('//meta[@property="og:site_name"]/@content') or [""])[0]) or ""
    kept = title
    for _ in range(2):
        matches = list(_SEPARATORS.finditer(kept))
        if not matches:
            break
        last = kept[matches[-1].end() :].strip()
        head = kept[: matches[-1].start()].strip()
        is_site = site and last.lower() == site.lower()
        if not head or not (is_site or len(last) <= max(12, 0.25 * len(kept))):
            break
        if len(head) < 0.5 * len(title) and not is_site:
            break
        kept = head
    return kept


def _safe(read):
    try:
        return read()
    except (ValueError, TypeError, AttributeError):
        return None


def _text(value) -> str | None:
    value = " ".join(str(value or "").split())
    return value or None
