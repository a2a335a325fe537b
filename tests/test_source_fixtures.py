"""Every shipped source against a fixture of its site's shape: its entry page leads to the
articles, and title, body and date come out of each, through the spider's own callbacks."""

from __future__ import annotations

import pytest
from scrapy.http import Request
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler

from spiders.items import ArticleItem
from spiders.sources import Source, load_registry
from spiders.spider import SourceSpider
from tests.source_fixtures import fixture_names, load_fixture

REGISTRY = load_registry()


def test_every_shipped_source_has_a_fixture():
    missing = sorted(set(REGISTRY.sources) - set(fixture_names()))
    assert not missing, f"sources without tests/fixtures/sources/<name>/: {missing}"


def test_the_registry_has_thirty_real_sources_in_three_languages():
    assert len(REGISTRY) >= 30
    assert {s.lang for s in REGISTRY} >= {"zh", "en", "fr"}
    assert {s.kind for s in REGISTRY} >= {"portal", "trade_press", "regulator", "exchange"}


def _response(url: str, body: bytes, content_type: str, request: Request | None = None):
    headers = {"Content-Type": content_type}
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, body=body, headers=headers, request=request or Request(url))


def _spider(source: Source, tmp_path) -> SourceSpider:
    crawler = get_crawler(SourceSpider, {"RISKWATCH_DB": str(tmp_path / "rw.db")})
    spider = SourceSpider.from_crawler(crawler, source=source)
    crawler.spider = spider
    return spider


def _entry_requests(spider: SourceSpider, source: Source, fixture) -> list[Request]:
    url = fixture.entry_url or source.entry_urls[0]
    body = fixture.entry_path.read_bytes()
    response = _response(url, body, fixture.entry_content_type)
    if url in source.feeds:
        found = spider.parse_feed(response)
    elif url in source.sitemaps:
        found = spider.parse_sitemap(response, depth=0)
    elif url in source.listings:
        found = spider.parse_listing(response)
    else:
        found = spider.parse_api(response)
    return [r for r in found or () if isinstance(r, Request)]


@pytest.mark.parametrize("name", sorted(REGISTRY.sources))
def test_the_entry_leads_to_articles_with_title_body_and_date(name, tmp_path):
    source = REGISTRY.get(name)
    fixture = load_fixture(name)
    assert len(fixture.articles) >= 2
    spider = _spider(source, tmp_path)
    requests = {r.url: r for r in _entry_requests(spider, source, fixture)}
    for article in fixture.articles:
        assert article.url in requests, f"{article.url} not linked from {fixture.entry_path.name}"
        request = requests[article.url]
        response = _response(article.url, article.path.read_bytes(), article.content_type, request)
        item = spider.parse_article(response, **request.cb_kwargs)
        assert isinstance(item, ArticleItem), f"{article.path.name}: no article extracted"
        assert item.title == article.title
        assert article.published_matches(item.published, source.timezone), (
            article.path.name,
            item.published,
        )
        assert item.url == (article.canonical or article.url)
        for fragment in article.body_contains:
            assert fragment in item.body, f"{article.path.name}: body lacks {fragment!r}"
        for fragment in article.body_excludes:
            assert fragment not in item.body, f"{article.path.name}: boilerplate {fragment!r}"
