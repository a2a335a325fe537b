"""The schema as sqlite-utils migrations, applied in order when a database is opened."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("riskwatch")

SCHEMA_VERSION = 4  # the number of migrations below; bump with each new one


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


@migrations()
def m002_events(db: Database) -> None:
    # One row per (article, event type): what the event stage read from a tagged article.
    # tagged_at ties it to the tag it came from, so a re-tagged article is read again.
    db["article_facts"].create(
        {
            "article_id": str,
            "type": str,
            "tagged_at": str,
            "company": str,  # registry id, NULL for a firm the registry does not know
            "firm_key": str,  # group id, or "?name" for an unknown firm: the clustering key
            "company_guess": str,
            "name_tokens": str,  # JSON: likely names of an unknown firm, for grouping
            "recalled": int,  # 1: an earlier action the article mentions, not its news
            "mentioned": str,  # JSON list of every registry firm in the article
            "regulator": str,
            "amount_value": float,
            "amount_currency": str,
            "amount_kind": str,
            "amount_usd": float,
            "amount_eur": float,
            "records_value": float,
            "records_unit": str,
            "action_date": str,
            "action_precision": str,
            "past_mention": int,
            "evidence": str,
            "score": float,
            "event_id": str,
            "duplicate_of": str,
            "minhash": bytes,
            "embedding": bytes,
        },
        pk=("article_id", "type", "firm_key", "recalled"),
    )
    db["article_facts"].create_index(["event_id"])
    db["events"].create(
        {
            "id": str,
            "type": str,
            "firm_key": str,
            "company": str,  # the group's registry id, NULL when unknown
            "company_name": str,
            "unknown_company": int,
            "regulator": str,
            "action_date": str,
            "action_precision": str,
            "amount_value": float,
            "amount_currency": str,
            "amount_usd": float,
            "amount_eur": float,
            "amounts": str,  # JSON: every distinct amount reported, with how many articles
            "amounts_disagree": int,
            "records_value": float,
            "records_unit": str,
            "title": str,
            "evidence": str,
            "first_seen": str,
            "first_source": str,
            "first_article": str,
            "lead_hours": float,
            "languages": str,  # JSON list
            "n_articles": int,
            "n_sources": int,
            "confirmed": int,  # a regulator's own release is among the sources
            "follows": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db["events"].create_index(["type", "action_date"])
    db["events"].create_index(["firm_key", "type", "action_date"])
    db["events"].create_index(["action_date"])
    # Every firm an event is about, with the groups above it: --company alibaba finds Taobao's.
    db["event_companies"].create({"event_id": str, "company": str}, pk=("event_id", "company"))
    db["event_companies"].create_index(["company", "event_id"])


@migrations()
def m003_alerts_and_jobs(db: Database) -> None:
    # The alert outbox: one row per event version, watchlist and channel. The unique key is
    # what makes an alert go out once across restarts; status moves pending -> sending -> sent
    # (or failed after its retries), and a row left in "sending" by a crash is sent again with
    # the same idempotency key, so receivers can drop the repeat.
    db["alerts"].create(
        {
            "id": int,
            "event_id": str,
            "watchlist": str,
            "channel": str,
            "version": int,
            "kind": str,  # "new" or "update"
            "fingerprint": str,  # what the alert said: sources and amounts, to see updates
            "status": str,
            "attempts": int,
            "last_error": str,
            "idempotency_key": str,
            "created_at": str,
            "next_try_at": str,
            "sent_at": str,
        },
        pk="id",
        defaults={"attempts": 0, "status": "pending"},
    )
    db["alerts"].create_index(["event_id", "watchlist", "channel", "version"], unique=True)
    db["alerts"].create_index(["status", "next_try_at"])
    # One row per job run of the daemon: what `riskwatch status` shows and where the schedule
    # resumes from after a restart.
    db["job_runs"].create(
        {
            "id": int,
            "job": str,
            "started": str,
            "finished": str,
            "status": str,  # running, ok, failed, killed
            "detail": str,
            "seconds": float,
            "pid": int,
        },
        pk="id",
    )
    db["job_runs"].create_index(["job", "started"])


@migrations()
def m004_entry_pages(db: Database) -> None:
    # What each entry page (feed, sitemap, listing, API page) of a source answered last:
    # validators for conditional GET, how many links it gave (a listing that suddenly gives
    # none is a broken site, not a quiet day), when the site asked to be left alone until,
    # and how far a `crawl --since` backfill got, so an interrupted one resumes.
    db["entry_pages"].create(
        {
            "source": str,
            "url": str,
            "etag": str,
            "last_modified": str,
            "http_status": int,
            "links": int,
            "fetched_at": str,
            "not_before": str,  # from a Retry-After too long to wait for in the crawl
            "backfill_since": str,  # the --since date of the backfill walking this page
            "backfill_page": int,  # archives: the last page done (0: the walk finished)
            "children": str,  # a sitemap index's child sitemaps (JSON), to revisit on a 304
        },
        pk=("source", "url"),
    )
    db["crawl_runs"].add_column("not_modified", int)  # entry pages answering 304
    db["crawl_runs"].add_column("links", int)  # article links the entry pages gave
