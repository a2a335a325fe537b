"""The one generic spider: a source's feeds, sitemaps and listing pages lead to article pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import scrapy
from scrapy.http import Response, TextResponse

from spiders.apis import api_links
from spiders.extract import extract
from spiders.feeds import Link, UnreadableFeed, feed_links, sitemap_links
from spiders.items import ArticleItem
from spiders.sink import SQLiteFrontier
from spiders.sources import Source
from spiders.urls import canonical_url, same_site, url_key

_HTML_TYPES = (b"text/html", b"application/xhtml+xml")
MAX_SITEMAP_DEPTH = 3
# Less than this is a stub, a redirect notice or navigation left over, not an article.
MIN_TEXT_CHARS = 60


class SourceSpider(scrapy.Spider):
    """Crawls one registry Source; what it finds goes through the frontier to the sink."""

    name = "source"

    def __init__(self, source: Source, refresh: bool = False, *args, **kwargs):
        super().__init__(*args, name=f"source:{source.name}", **kwargs)
        self.source = source
        self.refresh = refresh
        self.allowed_domains = source.domains
        self._pattern = re.compile(source.article_pattern) if source.article_pattern else None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.frontier = SQLiteFrontier(
            crawler.settings["RISKWATCH_DB"], spider.source.name, local=spider.source.local
        )
        return spider

    def closed(self, reason: str) -> None:
        self.frontier.close()

    async def start(self):
        # links a killed crawl discovered but never stored come first
        for key, link in self.frontier.pending():
            yield self._article_request(key, link)
        for url in self.source.feeds:
            yield scrapy.Request(url, self.parse_feed, dont_filter=True, errback=self.entry_failed)
        for url in self.source.sitemaps:
            yield scrapy.Request(
                url,
                self.parse_sitemap,
                dont_filter=True,
                errback=self.entry_failed,
                cb_kwargs={"depth": 0},
            )
        for url in self.source.listings:
            yield scrapy.Request(
                url, self.parse_listing, dont_filter=True, errback=self.entry_failed
            )
        for url in self.source.apis:
            yield scrapy.Request(url, self.parse_api, dont_filter=True, errback=self.entry_failed)

    def parse_feed(self, response: Response):
        try:
            links = feed_links(response.body, response.url)
        except UnreadableFeed as err:
            return self._entry_error(response.url, str(err))
        return self._follow(links)

    def parse_sitemap(self, response: Response, depth: int):
        try:
            links, children = sitemap_links(response.body, response.url)
        except UnreadableFeed as err:
            return self._entry_error(response.url, str(err))
        requests = list(self._follow(links))
        if depth < MAX_SITEMAP_DEPTH:
            requests += [
                scrapy.Request(
                    url,
                    self.parse_sitemap,
                    errback=self.entry_failed,
                    cb_kwargs={"depth": depth + 1},
                )
                for url in children
                if same_site(url, self.allowed_domains)
            ]
        return requests

    def parse_api(self, response: Response):
        try:
            links = api_links(
                response.body,
                response.url,
                url_key=self.source.api_url_key,
                date_key=self.source.api_date_key,
                tz=self.source.timezone,
            )
        except UnreadableFeed as err:
            return self._entry_error(response.url, str(err))
        return self._follow(links)

    def parse_listing(self, response: Response):
        if not isinstance(response, TextResponse):
            return self._entry_error(response.url, "listing page is not text")
        hrefs = response.css("a::attr(href)").getall()
        urls = [response.urljoin(h.strip()) for h in hrefs if h.strip()]
        links = [Link(u) for u in urls if self._is_article_link(u)]
        if not links:
            self.crawler.stats.inc_value("riskwatch/empty_listings")
            self.logger.warning("listing %s has no article links", response.url)
        return self._follow(links)

    def _is_article_link(self, url: str) -> bool:
        if not url.startswith(("http://", "https://")) or not same_site(url, self.allowed_domains):
            return False
        return bool(self._pattern.search(url)) if self._pattern else True

    def _follow(self, links: list[Link]):
        links = [ln for ln in links if same_site(ln.url, self.allowed_domains)]
        self.crawler.stats.inc_value("riskwatch/links_found", len(links))
        admitted = self.frontier.admit(links, refresh=self.refresh)
        self.crawler.stats.inc_value("riskwatch/links_skipped_known", len(links) - len(admitted))
        for key, link in admitted:
            yield self._article_request(key, link)

    def _article_request(self, key: str, link: Link) -> scrapy.Request:
        return scrapy.Request(
            link.url,
            self.parse_article,
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
        )
        if not page.text or len(page.text) < MIN_TEXT_CHARS:
            return self._article_error(link_key, f"no article text on {response.url}")
        url = self._canonical(page.canonical_url, response.url)
        published = (
            page.published if page.published_from == "metadata" else (hint_date or page.published)
        )
        return ArticleItem(
            id=url_key(url, self.source.name if self.source.local else None),
            url=url,
            source=self.source.name,
            lang=page.lang or self.source.lang,
            title=page.title,
            body=page.text,
            published=published,
            fetched_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            link_key=link_key,
        )

    def _canonical(self, declared: str | None, fetched: str) -> str:
        # a canonical link pointing off-site (a syndication partner) would merge unrelated rows
        if declared and same_site(declared, self.allowed_domains):
            return canonical_url(declared)
        return canonical_url(fetched)

    def entry_failed(self, failure):
        return self._entry_error(failure.request.url, _reason(failure))

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


def _charset(content_type: bytes) -> str | None:
    match = re.search(rb"charset=([\w.:-]+)", content_type)
    return match.group(1).decode("ascii") if match else None


def _reason(failure) -> str:
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(failure.value).__name__}: {str(failure.value)[:200]}".rstrip(": ")
