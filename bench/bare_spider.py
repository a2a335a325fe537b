"""The ingest baseline: a bare Scrapy spider that reads a sitemap, calls trafilatura on each
page and inserts rows with sqlite3. Run by bench/ingest.py as its own process."""

from __future__ import annotations

import sqlite3
import sys

import scrapy
import trafilatura
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, sitemap: str, db: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [sitemap]
        self.conn = sqlite3.connect(db)
        self.conn.execute("CREATE TABLE IF NOT EXISTS articles (url TEXT PRIMARY KEY, body TEXT)")

    def parse(self, response):
        for loc in response.xpath("//*[local-name()='loc']/text()").getall():
            yield scrapy.Request(loc, self.parse_article)

    def parse_article(self, response):
        body = trafilatura.extract(response.text, include_comments=False)
        self.conn.execute("INSERT OR REPLACE INTO articles VALUES (?, ?)", (response.url, body))
        self.conn.commit()

    def closed(self, reason):
        self.conn.close()


if __name__ == "__main__":
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING",
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    process.crawl(BareSpider, sitemap=sys.argv[1], db=sys.argv[2])
    process.start()
