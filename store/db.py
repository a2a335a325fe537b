"""Opening the database and the named reads and writes every stage uses."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from riskwatch.errors import StoreError
from store.schema import migrations
from store.search_text import index_text


def utc_now() -> str:
    """Now as ISO-8601 UTC text, the format of every stored timestamp."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_db(path: str | Path, busy_timeout_ms: int = 10_000) -> Database:
    """Open (creating if needed) a riskwatch database and bring its schema up to date.

    Raises:
        StoreError: the file is not a database, is corrupt, or cannot be created or written.
    """
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    try:
        db = Database(path)
        # wait for a writer instead of failing at once: crawl, tag stage and CLI share the file
        db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        _refuse_newer_schema(db, path)
        migrations.apply(db)
    except sqlite3.DatabaseError as err:
        raise StoreError(_explain(path, err)) from err
    return db


def _refuse_newer_schema(db: Database, path: Path) -> None:
    """A database a newer riskwatch wrote has tables this one does not know: say so."""
    if "_sqlite_migrations" not in db.table_names():
        return
    known = {m.name for m in migrations._migrations}
    applied = {
        r["name"]
        for r in db.query("SELECT name FROM _sqlite_migrations WHERE migration_set = 'riskwatch'")
    }
    if applied - known:
        newest = sorted(applied - known)[-1]
        raise StoreError(
            f"{path} was written by a newer riskwatch (schema step {newest}); upgrade riskwatch"
            " to open it (nothing was changed)"
        )


def check_writable(db: Database, path: str | Path) -> None:
    """Take and release the write lock, so a locked file fails before any work starts.

    Raises:
        StoreError: another process holds the write lock past the busy timeout, or the
            file is read-only.
    """
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.rollback()
    except sqlite3.OperationalError as err:
        raise StoreError(_explain(Path(path), err)) from err


def _explain(path: Path, err: sqlite3.DatabaseError) -> str:
    message = str(err)
    if "not a database" in message or "malformed" in message:
        return f"{path} is not a riskwatch database or is corrupt ({message})"
    if "locked" in message or "busy" in message:
        return f"{path} is locked by another process; try again when it finishes"
    if "readonly" in message or "unable to open" in message:
        return f"cannot write {path} ({message}); check the folder exists and is writable"
    return f"{path}: {message}"


@contextmanager
def write_txn(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another process wrote in between; an immediate one waits its busy timeout.
    Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def content_hash(title: str | None, body: str | None) -> str:
    """Hash of what a reader sees; a re-crawl with the same hash keeps its processing status."""
    text = f"{(title or '').strip()}\n{(body or '').strip()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def save_article(db: Database, article: dict) -> str:
    """Insert or update one article by id; return "inserted", "updated" or "unchanged".

    A changed title or body resets the status to "new" so the tag stage sees it again; an
    unchanged one keeps its status and tags. Args: article holds the columns of the articles
    table (id, url, source, lang, title, body, published, fetched_at).
    """
    digest = content_hash(article.get("title"), article.get("body"))
    now = utc_now()
    with write_txn(db):
        old = db.execute(
            "SELECT seq, content_hash FROM articles WHERE id = ?", [article["id"]]
        ).fetchone()
        if old and old[1] == digest:
            db.execute(
                "UPDATE articles SET fetched_at = ?, url = ?, "
                "published = coalesce(?, published) WHERE seq = ?",
                [
                    article.get("fetched_at") or now,
                    article["url"],
                    article.get("published"),
                    old[0],
                ],
            )
            return "unchanged"
        row = _article_row(article, digest, now)
        if old:
            sets = ", ".join(f"{col} = :{col}" for col in row)
            db.execute(f"UPDATE articles SET {sets} WHERE seq = :seq", {**row, "seq": old[0]})
            seq = old[0]
        else:
            names = ", ".join(row)
            marks = ", ".join(f":{col}" for col in row)
            seq = db.execute(f"INSERT INTO articles ({names}) VALUES ({marks})", row).lastrowid
        _index(db, seq, row["title"], row["body"])
    return "updated" if old else "inserted"


def save_articles(db: Database, articles: Iterable[dict]) -> dict[str, int]:
    """Save many articles in one transaction, as save_article would one by one.

    New ids go in with two multi-row statements (articles, then their index rows with the
    same index_text); an id already stored, or repeated in the batch, goes through
    save_article's own logic, so its status rules hold. For bulk loads (importers, bench).

    Returns:
        How many were "inserted", "updated" and "unchanged".
    """
    articles = list(articles)
    counts = dict.fromkeys(("inserted", "updated", "unchanged"), 0)
    now = utc_now()
    with write_txn(db):
        known = _stored_ids(db, {a["id"] for a in articles})
        fresh, again, seen = [], [], set()
        for article in articles:
            if article["id"] in known or article["id"] in seen:
                again.append(article)
            else:
                seen.add(article["id"])
                fresh.append(article)
        start = db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0] + 1
        rows = [
            {**_article_row(a, content_hash(a.get("title"), a.get("body")), now), "seq": seq}
            for seq, a in enumerate(fresh, start)
        ]
        if rows:
            # rowids past the last article can only hold stale index rows (save_article
            # deletes them one by one)
            db.execute("DELETE FROM articles_fts WHERE rowid >= ?", [start])
            names = ", ".join(rows[0])
            marks = ", ".join(f":{col}" for col in rows[0])
            db.conn.executemany(f"INSERT INTO articles ({names}) VALUES ({marks})", rows)
            db.conn.executemany(
                "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
                ((r["seq"], index_text(r["title"]), index_text(r["body"])) for r in rows),
            )
        counts["inserted"] = len(rows)
        for article in again:
            counts[save_article(db, article)] += 1
    return counts


def _stored_ids(db: Database, ids: set[str]) -> set[str]:
    found: set[str] = set()
    chunk = sorted(ids)
    for i in range(0, len(chunk), 500):
        part = chunk[i : i + 500]
        marks = ", ".join("?" * len(part))
        found.update(
            r[0] for r in db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", part)
        )
    return found


def _article_row(article: dict, digest: str, now: str) -> dict:
    columns = ("id", "url", "source", "lang", "title", "body", "published", "fetched_at")
    row = {col: article.get(col) for col in columns}
    row["fetched_at"] = row["fetched_at"] or now
    return {**row, "updated_at": now, "content_hash": digest, "status": "new"}


def _index(db: Database, seq: int, title: str | None, body: str | None) -> None:
    db.execute("DELETE FROM articles_fts WHERE rowid = ?", [seq])
    db.execute(
        "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
        [seq, index_text(title), index_text(body)],
    )


def get_article(db: Database, article_id: str) -> dict | None:
    """One article by id, with its tags under "tags"."""
    rows = list(db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
    if not rows:
        return None
    article = rows[0]
    article["tags"] = list(
        db.query("SELECT * FROM tags WHERE article_id = ? ORDER BY score DESC", [article_id])
    )
    return article


def article_count(db: Database, source: str | None = None) -> int:
    """How many articles are stored (for one source, or all)."""
    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    return db.execute(f"SELECT count(*) FROM articles {where}", params).fetchone()[0]


def pending_batches(db: Database, size: int = 32) -> Iterator[list[dict]]:
    """Articles waiting for the tag stage, in batches, oldest first.

    Each batch is read after the previous one was saved, so rows tagged meanwhile are skipped
    and an interrupted stage resumes where it stopped.
    """
    last = 0
    while True:
        batch = list(
            db.query(
                "SELECT seq, id, title, body, lang FROM articles "
                "WHERE status = 'new' AND seq > ? ORDER BY seq LIMIT ?",
                [last, size],
            )
        )
        if not batch:
            return
        last = batch[-1]["seq"]
        yield batch


def save_tags(db: Database, article_id: str, tags: Iterable, model: str, version: str) -> None:
    """Replace an article's tags with `tags` (EventTag-like) and mark it tagged, atomically.

    tagged_at has microseconds: the event stage re-reads an article whose tags changed, even
    within the same second.
    """
    now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    rows = [
        {
            "article_id": article_id,
            "type": tag.type,
            "score": round(float(tag.score), 4),
            "evidence": tag.evidence,
            "model": model,
            "model_version": version,
            "tagged_at": now,
        }
        for tag in tags
    ]
    with write_txn(db):
        db.execute("DELETE FROM tags WHERE article_id = ?", [article_id])
        if rows:
            db["tags"].insert_all(rows)
        db.execute("UPDATE articles SET status = 'tagged' WHERE id = ?", [article_id])


def requeue_tagged(db: Database, source: str | None = None) -> int:
    """Send tagged articles (of one source, or all) back to the tag stage; returns how many.

    Their tags stay until the new run replaces them, so nothing is lost if it never comes.
    """
    clauses, params = where_clauses(("source = ?", source))
    where = " AND ".join(["status = 'tagged'", *clauses])
    with write_txn(db):
        cursor = db.execute(f"UPDATE articles SET status = 'new' WHERE {where}", params)
    return cursor.rowcount


def where_clauses(*pairs: tuple[str, object]) -> tuple[list[str], list]:
    """The (clause, value) pairs whose value is given, as clauses to AND and their params."""
    given = [(clause, value) for clause, value in pairs if value is not None]
    return [clause for clause, _ in given], [value for _, value in given]


def tagged_articles(
    db: Database,
    *,
    event_type: str | None = None,
    source: str | None = None,
    lang: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_score: float = 0.0,
    limit: int | None = 200,
) -> list[dict]:
    """Articles with a tag, newest first: one row per (article, tag type)."""
    clauses, params = where_clauses(
        ("t.score >= ?", min_score),
        ("t.type = ?", event_type),
        ("a.source = ?", source),
        ("a.lang = ?", lang),
        ("a.published >= ?", since),
        ("a.published < ?", until),
    )
    sql = (
        "SELECT a.published, t.type, t.score, a.title, a.source, a.lang, t.evidence, a.url, "
        "a.id AS article_id, t.model FROM tags t JOIN articles a ON a.id = t.article_id "
        f"WHERE {' AND '.join(clauses)} ORDER BY a.published DESC, a.seq DESC, t.type"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    return list(db.query(sql, params))


def sync_sources(db: Database, sources: Iterable[dict]) -> None:
    """Record the registry entries a crawl used (name, lang, kind and the full config)."""
    now = utc_now()
    rows = [
        {
            "name": s["name"],
            "lang": s.get("lang"),
            "kind": s.get("kind"),
            "config": json.dumps(s, ensure_ascii=False, sort_keys=True),
            "updated_at": now,
        }
        for s in sources
    ]
    with write_txn(db):
        db["sources"].upsert_all(rows, pk="name")


def start_crawl_run(db: Database, source: str) -> int:
    """Open a crawl-run record and return its id."""
    with write_txn(db):
        return db.execute(
            "INSERT INTO crawl_runs (source, started, status, pages, items, errors) "
            "VALUES (?, ?, 'running', 0, 0, 0)",
            [source, utc_now()],
        ).lastrowid


def finish_crawl_run(
    db: Database,
    run_id: int,
    *,
    status: str,
    pages: int,
    items: int,
    errors: int,
    not_modified: int = 0,
    links: int = 0,
    last_error: str | None = None,
) -> None:
    """Close a crawl-run record with its counts (not_modified: entry pages answering 304)."""
    with write_txn(db):
        db.execute(
            "UPDATE crawl_runs SET finished = ?, status = ?, pages = ?, items = ?, errors = ?, "
            "not_modified = ?, links = ?, last_error = ? WHERE id = ?",
            [utc_now(), status, pages, items, errors, not_modified, links, last_error, run_id],
        )


def source_status(db: Database, flag_after: int = 3) -> list[dict]:
    """Per source: its last crawl run, stored article count, failed runs in a row, and its
    health (store.health: failing, blocked or empty for how many runs)."""
    from store.health import source_health

    rows = list(
        db.query(
            """
            WITH last AS (
              SELECT source, max(id) AS id FROM crawl_runs GROUP BY source
            ), names AS (
              SELECT name AS source FROM sources UNION SELECT source FROM crawl_runs
            )
            SELECT n.source, r.started AS last_started, r.finished AS last_finished,
                   r.status AS last_status, r.pages, r.items, r.errors, r.last_error,
                   (SELECT count(*) FROM articles a WHERE a.source = n.source) AS articles,
                   (SELECT count(*) FROM crawl_runs c WHERE c.source = n.source
                      AND c.id > coalesce((SELECT max(id) FROM crawl_runs g
                        WHERE g.source = n.source AND g.status = 'ok' AND g.items > 0), 0)
                   ) AS runs_without_items
            FROM names n LEFT JOIN last l ON l.source = n.source
            LEFT JOIN crawl_runs r ON r.id = l.id
            ORDER BY n.source
            """
        )
    )
    for row in rows:
        row.update(source_health(db, row["source"], flag_after))
    return rows
