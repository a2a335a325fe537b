"""What researchers use: the Python API (the README's example runs here), timelines, search by
firm."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import riskwatch
import store
from nlp.events.run import build_events
from riskwatch.cli import cli
from riskwatch.errors import InputError
from tests.tagged_articles import add

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def research_db(tmp_path, monkeypatch):
    """A database file in the working folder with three events in three languages."""
    monkeypatch.chdir(tmp_path)
    db = store.open_db(tmp_path / "riskwatch.db")
    add(
        db,
        "en1",
        "China fines Alibaba record 18.2 billion yuan",
        "The regulator fined Alibaba 18.228 billion yuan on Saturday.",
        "2021-04-10T09:00:00Z",
        source="reuters",
    )
    add(
        db,
        "zh1",
        "阿里巴巴被罚182.28亿元",
        "市场监管总局对阿里巴巴处以182.28亿元罚款。",
        "2021-04-10T03:00:00Z",
        source="samr",
        lang="zh",
    )
    add(
        db,
        "t1",
        "Crawler scraped 1.2 billion Taobao user records",
        "A crawler scraped data on Taobao users.",
        "2021-06-16T08:00:00Z",
        tag="data_breach",
    )
    add(
        db,
        "g1",
        "CNIL fines Google 150 million euros",
        "The CNIL fined Google 150 million euros over cookies.",
        "2022-01-06T09:00:00Z",
        lang="en",
        source="cnil",
    )
    build_events(db)
    db.close()
    return tmp_path / "riskwatch.db"


def test_the_readme_python_example_runs(research_db, capsys):
    code = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)[1]
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own documentation
    out = capsys.readouterr().out
    assert "2021-04-10 Alibaba Group CNY 18228000000.0\n" in out
    assert "    2.83 bn USD, 2 articles in ['en', 'zh']\n" in out
    assert "[罚款]" in out


def test_the_api_returns_plain_dicts_and_names_bad_input(research_db):
    rw = riskwatch.open(research_db)
    (fine,) = rw.events(company="Taobao")  # a unit covers only its own events
    assert fine["type"] == "data_breach" and fine["company"] == "alibaba"
    assert {e["type"] for e in rw.events(company="9988.HK")} == {
        "regulatory_fine", "data_breach"}  # fmt: skip
    assert [a["type"] for a in rw.articles(type="data_breach")] == ["data_breach"]
    with pytest.raises(InputError, match="did you mean alibaba"):
        rw.events(company="alibba")
    with pytest.raises(InputError, match="no event"):
        rw.event("ev-nope")
    with pytest.raises(InputError, match="no such database"):
        riskwatch.open(research_db.parent / "missing.db")


def test_timeline_table_and_plot(research_db, tmp_path):
    run = CliRunner().invoke
    table = run(cli, ["timeline", "--company", "alibaba", "--format", "csv"])
    assert table.exit_code == 0
    assert table.output.splitlines()[1:] == [
        "2021,data_breach,1,1,,",
        "2021,regulatory_fine,1,2,2826484726.31,2389227539.15",
    ]
    png = tmp_path / "out" / "alibaba.png"
    drawn = run(cli, ["timeline", "--company", "alibaba", "--by", "month", "--out", str(png)])
    assert drawn.exit_code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = run(cli, ["timeline", "--out", str(tmp_path / "x.txt")])
    assert bad.exit_code == 1 and ".png, .svg or .pdf" in bad.output


def test_search_by_firm_covers_its_names_and_units(research_db):
    run = CliRunner().invoke
    hits = run(
        cli, ["search", "fined OR 罚款 OR crawler", "--company", "alibaba", "--format", "csv"]
    )
    assert hits.exit_code == 0
    ids = {line.split(",")[-1] for line in hits.output.splitlines()[1:]}
    assert len(ids) == 3  # English, Chinese and the Taobao story; not Google's
    unknown = run(cli, ["search", "fined", "--company", "alibba"])
    assert unknown.exit_code == 1 and "did you mean alibaba" in unknown.output


def test_an_older_database_is_migrated_and_a_newer_one_refused(tmp_path):
    from sqlite_utils import Database

    from store.schema import migrations

    old = Database(tmp_path / "old.db")
    first = migrations._migrations[0]
    first.fn(old)  # the schema as the first release left it
    old["_sqlite_migrations"].insert(
        {"migration_set": "riskwatch", "name": first.name, "applied_at": "2026-01-01"}
    )
    old.close()
    upgraded = store.open_db(tmp_path / "old.db")
    assert {"events", "article_facts", "event_companies"} <= set(upgraded.table_names())
    upgraded["_sqlite_migrations"].insert(
        {"migration_set": "riskwatch", "name": "m999_future", "applied_at": "2030-01-01"}
    )
    upgraded.close()
    result = CliRunner().invoke(cli, ["events", "--db", str(tmp_path / "old.db")])
    assert result.exit_code == 1 and "written by a newer riskwatch" in result.output


def test_a_single_chinese_character_finds_the_words_it_starts(research_db):
    db = store.open_db(research_db)
    assert {r["lang"] for r in store.search(db, "罚")} == {"zh"}
    assert store.search(db, '"unbalanced') == [] and store.search(db, "AND OR") == []


def test_a_very_common_word_is_ranked_among_its_newest_matches(research_db, monkeypatch):
    import sys

    db = store.open_db(research_db)
    everything = {r["id"] for r in store.search(db, "fined OR 罚款 OR crawler")}
    monkeypatch.setattr(sys.modules["store.search"], "RANK_NEWEST", 2)
    newest = [r["id"] for r in store.search(db, "fined OR 罚款 OR crawler")]
    seqs = dict(db.execute("SELECT id, seq FROM articles").fetchall())
    assert len(everything) == 4 and len(newest) == 2
    assert sorted(seqs[i] for i in newest) == sorted(seqs.values())[-2:]
