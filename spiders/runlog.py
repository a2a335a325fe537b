"""A Scrapy extension that records every crawl of a source as a crawl run in the store."""

from __future__ import annotations

from scrapy import signals

import store


class CrawlRunRecorder:
    """Opens a crawl-run row when a source's spider starts and closes it with its counts."""

    def __init__(self, db_path: str, stats):
        self.db_path = db_path
        self.stats = stats
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler):
        recorder = cls(crawler.settings["RISKWATCH_DB"], crawler.stats)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider) -> None:
        db = store.open_db(self.db_path)
        store.sync_sources(db, [spider.source.to_dict()])
        self.run_id = store.start_crawl_run(db, spider.source.name)
        db.close()

    def spider_closed(self, spider, reason: str) -> None:
        db = store.open_db(self.db_path)
        store.finish_crawl_run(
            db, self.run_id, **run_outcome(self.stats.get_stats(), spider, reason)
        )
        db.close()


def run_outcome(stats: dict, spider, reason: str) -> dict:
    """Counts and status of a finished crawl from Scrapy's stats."""
    entry_errors = stats.get("riskwatch/entry_errors", 0)
    # bugs in callbacks count too; Scrapy's own ERROR lines (retries given up) are already
    # counted as the failed page they belong to
    bugs = stats.get("spider_exceptions/count", 0)
    errors = entry_errors + stats.get("riskwatch/article_errors", 0) + bugs
    all_entries_failed = entry_errors >= len(spider.source.entry_urls)
    blocked = stats.get("riskwatch/entries_blocked", 0) >= entry_errors > 0
    if reason == "finished" and not all_entries_failed:
        status = "ok"
    else:
        # every entry page answered 401/403/451: the site refuses us, the scheduler backs off
        status = "blocked" if reason == "finished" and blocked else "failed"
    last_error = stats.get("riskwatch/last_error")
    if reason != "finished":
        last_error = f"crawl stopped: {reason}" + (f"; {last_error}" if last_error else "")
    return {
        "status": status,
        "pages": stats.get("downloader/response_count", 0),
        "items": stats.get("item_scraped_count", 0),
        "errors": errors,
        "not_modified": stats.get("riskwatch/entries_not_modified", 0),
        "links": stats.get("riskwatch/links_found", 0),
        "last_error": last_error,
    }
