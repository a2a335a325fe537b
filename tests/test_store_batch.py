"""store.db.save_articles: many articles in one transaction, as save_article would store them."""

from __future__ import annotations

import sqlite3

import pytest

import store
from store.db import save_articles

ARTICLES = [
    ("en1", "en", "Regulator fines retailer over data breach",
     "The regulator fined the retailer after a data breach exposed 2 million records."),
    ("zh1", "zh", "阿里巴巴被处以罚款",
     "市场监管总局对阿里巴巴处以182.28亿元罚款。用户数据泄露事件仍在调查。"),
    ("zh2", "zh", "某公司暂缓上市",
     "交易所决定暂缓上市，公司表示将补充披露。"),
    ("fr1", "fr", "Amende record pour une fuite de données",
     "La CNIL a infligé une amende après une fuite de données personnelles."),
    ("ja1", "ja", "個人情報が流出", "顧客の個人情報が流出したと発表した。"),
]  # fmt: skip
QUERIES = ['"data breach"', "罚款", "泄露", "暂缓上市", "donnees", "amende", "流出", "fined"]
COLUMNS = "seq, id, url, source, lang, title, body, published, fetched_at, content_hash, status"


def article(article_id: str, lang: str, title: str, body: str) -> dict:
    return {
        "id": article_id,
        "url": f"https://example.com/{article_id}",
        "source": "wire",
        "lang": lang,
        "title": title,
        "body": body,
        "published": "2021-04-10T01:30:00Z",
        "fetched_at": "2021-04-10T02:00:00Z",
    }


def stored(db) -> list[tuple]:
    return db.execute(f"SELECT {COLUMNS} FROM articles ORDER BY seq").fetchall()


def index_rows(db) -> list[tuple]:
    return db.execute("SELECT rowid, title, body FROM articles_fts ORDER BY rowid").fetchall()


@pytest.fixture
def pair(tmp_path):
    """Two databases on disk: one filled article by article, one in a batch."""
    return store.open_db(tmp_path / "one.db"), store.open_db(tmp_path / "batch.db")


def test_batch_stores_the_same_rows_and_index_as_one_by_one(pair):
    one, batch = pair
    rows = [article(*a) for a in ARTICLES]
    for row in rows:
        store.save_article(one, row)
    assert save_articles(batch, rows) == {"inserted": 5, "updated": 0, "unchanged": 0}
    assert stored(batch) == stored(one)
    assert index_rows(batch) == index_rows(one)
    for query in QUERIES:
        assert store.search(batch, query) == store.search(one, query), query
    assert [r["id"] for r in store.search(batch, "罚款")] == ["zh1"]
    assert "[罚款]" in store.search(batch, "罚款")[0]["snippet"]


def test_batch_appends_after_articles_saved_one_by_one(pair):
    one, batch = pair
    rows = [article(*a) for a in ARTICLES]
    for db in pair:
        store.save_article(db, rows[0])
    for row in rows[1:]:
        store.save_article(one, row)
    save_articles(batch, rows[1:])
    assert stored(batch) == stored(one)
    assert index_rows(batch) == index_rows(one)
    assert [r["id"] for r in store.search(batch, "泄露")] == ["zh1"]


def test_stored_and_repeated_ids_follow_save_article(pair):
    one, batch = pair
    rows = [article(*a) for a in ARTICLES[:3]]
    for db in pair:
        store.save_article(db, rows[0])
        store.save_tags(db, "en1", [], "test", "1")  # status "tagged"
    changed = {**rows[1], "body": "市场监管总局对阿里巴巴处以罚款。"}
    later = [rows[0], rows[1], rows[2], changed, {**rows[2], "url": "https://example.com/moved"}]
    for row in later:
        store.save_article(one, row)
    counts = save_articles(batch, later)
    assert counts == {"inserted": 2, "updated": 1, "unchanged": 2}
    assert stored(batch) == stored(one)
    assert index_rows(batch) == index_rows(one)
    assert store.get_article(batch, "en1")["status"] == "tagged"  # unchanged keeps its status
    assert store.search(batch, "泄露") == []  # the changed body replaced the indexed one


def test_a_bad_article_stores_none_of_the_batch(tmp_path):
    db = store.open_db(tmp_path / "batch.db")
    rows = [article(*a) for a in ARTICLES]
    rows[3]["url"] = None  # NOT NULL
    with pytest.raises(sqlite3.IntegrityError):
        save_articles(db, rows)
    assert store.article_count(db) == 0
    assert index_rows(db) == []
    assert save_articles(db, []) == {"inserted": 0, "updated": 0, "unchanged": 0}
