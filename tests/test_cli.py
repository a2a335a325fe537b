"""The CLI: thin commands, one-line errors with exit 1, nothing stored lost, docs kept true."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import store
from riskwatch.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def invoke(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def assert_one_line_error(result, fragment: str):
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert lines[-1].startswith("Error: ") and fragment in lines[-1], result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_example_and_is_in_readme(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert f"riskwatch {command}" in result.output  # an example line
    assert f"`riskwatch {command}" in README


def test_crawl_then_query_commands(db_path, sources_file):
    result = invoke(
        "crawl", "fixture-listing", "--db", str(db_path), "--sources-file", str(sources_file)
    )
    assert result.exit_code == 0, result.output
    assert "fixture-listing" in result.output and "ok" in result.output
    rows = json.loads(
        "["
        + ",".join(
            invoke("search", "Taobao", "--db", str(db_path), "--format", "json").output.splitlines()
        )
        + "]"
    )
    assert [r["title"] for r in rows] == [
        "Court case reveals crawler that copied a billion shopper records"
    ]
    csv_out = invoke("search", "cookie", "--db", str(db_path), "--format", "csv").output
    assert csv_out.splitlines()[0] == "published,source,lang,title,snippet,url"
    status = invoke("status", "--db", str(db_path), "--format", "json").output
    assert json.loads(status.splitlines()[0])["articles"] == 2


def test_sources_json_lists_registry():
    rows = [json.loads(line) for line in invoke("sources", "--format", "json").output.splitlines()]
    assert {"cnil", "sec-press", "36kr"} <= {r["name"] for r in rows}


def test_unknown_source_is_one_line_and_exit_1(db_path, sources_file):
    result = invoke(
        "crawl", "nope-source", "--db", str(db_path), "--sources-file", str(sources_file)
    )
    assert_one_line_error(result, "unknown source 'nope-source'")


def test_bad_registry_names_the_key(tmp_path, db_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[source]]\nname = "x"\nlang = "en"\nfeedz = ["https://e.com/"]\n', encoding="utf-8"
    )
    assert_one_line_error(invoke("sources", "--sources-file", str(bad)), "unknown key 'feedz'")
    assert_one_line_error(
        invoke("crawl", "x", "--db", str(db_path), "--sources-file", str(bad)),
        "unknown key 'feedz'",
    )


def test_corrupt_database_is_one_line_and_untouched(tmp_path):
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"garbage" * 500)
    for args in (["events"], ["search", "fine"], ["status"]):
        assert_one_line_error(invoke(*args, "--db", str(bad)), "not a riskwatch database")
    assert bad.read_bytes() == b"garbage" * 500


def test_unwritable_database_is_one_line(tmp_path):
    assert_one_line_error(
        invoke("events", "--db", str(tmp_path / "no" / "such" / "dir.db")), "cannot write"
    )


def test_locked_database_is_one_line_and_loses_nothing(db_path, sources_file, monkeypatch):
    store.save_article(
        store.open_db(db_path),
        {"id": "a", "url": "https://e.com/a", "source": "s", "title": "t", "body": "b"},
    )
    blocker = sqlite3.connect(db_path, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        monkeypatch.setenv("RISKWATCH_LOCK_WAIT_MS", "200")
        result = invoke(
            "crawl", "fixture-listing", "--db", str(db_path), "--sources-file", str(sources_file)
        )
        assert_one_line_error(result, "is locked by another process")
        assert invoke("events", "--db", str(db_path)).exit_code == 0  # readers still read
    finally:
        blocker.rollback()
    assert store.article_count(store.open_db(db_path)) == 1


def test_bad_settings_file_names_the_key(tmp_path):
    config = tmp_path / "riskwatch.toml"
    config.write_text('databse = "x.db"\n', encoding="utf-8")
    assert_one_line_error(invoke("events", "--config", str(config)), "databse: unknown setting")


def test_search_survives_fts_syntax_and_keeps_rows(db_path):
    db = store.open_db(db_path)
    store.save_article(
        db,
        {
            "id": "a",
            "url": "https://e.com/a",
            "source": "s",
            "lang": "en",
            "title": "Fine",
            "body": "A fine was imposed on the firm.",
        },
    )
    for query in ['"unbalanced', "AND", "(((", "NEAR(", "a*b:c", "罚"]:
        result = invoke("search", query, "--db", str(db_path))
        assert result.exit_code == 0, (query, result.output)
    assert store.article_count(db) == 1


def test_classify_contract_in_order_with_all_scores():
    lines = "\n".join(
        [
            json.dumps(
                {
                    "id": "a",
                    "title": "CNIL fines Google",
                    "text": "The CNIL fined Google 150 million euros for its cookie banners.",
                }
            ),
            json.dumps(
                {
                    "id": 7,
                    "text": "Arm shares jumped 25% on their first day of trading after the IPO was priced at $51.",
                }
            ),
            "",
            json.dumps({"id": "c", "text": "上海证券交易所决定暂缓蚂蚁集团在科创板上市。"}),
        ]
    )
    result = invoke("classify", "--model", "rules", input=lines)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out] == ["a", 7, "c"]
    assert (
        out[0]["labels"] == ["regulatory_fine"]
        and "150 million" in out[0]["evidence"]["regulatory_fine"]
    )
    assert out[1]["labels"] == [] and out[1]["evidence"] == {}
    assert out[2]["labels"] == ["ipo_suspension"]
    assert all(
        set(o["scores"]) == {"data_breach", "regulatory_fine", "ipo_suspension"} for o in out
    )


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'{"id": 1, "text": "ok"}\n{"id": 2, "text": \n', "line 2: not valid JSON"),
        (b'{"id": 1, "text": "ok"}\n{"id": 2, "text": "\xff\xfe"}\n', "line 2: not valid UTF-8"),
        (b'{"id": 1}\n', 'line 1: expected an object with a "text" string'),
        (b"[1, 2]\n", "line 1: expected an object"),
    ],
)
def test_classify_bad_lines_name_the_line(tmp_path, data, fragment):
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    result = invoke("classify", str(path))
    assert_one_line_error(result, fragment)
    assert not re.search(r'^\{"id"', result.output, re.M)  # nothing printed before the error


def test_classify_unknown_model_is_one_line():
    assert_one_line_error(
        invoke("classify", "--model", "no-such-model", input='{"text": "x"}'),
        "unknown model 'no-such-model'",
    )


def test_classify_uses_the_default_model(default_model):
    lines = "\n".join(
        json.dumps({"id": i, "text": t})
        for i, t in enumerate(
            [
                "市场监管总局对阿里巴巴处以182.28亿元罚款。",
                "Apple unveils a new iPhone with a faster chip.",
            ]
        )
    )
    result = invoke("classify", input=lines)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [o["labels"] for o in out] == [["regulatory_fine"], []]
    assert out[0]["evidence"]["regulatory_fine"].startswith("市场监管总局")


def test_model_info_reports_the_cache_and_the_head(default_model):
    result = invoke("model", "info")
    assert result.exit_code == 0, result.output
    assert "verified" in result.output and "macro-F1" in result.output


def test_default_model_falls_back_to_rules_without_torch(monkeypatch):
    import nlp.classify

    monkeypatch.setattr(nlp.classify, "default_model_available", lambda: False)
    result = CliRunner().invoke(cli, ["classify"], input='{"id": 1, "text": "CNIL fines Google."}')
    assert result.exit_code == 0, result.output
    assert "tagging with the rules tagger" in result.output


def test_classify_missing_model_directory_is_one_line(tmp_path):
    assert_one_line_error(
        invoke("classify", "--model", str(tmp_path / "nope"), input='{"text": "x"}'),
        "not a directory",
    )


def test_tag_and_retag_with_another_model(db_path):
    db = store.open_db(db_path)
    store.save_article(
        db,
        {
            "id": "a1",
            "url": "https://example.com/a",
            "source": "demo-en",
            "lang": "en",
            "title": "CNIL fines Google 150 million euros",
            "body": "The French regulator fined the company over cookie banners.",
        },
    )
    first = invoke("tag", "--db", str(db_path), "--model", "rules")
    assert first.exit_code == 0 and "tagged 1 articles" in first.output
    assert "events: 1 facts, 1 new events" in first.output
    (event,) = store.list_events(db)
    assert (event["company"], event["amount_value"], event["amount_currency"]) == (
        "alphabet",
        150e6,
        "EUR",
    )
    second = invoke("tag", "--db", str(db_path), "--model", "rules").output
    assert "tagged 0 articles\n" in second and "events: 0 facts" in second
    again = invoke("tag", "--db", str(db_path), "--model", "rules", "--retag")
    assert "1 articles queued" in again.output and "tagged 1 articles" in again.output
    rows = list(db.query("SELECT type, model FROM tags"))
    assert rows == [{"type": "regulatory_fine", "model": "rules"}]
    # re-tagging re-reads the facts; the event keeps its id and is not doubled
    assert [e["id"] for e in store.list_events(db)] == [event["id"]]
