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
    """Drop a last segment that names the site (og:site_name, or a short brand-like tail)."""
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    site = _text((tree.xpath('//meta[@property="og:site_name"]/@content') or [""])[0]) or ""
    last = parts[-1].strip()
    if (site and last.lower() == site.lower()) or len(last) <= max(12, 0.25 * len(title)):
        matches = list(_SEPARATORS.finditer(title))
        return title[: matches[-1].start()].strip() or title
    return title


def _safe(read):
    try:
        return read()
    except (ValueError, TypeError, AttributeError):
        return None


def _text(value) -> str | None:
    value = " ".join(str(value or "").split())
    return value or None
