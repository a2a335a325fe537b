"""The schema as sqlite-utils migrations, applied in order when a database is opened."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("riskwatch")

SCHEMA_VERSION = 1  # the number of migrations below; bump with each new one


@migrations()
def m001_core(db: Database) -> None:
    db["sources"].create(
        {"name": str, "lang": str, "kind": str, "config": str, "updated_at": str}, pk="name"
    )
    # seq is the stable integer rowid the full-text index points at (VACUUM may renumber an
    # implicit rowid); id is the public key, derived from the canonical URL.
    db["articles"].create(
        {
            "seq": int,
            "id": str,
            "url": str,
            "source": str,
            "lang": str,
            "title": str,
            "body": str,
            "published": str,
            "fetched_at": str,
            "updated_at": str,
            "content_hash": str,
            "status": str,
        },
        pk="seq",
        not_null={"id", "url", "source", "status"},
        defaults={"status": "new"},
    )
    db["articles"].create_index(["id"], unique=True)
    db["articles"].create_index(["status"])
    db["articles"].create_index(["source", "published"])
    db["articles"].create_index(["published"])
    db["tags"].create(
        {
            "article_id": str,
            "type": str,
            "score": float,
            "evidence": str,
            "model": str,
            "model_version": str,
            "tagged_at": str,
        },
        pk=("article_id", "type"),
    )
    db["tags"].create_index(["type", "score"])
    db["crawl_runs"].create(
        {
            "id": int,
            "source": str,
            "started": str,
            "finished": str,
            "status": str,
            "pages": int,
            "items": int,
            "errors": int,
            "last_error": str,
        },
        pk="id",
    )
    db["crawl_runs"].create_index(["source", "started"])
    # The frontier: every link a crawl meant to fetch, so a killed crawl resumes from here
    # (Scrapy's JOBDIR loses its queue on SIGKILL; see docs/architecture.md).
    db["frontier"].create(
        {
            "url_key": str,
            "url": str,
            "source": str,
            "status": str,
            "attempts": int,
            "last_error": str,
            "hint_date": str,
            "discovered_at": str,
            "updated_at": str,
        },
        pk="url_key",
        defaults={"attempts": 0},
    )
    db["frontier"].create_index(["source", "status"])
    # Contentful FTS5 over text whose CJK runs are rewritten as overlapping bigrams
    # (store/search_text.py): unicode61 alone cannot find 罚款 inside 被处以罚款.
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title, body, tokenize='unicode61 remove_diacritics 2')"
    )
