"""The one generic spider: a source's feeds, sitemaps, listing pages and list APIs lead to
article pages. A normal run fetches only what is new (known links skipped, entry pages asked
with If-None-Match/If-Modified-Since); `since` turns it into a backfill that walks sitemaps,
numbered archive pages and "next" links back to that date."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.response import get_base_url

from spiders.apis import api_links
from spiders.dates import to_utc_iso, utc_iso
from spiders.extract import extract
from spiders.feeds import Link, UnreadableFeed, feed_links, listing_links, sitemap_links
from spiders.items import ArticleItem
from spiders.paging import PageWalk, next_page_url
from spiders.politeness import BLOCKED_STATUSES
from spiders.safety import REFUSED_NAMES
from spiders.sink import SQLiteFrontier
from spiders.sources import Source
from spiders.urls import canonical_url, same_site, url_key
from store.db import utc_now

_HTML_TYPES = (b"text/html", b"application/xhtml+xml")
MAX_SITEMAP_DEPTH = 3
# Less than this is a stub, a redirect notice or navigation left over, not an article.
MIN_TEXT_CHARS = 60


class SourceSpider(scrapy.Spider):
    """Crawls one registry Source; what it finds goes through the frontier to the sink."""

    name = "source"

    def __init__(
        self,
        source: Source,
        refresh: bool = False,
        since: str | None = None,
        max_pages: int = 200,
        *args,
        **kwargs,
    ):
        super().__init__(*args, name=f"source:{source.name}", **kwargs)
        self.source = source
        self.refresh = refresh
        self.since = since  # ISO date: backfill back to it
        self.max_pages = max_pages
        self.allowed_domains = source.domains
        self._pattern = re.compile(source.article_pattern) if source.article_pattern else None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.frontier = SQLiteFrontier(
            crawler.settings["RISKWATCH_DB"], spider.source.name, local=spider.source.local
        )
        spider.entries = spider.frontier.entry_pages()
        return spider

    def closed(self, reason: str) -> None:
        self.frontier.close()

    # ---- entry pages ---------------------------------------------------------------------

    async def start(self):
        # links a killed crawl discovered but never stored come first
        for key, link in self.frontier.pending():
            yield self._article_request(key, link)
        kinds = (
            (self.source.feeds, self.parse_feed),
            (self.source.sitemaps, self.parse_sitemap),
            (self.source.listings, self.parse_listing),
            (self.source.apis, self.parse_api),
        )
        for urls, callback in kinds:
            for url in urls:
                if not self._deferred(url):
                    yield self._entry_request(url, callback, conditional=True)
        if self.since:
            for template in self.source.archives:
                request = self._archive_request(template)
                if request is not None:
                    yield request

    def _deferred(self, url: str) -> bool:
        """Whether the site asked (Retry-After) to be left alone past now."""
        not_before = self.entries.get(url, {}).get("not_before")
        if not_before and not_before > utc_now() and not self.refresh:
            self.crawler.stats.inc_value("riskwatch/entries_deferred")
            self.logger.warning("%s skipped: the site asked to wait until %s", url, not_before)
            return True
        return False

    def _entry_request(self, url: str, callback, *, conditional: bool = False, **kwargs):
        headers = dict(self.source.headers)
        state = self.entries.get(url, {})
        if conditional and not (self.refresh or self.since):
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                headers["If-Modified-Since"] = state["last_modified"]
        return scrapy.Request(
            url,
            callback,
            headers=headers,
            dont_filter=True,
            errback=self.entry_failed,
            meta={"handle_httpstatus_list": [304], "entry": True},
            cb_kwargs=kwargs,
        )

    def _unchanged(self, response: Response) -> bool:
        """A 304: the entry page is as it was, so nothing new is behind it."""
        if response.status != 304:
            return False
        self.crawler.stats.inc_value("riskwatch/entries_not_modified")
        self.frontier.save_entry_page(response.url, http_status=304)
        return True

    def _entry_read(self, response: Response, links: list[Link]) -> None:
        """Record what an entry page gave; a page that gave links and now gives none is broken."""
        before = self.entries.get(response.url, {}).get("links")
        self.frontier.save_entry_page(
            response.url,
            http_status=response.status,
            links=len(links),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            not_before=None,
        )
        if not links and before:
            self._entry_error(response.url, f"0 article links where there were {before} last time")

    def parse_feed(self, response: Response):
        if self._unchanged(response):
            return []
        try:
            links = feed_links(
                response.body,
                response.url,
                _header(response, b"Content-Type"),
                tz=self.source.timezone,
            )
        except UnreadableFeed as err:
            return self._entry_error(response.url, str(err))
        requests = self._follow(links)
        self._entry_read(response, links)
        return requests

    def parse_sitemap(self, response: Response, depth: int = 0):
        if self._unchanged(response):
            # an unchanged index says nothing of its children: ask each of them
            known = json.loads(self.entries.get(response.url, {}).get("children") or "[]")
            return [
                self._entry_request(url, self.parse_sitemap, conditional=True, depth=depth + 1)
                for url in known
                if depth < MAX_SITEMAP_DEPTH
            ]
        try:
            links, children = sitemap_links(response.body, response.url)
        except UnreadableFeed as err:
            return self._entry_error(response.url, str(err))
        requests = self._follow(links)
        self._entry_read(response, links or children)
        if children:
            self.frontier.save_entry_page(
                response.url, children=json.dumps([c.url for c in children])
            )
        if depth < MAX_SITEMAP_DEPTH:
            requests += [
                self._entry_request(
                    child.url, self.parse_sitemap, conditional=True, depth=depth + 1
                )
                for child in children
                if same_site(child.url, self.allowed_domains) and self._child_wanted(child)
            ]
        if self.since and depth > 0:
            self.frontier.save_entry_page(response.url, backfill_since=self.since)
        return requests

    def _child_wanted(self, child: Link) -> bool:
        """In a backfill: child sitemaps changed since `since` and not walked for it already."""
        if not self.since:
            return True
        if child.date and child.date < self.since:
            return False
        state = self.entries.get(child.url, {})
        walked = state.get("backfill_since") == self.since
        return not (walked and child.date and child.date <= (state.get("fetched_at") or ""))

    def parse_api(self, response: Response, walk: PageWalk | None = None, **page):
        if self._unchanged(response):
            return []
        try:
            links = api_links(
                response.body,
                response.url,
                url_key=self.source.api_url_key,
                date_key=self.source.api_date_key,
                link_template=self.source.api_link_template,
                tz=self.source.timezone,
            )
        except UnreadableFeed as err:
            return self._entry_error(response.url, str(err))
        return self._paged(response, links, walk, page)

    def parse_listing(self, response: Response, walk: PageWalk | None = None, **page):
        if self._unchanged(response):
            return []
        links = self._listing_links(response)
        if links is None:
            return self._entry_error(response.url, "listing page is not text")
        requests = self._paged(response, links, walk, page)
        if self.since and walk is None and not self.source.archives:
            # a listing with no numbered archive: follow its "next" links back in time
            walk = PageWalk(self.since, self.max_pages)
            walk.verdict(links)
            requests += self._next_listing(response, walk)
        return requests

    def _parse_next_listing(self, response: Response, walk: PageWalk):
        links = self._listing_links(response)
        if links is None:
            return self._entry_error(response.url, "listing page is not text")
        requests = self._follow(links)
        stop = walk.verdict(links)
        if stop:
            self.logger.info("backfill of %s stopped at %s", self.source.name, stop)
            return requests
        return requests + self._next_listing(response, walk)

    def _next_listing(self, response: TextResponse, walk: PageWalk) -> list:
        nxt = next_page_url(response.selector, response.url)
        if not nxt or not same_site(nxt, self.allowed_domains):
            return []
        return [self._entry_request(nxt, self._parse_next_listing, walk=walk)]

    def _listing_links(self, response: Response) -> list[Link] | None:
        if not isinstance(response, TextResponse):
            return None
        links = listing_links(
            response.selector, get_base_url(response), self.allowed_domains, self._pattern
        )
        if not links:
            self.crawler.stats.inc_value("riskwatch/empty_listings")
            self.logger.warning("listing %s has no article links", response.url)
        return links

    # ---- backfill through numbered archive pages -----------------------------------------

    def _archive_request(self, template: str, number: int | None = None, walk=None):
        if number is None:  # first call: resume where an interrupted walk for `since` stopped
            state = self.entries.get(template, {})
            done = state.get("backfill_page") if state.get("backfill_since") == self.since else None
            if done == 0:
                self.logger.info("backfill of %s done earlier for %s", template, self.since)
                return None
            number = (done or self.source.archive_start - 1) + 1
        walk = walk or PageWalk(self.since, self.max_pages)
        callback = self.parse_api if self.source.apis else self.parse_listing
        return self._entry_request(
            template.format(page=number), callback, walk=walk, template=template, number=number
        )

    def _paged(self, response: Response, links: list[Link], walk, page: dict) -> list:
        requests = self._follow(links)
        if walk is None:
            self._entry_read(response, links)
            return requests
        template, number = page["template"], page["number"]
        stop = walk.verdict(links)
        self.frontier.save_entry_page(
            template, backfill_since=self.since, backfill_page=0 if stop else number
        )
        if stop:
            self.logger.info("backfill of %s stopped at page %d: %s", template, number, stop)
        else:
            requests.append(self._archive_request(template, number + 1, walk))
        return requests

    # ---- links and articles --------------------------------------------------------------

    def _follow(self, links: list[Link]) -> list[scrapy.Request]:
        """Admit `links` to the frontier now (before the entry page's validators are saved: a
        crash in between must not leave links only a 304 knows of) and request the new ones."""
        offsite = [ln for ln in links if not same_site(ln.url, self.allowed_domains)]
        if offsite:
            self.crawler.stats.inc_value("riskwatch/links_offsite", len(offsite))
            self.logger.warning(
                "%d links lead off the source's domains (e.g. %s)", len(offsite), offsite[0].url
            )
        links = [ln for ln in links if ln not in offsite]
        if self.since:
            links = [ln for ln in links if not ln.date or ln.date >= self.since]
        self.crawler.stats.inc_value("riskwatch/links_found", len(links))
        admitted = self.frontier.admit(links, refresh=self.refresh)
        self.crawler.stats.inc_value("riskwatch/links_skipped_known", len(links) - len(admitted))
        return [self._article_request(key, link) for key, link in admitted]

    def _article_request(self, key: str, link: Link) -> scrapy.Request:
        return scrapy.Request(
            link.url,
            self.parse_article,
            headers=self.source.headers or None,
            errback=self.article_failed,
            cb_kwargs={"link_key": key, "hint_date": link.date},
        )

    def parse_article(self, response: Response, link_key: str, hint_date: str | None):
        content_type = response.headers.get(b"Content-Type", b"").lower()
        if content_type and not content_type.startswith(_HTML_TYPES):
            return self._article_error(link_key, f"not an HTML page ({content_type.decode()})")
        page = extract(
            response.body,
            response.url,
            http_charset=_charset(content_type),
            tz=self.source.timezone,
            hints=self.source.hints,
        )
        if not page.text or len(page.text) < MIN_TEXT_CHARS:
            return self._article_error(link_key, f"no article text on {response.url}")
        url = self._canonical(page.canonical_url, response.url)
        published = utc_iso(
            page.published if page.published_from == "metadata" else (hint_date or page.published)
        )
        if self.since and published and published < self.since:
            self.frontier.skip(link_key, f"published {published[:10]}, before {self.since[:10]}")
            return []
        return ArticleItem(
            id=url_key(url, self.source.name if self.source.local else None),
            url=url,
            source=self.source.name,
            lang=page.lang or self.source.lang,
            title=page.title,
            body=page.text,
            published=published,
            fetched_at=utc_now(),
            link_key=link_key,
        )

    def _canonical(self, declared: str | None, fetched: str) -> str:
        # a canonical link pointing off-site (a syndication partner) would merge unrelated rows
        if declared and same_site(declared, self.allowed_domains):
            return canonical_url(declared)
        return canonical_url(fetched)

    # ---- failures ------------------------------------------------------------------------

    def entry_failed(self, failure):
        response = getattr(failure.value, "response", None)
        url = failure.request.url
        wait = failure.request.meta.get("retry_after_s")
        if wait:
            until = to_utc_iso(datetime.now(UTC) + timedelta(seconds=wait))
            self.frontier.save_entry_page(url, http_status=response.status, not_before=until)
            return self._entry_error(url, f"HTTP {response.status}: asked to wait until {until}")
        if response is not None:
            self.frontier.save_entry_page(url, http_status=response.status)
            if response.status in BLOCKED_STATUSES:
                self.crawler.stats.inc_value("riskwatch/entries_blocked")
        return self._entry_error(url, _reason(failure))

    def article_failed(self, failure):
        key = failure.request.cb_kwargs.get("link_key")
        return self._article_error(key, f"{_reason(failure)} ({failure.request.url})")

    def _entry_error(self, url: str, reason: str):
        self.crawler.stats.inc_value("riskwatch/entry_errors")
        self.crawler.stats.set_value("riskwatch/last_error", f"{url}: {reason}")
        self.logger.warning("entry page %s failed: %s", url, reason)
        return []

    def _article_error(self, key: str | None, reason: str):
        self.crawler.stats.inc_value("riskwatch/article_errors")
        self.crawler.stats.set_value("riskwatch/last_error", reason)
        self.logger.info("article skipped: %s", reason)
        if key:
            self.frontier.failed(key, reason)
        return []


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _charset(content_type: bytes) -> str | None:
    match = re.search(rb"charset=([\w.:-]+)", content_type)
    return match.group(1).decode("ascii") if match else None


def _reason(failure) -> str:
    refused = REFUSED_NAMES.get((urlsplit(failure.request.url).hostname or "").lower())
    if refused:
        return refused
    response = getattr(failure.value, "response", None)
    if response is not None:
        if response.status in BLOCKED_STATUSES:
            return f"HTTP {response.status}: the site refuses this crawler (blocked)"
        return f"HTTP {response.status}"
    return f"{type(failure.value).__name__}: {str(failure.value)[:200]}".rstrip(": ")
