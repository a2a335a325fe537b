"""The store: migrations, idempotent saves that keep status, tags, search in three scripts."""

from __future__ import annotations

import sqlite3

import pytest

import store
from nlp.classify import EventTag
from riskwatch.errors import StoreError
from store.schema import SCHEMA_VERSION, migrations


def article(**over) -> dict:
    base = {
        "id": "a1",
        "url": "https://example.com/a1",
        "source": "test",
        "lang": "en",
        "title": "Regulator fines retailer",
        "body": "The regulator fined the retailer.",
        "published": "2021-04-10T01:30:00Z",
        "fetched_at": "2026-01-01T00:00:00Z",
    }
    return {**base, **over}


def test_open_creates_schema_on_disk_with_wal(db_path):
    db = store.open_db(db_path)
    assert db_path.exists()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert len(migrations.applied(db)) == SCHEMA_VERSION
    db.close()
    store.open_db(db_path)  # re-opening applies nothing twice


def test_recrawl_keeps_status_unless_content_changed(db_path):
    db = store.open_db(db_path)
    assert store.save_article(db, article()) == "inserted"
    store.save_tags(db, "a1", [EventTag("regulatory_fine", 0.9, "fined")], "rules", "1")
    assert store.save_article(db, article(fetched_at="2026-02-01T00:00:00Z")) == "unchanged"
    assert store.get_article(db, "a1")["status"] == "tagged"
    assert store.save_article(db, article(body="The regulator fined it twice.")) == "updated"
    assert store.get_article(db, "a1")["status"] == "new"
    assert store.article_count(db) == 1


def test_pending_batches_resume_after_tagging(db_path):
    db = store.open_db(db_path)
    for i in range(5):
        store.save_article(db, article(id=f"a{i}", url=f"https://example.com/{i}"))
    batches = store.pending_batches(db, size=2)
    first = next(batches)
    for row in first:
        store.save_tags(db, row["id"], [], "rules", "1")
    rest = [row["id"] for batch in batches for row in batch]
    assert [r["id"] for r in first] == ["a0", "a1"] and rest == ["a2", "a3", "a4"]
    other = store.open_db(db_path)  # a second connection sees the committed tags
    assert [r["id"] for batch in store.pending_batches(other) for r in batch] == rest


def test_save_tags_replaces_and_filters(db_path):
    db = store.open_db(db_path)
    store.save_article(db, article())
    store.save_tags(
        db,
        "a1",
        [EventTag("data_breach", 0.4, "x"), EventTag("regulatory_fine", 0.8, "y")],
        "rules",
        "1",
    )
    store.save_tags(db, "a1", [EventTag("regulatory_fine", 0.7, "fined")], "rules", "2")
    rows = store.tagged_articles(db)
    assert [(r["type"], r["score"], r["evidence"]) for r in rows] == [
        ("regulatory_fine", 0.7, "fined")
    ]
    assert store.tagged_articles(db, event_type="data_breach") == []
    assert store.tagged_articles(db, since="2022-01-01") == []
    assert len(store.tagged_articles(db, lang="en", source="test", until="2022")) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("罚款", ["zh"]),  # two characters inside a run: unicode61 alone finds nothing
        ("暂缓上市", ["zh2"]),
        ("数据泄露 OR 暂缓上市", ["zh", "zh2"]),
        ("donnees", ["fr"]),  # accents folded
        ('"antitrust fine"', ["en"]),
        ("antitrust AND alibaba", ["en"]),
        ('"unbalanced quote', []),
        ("fine NOT alibaba", []),
        ("AND OR (", []),
        ("***", []),
    ],
)
def test_search_in_three_scripts(db_path, query, expected):
    db = store.open_db(db_path)
    store.save_article(
        db,
        article(
            id="en",
            title="Alibaba antitrust fine",
            body="SAMR imposed an antitrust fine on Alibaba.",
        ),
    )
    store.save_article(
        db,
        article(
            id="fr",
            lang="fr",
            title="Fuite de données",
            body="Les données personnelles de clients ont fuité.",
        ),
    )
    store.save_article(
        db,
        article(
            id="zh",
            lang="zh",
            title="阿里巴巴被处以罚款",
            body="监管部门对其处以182.28亿元罚款，此前曾发生数据泄露。",
        ),
    )
    store.save_article(
        db,
        article(id="zh2", lang="zh", title="蚂蚁集团暂缓上市", body="上交所决定蚂蚁集团暂缓上市。"),
    )
    found = sorted(r["id"] for r in store.search(db, query))
    assert found == sorted(expected)


def test_search_snippet_shows_original_chinese_with_highlight(db_path):
    db = store.open_db(db_path)
    store.save_article(
        db,
        article(id="zh", lang="zh", title="标题", body="市场监管总局对该公司处以182.28亿元罚款。"),
    )
    [row] = store.search(db, "罚款")
    assert "[罚款]" in row["snippet"] and "处以" in row["snippet"]


def test_search_index_follows_updates(db_path):
    db = store.open_db(db_path)
    store.save_article(db, article(body="first version mentions ransomware"))
    store.save_article(db, article(body="second version mentions phishing"))
    assert store.search(db, "ransomware") == []
    assert [r["id"] for r in store.search(db, "phishing")] == ["a1"]


def test_corrupt_file_is_a_store_error_and_left_alone(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a riskwatch database"):
        store.open_db(bad)
    assert bad.read_bytes() == b"this is not sqlite" * 100


def test_unwritable_location_is_a_store_error(tmp_path):
    with pytest.raises(StoreError):
        store.open_db(tmp_path / "missing-dir" / "x.db")


def test_locked_database_waits_then_reports(db_path):
    db = store.open_db(db_path, busy_timeout_ms=100)
    store.save_article(db, article())
    blocker = sqlite3.connect(db_path)
    blocker.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        store.save_article(db, article(id="a2", url="https://example.com/a2"))
    blocker.rollback()
    assert store.article_count(db) == 1


def test_frontier_keeps_what_was_never_stored(db_path):
    db = store.open_db(db_path)
    store.frontier_discover(
        db,
        "s",
        [("k1", "https://e.com/1", None), ("k2", "https://e.com/2", "2021-01-01T00:00:00Z")],
    )
    store.frontier_discover(db, "s", [("k1", "https://e.com/1", None)])
    store.frontier_done(db, "k1")
    store.frontier_fail(db, "k3", "never discovered: no-op")
    assert [r["url_key"] for r in store.frontier_pending(db, "s")] == ["k2"]
    assert store.frontier_known(db, ["k1", "k2"]) == {"k1"}
    for _ in range(3):
        store.frontier_fail(db, "k2", "HTTP 500")
    assert store.frontier_pending(db, "s") == []
