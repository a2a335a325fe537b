"""What each entry page of a source answered last (validators, link counts, Retry-After,
backfill progress). Like the frontier, a shared store can replace these two functions."""

from __future__ import annotations

from sqlite_utils import Database

from store.db import utc_now, write_txn

_FIELDS = ("etag", "last_modified", "http_status", "links", "not_before", "backfill_since",
           "backfill_page", "children")  # fmt: skip


def entry_pages(db: Database, source: str) -> dict[str, dict]:
    """The recorded entry pages of `source`, by URL."""
    return {
        row["url"]: row for row in db.query("SELECT * FROM entry_pages WHERE source = ?", [source])
    }


def save_entry_page(db: Database, source: str, url: str, **values) -> None:
    """Record what an entry page answered; only the given fields change."""
    unknown = set(values) - set(_FIELDS)
    if unknown:
        raise TypeError(f"unknown entry-page fields: {sorted(unknown)}")
    row = {"source": source, "url": url, "fetched_at": utc_now(), **values}
    columns = ", ".join(row)
    updates = ", ".join(f"{k} = excluded.{k}" for k in row if k not in ("source", "url"))
    with write_txn(db):
        db.execute(
            f"INSERT INTO entry_pages ({columns}) VALUES ({', '.join('?' * len(row))}) "
            f"ON CONFLICT(source, url) DO UPDATE SET {updates}",
            list(row.values()),
        )
