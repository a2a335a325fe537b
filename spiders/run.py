"""Crawl sources in this process: `python -m spiders.run [SOURCE...] --db PATH`.

Each invocation is its own process with its own Twisted reactor, which cannot be restarted.
Exit status: 0 when every crawl ran (even with bad pages), 1 when one failed, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import logging
import sys

from scrapy.crawler import CrawlerProcess

import store
from riskwatch.errors import RiskwatchError
from riskwatch.settings import load_settings
from spiders.settings import scrapy_settings
from spiders.sources import Source, load_registry
from spiders.spider import SourceSpider


def crawl_sources(
    sources: list[Source],
    db_path: str,
    settings,
    refresh: bool = False,
    since: str | None = None,
) -> None:
    """Run one spider per source in one reactor, until all finish."""
    local_only = all(s.local for s in sources)
    process = CrawlerProcess(scrapy_settings(settings, db_path, local_only=local_only))
    if settings.log_level.upper() != "DEBUG":
        # Scrapy installs a new root handler per crawler, so strip tracebacks as records are made
        make_record = logging.getLogRecordFactory()
        logging.setLogRecordFactory(lambda *a, **k: _without_traceback(make_record(*a, **k)))
    for source in sources:
        process.crawl(
            SourceSpider,
            source=source,
            refresh=refresh,
            since=since,
            max_pages=settings.backfill_max_pages,
        )
    process.start()


def _without_traceback(record: logging.LogRecord) -> logging.LogRecord:
    """Scrapy logs a failed download (robots.txt over an unreachable host, say) with its
    traceback: keep one line, the message and the exception's own (a bug in a callback still
    says what it was). DEBUG keeps the tracebacks."""
    if record.exc_info and record.levelno < logging.CRITICAL:
        error = record.exc_info[1]
        if error is not None:
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
        record.exc_info = None
        record.exc_text = None
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiders.run", description=__doc__)
    parser.add_argument("sources", nargs="*", help="source names (default: all)")
    parser.add_argument("--db", help="database file")
    parser.add_argument("--sources-file", help="user registry file adding or overriding sources")
    parser.add_argument("--config", help="riskwatch.toml settings file")
    parser.add_argument("--refresh", action="store_true", help="re-fetch known articles too")
    parser.add_argument("--since", help="backfill back to this date (YYYY-MM-DD)")
    parser.add_argument("--log-level", help="Scrapy log level (INFO, WARNING, ...)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(
            args.config, db=args.db, sources_file=args.sources_file, log_level=args.log_level
        )
        sources = load_registry(settings.sources_file).select(args.sources)
        db = store.open_db(
            settings.db, settings.lock_wait_ms
        )  # fail early, in one line, on a bad or locked file
        store.check_writable(db, settings.db)
        db.close()
    except RiskwatchError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 2
    crawl_sources(sources, settings.db, settings, refresh=args.refresh, since=args.since)
    db = store.open_db(settings.db)
    failed = [
        r
        for r in store.source_status(db)
        if r["source"] in {s.name for s in sources} and r["last_status"] != "ok"
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
