"""The crawl frontier kept in SQLite: which links were found, fetched, stored or failed.

Scrapy's in-memory queue and JOBDIR lose pending requests on SIGKILL; this table is the
record that survives, so a restarted crawl re-queues what was discovered but never stored.
A shared frontier (scrapy-redis) can replace these four functions.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from store.db import utc_now, write_txn


def frontier_known(db: Database, url_keys: Iterable[str]) -> set[str]:
    """Those of `url_keys` already stored as articles (by link or by canonical id), or fetched
    and skipped as older than a backfill wanted."""
    keys = list(dict.fromkeys(url_keys))
    known: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        known.update(
            row[0]
            for row in db.execute(
                "SELECT url_key FROM frontier WHERE status IN ('stored', 'skipped') "
                f"AND url_key IN ({marks}) "
                f"UNION SELECT id FROM articles WHERE id IN ({marks})",
                chunk + chunk,
            )
        )
    return known


def frontier_discover(
    db: Database, source: str, links: Iterable[tuple[str, str, str | None]]
) -> None:
    """Record (url_key, url, hint_date) links found for `source`; known links are left alone."""
    now = utc_now()
    with write_txn(db):
        db.conn.executemany(
            "INSERT INTO frontier (url_key, url, source, status, attempts, hint_date, "
            "discovered_at, updated_at) VALUES (?, ?, ?, 'discovered', 0, ?, ?, ?) "
            "ON CONFLICT(url_key) DO NOTHING",
            [(key, url, source, hint, now, now) for key, url, hint in links],
        )


def frontier_done(
    db: Database, url_key: str, status: str = "stored", error: str | None = None
) -> None:
    """Mark a link stored (or failed with its reason), counting the attempt."""
    with write_txn(db):
        db.execute(
            "UPDATE frontier SET status = ?, attempts = attempts + 1, last_error = ?, "
            "updated_at = ? WHERE url_key = ?",
            [status, error, utc_now(), url_key],
        )


def frontier_fail(db: Database, url_key: str, error: str) -> None:
    """Mark a link failed with a one-line reason."""
    frontier_done(db, url_key, "failed", error)


def frontier_pending(db: Database, source: str, max_attempts: int = 3) -> list[dict]:
    """Links of `source` discovered earlier but never stored, that still deserve a try."""
    return list(
        db.query(
            "SELECT url_key, url, hint_date FROM frontier WHERE source = ? AND ("
            "status = 'discovered' OR (status = 'failed' AND attempts < ?)) ORDER BY discovered_at",
            [source, max_attempts],
        )
    )
