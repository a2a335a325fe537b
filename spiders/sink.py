"""The two narrow interfaces a crawl talks to — the frontier and the item sink — and their
SQLite implementations. A multi-machine setup swaps these (a Redis frontier, a queue to a
single writer) without touching the spider."""

from __future__ import annotations

from dataclasses import asdict
from typing import Protocol

import store
from spiders.feeds import Link
from spiders.items import ArticleItem
from spiders.urls import url_key
from store.entry_pages import entry_pages, save_entry_page


class Frontier(Protocol):
    """Which links of a source are worth fetching, and what became of them."""

    def admit(self, links: list[Link], refresh: bool = False) -> list[tuple[str, Link]]: ...
    def pending(self) -> list[tuple[str, Link]]: ...
    def failed(self, key: str, reason: str) -> None: ...
    def skip(self, key: str, reason: str) -> None: ...
    def entry_pages(self) -> dict[str, dict]: ...
    def save_entry_page(self, url: str, **values) -> None: ...
    def close(self) -> None: ...


class ArticleSink(Protocol):
    """Where extracted articles go; save() must be idempotent on item.id."""

    def save(self, item: ArticleItem) -> str: ...
    def close(self) -> None: ...


class SQLiteFrontier:
    """The frontier as rows of the riskwatch database (survives SIGKILL, unlike JOBDIR)."""

    def __init__(self, db_path: str, source: str, local: bool = False):
        self.db = store.open_db(db_path)
        self.source = source
        self.local = local

    def admit(self, links: list[Link], refresh: bool = False) -> list[tuple[str, Link]]:
        """Record links; return (key, link) to fetch now: the new ones, or all on refresh."""
        scope = self.source if self.local else None
        keyed = list({url_key(link.url, scope): link for link in links}.items())
        store.frontier_discover(self.db, self.source, [(k, ln.url, ln.date) for k, ln in keyed])
        if refresh:
            return keyed
        known = store.frontier_known(self.db, [k for k, _ in keyed])
        return [(k, ln) for k, ln in keyed if k not in known]

    def pending(self) -> list[tuple[str, Link]]:
        rows = store.frontier_pending(self.db, self.source)
        return [(r["url_key"], Link(r["url"], r["hint_date"])) for r in rows]

    def failed(self, key: str, reason: str) -> None:
        store.frontier_fail(self.db, key, reason[:500])

    def skip(self, key: str, reason: str) -> None:
        """Fetched and not wanted (older than a backfill's --since): not fetched again."""
        store.frontier_done(self.db, key, "skipped", reason[:500])

    def entry_pages(self) -> dict[str, dict]:
        return entry_pages(self.db, self.source)

    def save_entry_page(self, url: str, **values) -> None:
        save_entry_page(self.db, self.source, url, **values)

    def close(self) -> None:
        self.db.close()


class SQLiteSink:
    """Stores an article and marks its link stored in one transaction."""

    def __init__(self, db_path: str):
        self.db = store.open_db(db_path)

    def save(self, item: ArticleItem) -> str:
        row = asdict(item)
        link_key = row.pop("link_key")
        with store.write_txn(self.db):
            outcome = store.save_article(self.db, row)
            store.frontier_done(self.db, link_key)
            if item.id != link_key:
                store.frontier_discover(self.db, item.source, [(item.id, item.url, None)])
                store.frontier_done(self.db, item.id)
        return outcome

    def close(self) -> None:
        self.db.close()
