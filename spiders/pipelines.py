"""The item pipeline: hands each article to the sink (the store, by default)."""

from __future__ import annotations

import logging

from spiders.sink import ArticleSink, SQLiteSink

log = logging.getLogger(__name__)


class StorePipeline:
    """Saves ArticleItems; counts inserted/updated/unchanged in the crawl stats."""

    def __init__(self, db_path: str):
        self.db_path = db_path
        self.sink: ArticleSink | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings["RISKWATCH_DB"])
        pipeline.stats = crawler.stats
        return pipeline

    def open_spider(self, spider=None) -> None:
        self.sink = SQLiteSink(self.db_path)

    def close_spider(self, spider=None) -> None:
        if self.sink:
            self.sink.close()

    def process_item(self, item, spider=None):
        outcome = self.sink.save(item)
        self.stats.inc_value(f"riskwatch/articles_{outcome}")
        return item
