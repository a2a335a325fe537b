"""The SQLite store: the hand-off between crawling, tagging and querying.

Callers use the named functions re-exported here; none of them touch table names.
"""

from store.db import (
    article_count,
    check_writable,
    finish_crawl_run,
    get_article,
    open_db,
    pending_batches,
    requeue_tagged,
    save_article,
    save_tags,
    source_status,
    start_crawl_run,
    sync_sources,
    tagged_articles,
    write_txn,
)
from store.events import events_timeline, get_event, list_events
from store.frontier import (
    frontier_discover,
    frontier_done,
    frontier_fail,
    frontier_known,
    frontier_pending,
)
from store.search import search

__all__ = [
    "article_count",
    "check_writable",
    "finish_crawl_run",
    "frontier_discover",
    "frontier_done",
    "frontier_fail",
    "frontier_known",
    "frontier_pending",
    "get_article",
    "events_timeline",
    "get_event",
    "list_events",
    "open_db",
    "pending_batches",
    "requeue_tagged",
    "save_article",
    "save_tags",
    "search",
    "source_status",
    "start_crawl_run",
    "sync_sources",
    "tagged_articles",
    "write_txn",
]
