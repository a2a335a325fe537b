"""Walking numbered or "next" pages back in time for a backfill, and knowing when to stop:
sites serve the last page again for any number, loop their "next" links, or go on forever."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector

from spiders.feeds import Link

# Anchor texts of "next page" links, in the languages of the registry.
NEXT_TEXTS = ("下一页", "下页", "next", "next page", "older", "older posts", "suivant",
              "page suivante", "suivante", "weiter", "次へ", "다음", "›", "»", ">")  # fmt: skip


@dataclass
class PageWalk:
    """One backfill walk through pages of a source, with what it has seen so far."""

    since: str | None  # ISO date; links dated before it end the walk
    max_pages: int
    pages: int = 0
    seen: set[str] = field(default_factory=set)

    def verdict(self, links: list[Link]) -> str | None:
        """Why the walk stops after a page with these links, or None to go on."""
        self.pages += 1
        urls = {ln.url for ln in links}
        if not urls:
            return "a page without links"
        if urls <= self.seen:
            return "a page repeating earlier links (the site serves the same page again)"
        self.seen |= urls
        dated = [ln.date for ln in links if ln.date]
        if self.since and dated and max(dated) < self.since:
            return f"links older than {self.since[:10]}"
        if self.pages >= self.max_pages:
            return f"the page limit ({self.max_pages})"
        return None


def next_page_url(page: Selector, base_url: str) -> str | None:
    """The "next page" link of a listing: rel=next first, then a link whose text says next."""
    href = page.css('link[rel="next"]::attr(href), a[rel~="next"]::attr(href)').get()
    if not href:
        for anchor in page.css("a[href]"):
            text = " ".join(anchor.css("::text").getall()).strip().lower()
            label = (anchor.attrib.get("aria-label") or anchor.attrib.get("title") or "").lower()
            if text in NEXT_TEXTS or label in ("next", "next page", "page suivante", "下一页"):
                href = anchor.attrib["href"]
                break
    if not href or href.strip().startswith(("#", "javascript:")):
        return None
    return urljoin(base_url, href.strip())
