"""riskwatch export: events and tagged articles as CSV, JSON Lines and Parquet from a real
database file built by the event stage, snapshots with a manifest, and every bad input."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import store
from nlp.events.run import build_events
from nlp.fx import load_rates
from riskwatch import __version__
from riskwatch.cli import cli
from riskwatch.errors import InputError
from store.export import ExportQuery, export_rows, file_sha256, write_rows
from store.schema import SCHEMA_VERSION, migrations
from store.snapshot import consistent_read, write_snapshot
from tests.tagged_articles import add

FINE, BREACH = "regulatory_fine", "data_breach"


@pytest.fixture
def db(db_path):
    db = store.open_db(db_path)
    add(db, "en1", "China fines Alibaba record 18.2 billion yuan",
        "The market regulator fined Alibaba 18.228 billion yuan on Saturday for abusing its "
        "dominant position.", "2021-04-10T09:00:00Z", source="reuters")  # fmt: skip
    add(db, "zh1", "阿里巴巴因“二选一”被罚182.28亿元",
        "4月10日，市场监管总局依法对阿里巴巴集团处以182.28亿元罚款。",
        "2021-04-10T03:00:00Z", source="samr", lang="zh")  # fmt: skip
    add(db, "fr1", "La CNIL inflige une amende de 150 millions d'euros à Google",
        "La CNIL a infligé jeudi une amende de 150 millions d'euros à Google pour ses cookies.",
        "2022-01-06T10:00:00Z", source="lemonde", lang="fr")  # fmt: skip
    add(db, "en2", "T-Mobile says hackers stole data of 40 million people",
        "T-Mobile said on Tuesday that hackers stole the personal data of 40 million customers.",
        "2021-08-17T12:00:00Z", tag=BREACH)  # fmt: skip
    build_events(db)
    # tagged after the event stage ran: an article row without facts
    add(db, "en3", "Didi fined 8 billion yuan", "Regulators fined Didi 8 billion yuan on Thursday.",
        "2022-07-21T10:00:00Z")  # fmt: skip
    return db


def run(*args):
    return CliRunner().invoke(cli, ["export", *map(str, args)])


def test_the_database_holds_what_the_tests_rely_on(db):
    events = {e["company"]: e for e in store.list_events(db, limit=None)}
    assert set(events) == {"alibaba", "alphabet", "deutsche-telekom"}  # T-Mobile's group
    assert json.loads(events["alibaba"]["languages"]) == ["en", "zh"]
    assert json.loads(events["alibaba"]["amounts"])[0]["currency"] == "CNY"
    assert events["alphabet"]["regulator"] == "cnil"


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"company": "alibaba"},
        {"company": "alphabet", "event_type": FINE},
        {"event_type": BREACH},
        {"regulator": "cnil"},
        {"lang": "zh"},
        {"since": "2021-06", "until": "2022-12-31"},
        {"limit": 1},
    ],
)
def test_event_rows_are_the_rows_list_events_returns(db, filters):
    expected = store.list_events(db, **{"limit": None, **filters})
    _, rows = export_rows(db, ExportQuery(**filters))
    assert expected and list(rows) == expected


def test_every_format_reads_back_with_lists_as_lists(db, db_path, tmp_path):
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"events.{fmt}"
        result = run("--db", db_path, "--format", fmt, "--output", out)
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"3 events -> {out} ({fmt}")
        assert f"SHA-256 {file_sha256(out)[0]}" in result.output
    with open(tmp_path / "events.jsonl", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    stored = {e["id"]: e for e in store.list_events(db, limit=None)}
    assert [r["id"] for r in lines] == list(stored)
    alibaba = next(r for r in lines if r["company"] == "alibaba")
    assert alibaba["languages"] == ["en", "zh"] and alibaba["amounts"][0]["currency"] == "CNY"
    assert alibaba["amount_value"] == stored[alibaba["id"]]["amount_value"]

    with open(tmp_path / "events.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(lines[0])
    for row, line in zip(rows, lines, strict=True):
        assert json.loads(row["languages"]) == line["languages"]  # JSON text in CSV
        assert json.loads(row["amounts"]) == line["amounts"]
        assert row["title"] == line["title"] and row["follows"] == ""

    table = pq.read_table(tmp_path / "events.parquet")
    assert table.schema.field("languages").type == pa.list_(pa.string())
    assert table.schema.field("amounts").type.value_type.field("usd").type == pa.float64()
    assert table.schema.field("n_articles").type == pa.int64()
    assert table.schema.field("amount_usd").type == pa.float64()
    assert table.to_pylist() == lines


def test_articles_export_has_tags_and_facts(db, db_path, tmp_path):
    out = tmp_path / "articles.jsonl"
    assert run("--db", db_path, "--what", "articles", "--output", out).exit_code == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["article_id"] for r in rows] == ["en3", "fr1", "en2", "en1", "zh1"]  # newest first
    by_id = {r["article_id"]: r for r in rows}
    assert by_id["en3"]["event_id"] is None and by_id["en3"]["score"] == 0.9  # no facts yet
    zh = by_id["zh1"]
    assert zh["company"] == "alibaba" and zh["regulator"] == "samr"
    assert zh["amount_currency"] == "CNY" and isinstance(zh["mentioned"], list)
    assert zh["event_id"] == by_id["en1"]["event_id"] and "body" not in zh

    only = tmp_path / "alibaba.parquet"
    result = run("--db", db_path, "--what", "articles", "--company", "Alibaba Group", "--body",
                 "--output", only)  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pq.read_table(only)
    assert sorted(table.column("article_id").to_pylist()) == ["en1", "zh1"]
    assert "182.28亿元" in table.column("body").to_pylist()[1]
    assert table.schema.field("mentioned").type == pa.list_(pa.string())

    zh_only = tmp_path / "zh.csv"
    assert (
        run("--db", db_path, "--what", "articles", "--lang", "zh", "--output", zh_only).exit_code
        == 0
    )
    (row,) = csv.DictReader(zh_only.read_text("utf-8").splitlines())
    assert row["article_id"] == "zh1" and json.loads(row["mentioned"]) == ["alibaba"]


def test_company_filter_covers_units_and_names_the_nearest_on_a_typo(db, db_path, tmp_path):
    out = tmp_path / "x.csv"
    result = run("--db", db_path, "--company", "BABA", "--output", out)  # a ticker
    assert result.exit_code == 0 and result.output.startswith("1 events")
    group = tmp_path / "group.jsonl"
    result = run("--db", db_path, "--company", "Deutsche Telekom", "--output", group)
    assert result.exit_code == 0 and "T-Mobile" in json.loads(group.read_text("utf-8"))["title"]
    typo = tmp_path / "typo.csv"
    result = run("--db", db_path, "--company", "alibba", "--output", typo)
    assert result.exit_code == 1 and "did you mean alibaba" in result.output
    assert not typo.exists()


def test_an_empty_result_writes_the_header_or_schema_and_says_0_rows(db, db_path, tmp_path):
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"none.{fmt}"
        result = run("--db", db_path, "--since", "2030", "--output", out)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("0 events") and "0 rows match" in result.output
    header = (tmp_path / "none.csv").read_text("utf-8").splitlines()
    assert len(header) == 1 and header[0].startswith("id,type,firm_key")
    assert (tmp_path / "none.jsonl").read_bytes() == b""
    table = pq.read_table(tmp_path / "none.parquet")
    assert table.num_rows == 0 and table.schema.field("amounts").type.value_type.num_fields == 5


def test_an_existing_output_is_never_overwritten_without_force(db, db_path, tmp_path):
    out = tmp_path / "kept.csv"
    out.write_text("my own work\n")
    result = run("--db", db_path, "--output", out)
    assert result.exit_code == 1
    assert result.output == f"Error: {out} exists; use --force to replace it\n"
    assert out.read_text() == "my own work\n"
    assert run("--db", db_path, "--output", out, "--force").exit_code == 0
    assert out.read_text("utf-8").startswith("id,type,")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (".", "is a folder; give a file name"),
        ("missing/out.csv", "folder missing does not exist"),
        ("a-file.txt/out.csv", "a-file.txt is a file, not a folder"),
        ("events.xlsx", "cannot tell the format of 'events.xlsx'"),
    ],
)
def test_bad_output_paths(db, db_path, tmp_path, monkeypatch, output, message):
    monkeypatch.chdir(tmp_path)
    Path("a-file.txt").write_text("x")
    result = run("--db", db_path, "--output", output)
    assert result.exit_code == 1 and message in result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a read-only /sys (Linux)")
def test_an_unwritable_folder_is_one_error_line(db, db_path):
    result = run("--db", db_path, "--output", "/sys/riskwatch-events.csv")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write /sys/riskwatch-events.csv")


def test_unknown_format_and_bad_dates_and_missing_database(db, db_path, tmp_path):
    result = run("--db", db_path, "--format", "xlsx", "--output", tmp_path / "x.xlsx")
    assert (
        result.exit_code == 2 and "'xlsx' is not one of 'csv', 'jsonl', 'parquet'" in result.output
    )
    result = run("--db", db_path, "--since", "April", "--output", tmp_path / "x.csv")
    assert result.exit_code == 1 and "--since 'April': give YYYY" in result.output
    result = run("--db", tmp_path / "nope.db", "--output", tmp_path / "x.csv")
    assert result.exit_code == 1 and "no database at" in result.output
    assert not (tmp_path / "nope.db").exists() and not (tmp_path / "x.csv").exists()
    result = run(
        "--db", db_path, "--format", "csv", "--format", "jsonl", "--output", tmp_path / "x.csv"
    )
    assert result.exit_code == 1 and "--output writes one file" in result.output
    assert run("--db", db_path).exit_code == 1
    both = run("--db", db_path, "--output", tmp_path / "x.csv", "--snapshot", tmp_path / "s")
    assert both.exit_code == 1 and "not both" in both.output


def test_a_failed_write_leaves_neither_file_nor_temp_file(db, tmp_path):
    columns, rows = export_rows(db, ExportQuery())

    def broken():
        yield from rows
        raise OSError("disk full")

    out = tmp_path / "out" / "events.csv"
    out.parent.mkdir()
    with pytest.raises(OSError, match="disk full"):
        write_rows(columns, broken(), out, "csv")
    assert list(out.parent.iterdir()) == []
    with pytest.raises(InputError, match="unknown format 'xml'"):
        write_rows(columns, [], out, "xml")
    out.write_text("appeared while we wrote")  # the final move never replaces a file
    with pytest.raises(InputError, match="exists; use --force"):
        write_rows(columns, [], out, "csv")
    assert out.read_text() == "appeared while we wrote" and len(list(out.parent.iterdir())) == 1


def test_a_snapshot_manifest_lets_a_paper_cite_and_check_the_data(db, db_path, tmp_path):
    snap = tmp_path / "paper"
    result = run("--db", db_path, "--snapshot", snap, "--type", FINE, "--what", "events",
                 "--what", "articles", "--format", "csv", "--format", "parquet")  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = json.loads((snap / "manifest.json").read_text("utf-8"))
    names = ["events.csv", "events.parquet", "articles.csv", "articles.parquet"]
    assert [f["name"] for f in manifest["files"]] == names
    assert sorted(p.name for p in snap.iterdir()) == sorted([*names, "manifest.json", "SHA256SUMS"])
    for f in manifest["files"]:
        assert (f["sha256"], f["bytes"]) == file_sha256(snap / f["name"])
    assert manifest["rows"] == {"events.csv": 2, "events.parquet": 2, "articles.csv": 4,
                                "articles.parquet": 4}  # fmt: skip
    assert pq.read_table(snap / "articles.parquet").num_rows == 4
    assert manifest["query"]["exports"][0] == {"what": "events", "filters": {"type": FINE}}
    assert manifest["query"]["given"]["type"] == FINE
    assert manifest["query"]["command"].startswith("riskwatch export --db ")
    assert manifest["schema"]["version"] == SCHEMA_VERSION
    assert [m["name"] for m in manifest["schema"]["migrations"]] == [
        m.name for m in migrations.applied(db)
    ]
    database = manifest["database"]
    assert database["path"] == str(Path(db_path).resolve()) and database["matches_export"]
    assert database["sha256"] == file_sha256(db_path)[0]
    assert manifest["riskwatch_version"] == __version__
    assert manifest["fx_rates_as_of"] == load_rates().as_of
    assert manifest["created_utc"].endswith("Z")
    cite = manifest["how_to_cite"]
    assert "'paper'" in cite and database["sha256"][:16] in cite and "--verify paper" in cite
    manifest_sha = file_sha256(snap / "manifest.json")[0]
    assert f"manifest.json SHA-256 {manifest_sha}" in result.output
    sums = (snap / "SHA256SUMS").read_text().splitlines()
    assert f"{manifest_sha}  manifest.json" in sums and len(sums) == 5

    verified = run("--verify", snap)
    assert verified.exit_code == 0 and manifest_sha in verified.output

    original = (snap / "events.csv").read_bytes()
    (snap / "events.csv").write_bytes(original.replace(b"CNY", b"USD", 1))
    tampered = run("--verify", snap)
    assert tampered.exit_code == 1 and "events.csv changed" in tampered.output
    assert "parquet" not in tampered.output
    (snap / "events.csv").write_bytes(original)
    (snap / "articles.parquet").unlink()
    assert "articles.parquet is missing" in run("--verify", snap).output
    pq.write_table(pq.read_table(snap / "events.parquet"), snap / "articles.parquet")
    edited = manifest | {"files": manifest["files"][:1]}  # someone hides the other files
    (snap / "manifest.json").write_text(json.dumps(edited))
    result = run("--verify", snap)
    assert result.exit_code == 1 and "manifest.json changed" in result.output


def test_snapshot_folders_are_never_clobbered(db, db_path, tmp_path):
    snap = tmp_path / "snap"
    assert run("--db", db_path, "--snapshot", snap).exit_code == 0
    first = json.loads((snap / "manifest.json").read_text())
    again = run("--db", db_path, "--snapshot", snap)
    assert again.exit_code == 1 and "is not empty; choose a new folder or --force" in again.output
    replaced = run("--db", db_path, "--snapshot", snap, "--force", "--format", "jsonl")
    assert replaced.exit_code == 0, replaced.output
    assert sorted(p.name for p in snap.iterdir()) == ["SHA256SUMS", "events.jsonl", "manifest.json"]
    assert json.loads((snap / "manifest.json").read_text())["database"] == first["database"]

    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.tex").write_text("precious")
    result = run("--db", db_path, "--snapshot", mine, "--force")
    assert result.exit_code == 1 and "not a riskwatch snapshot" in result.output
    assert (mine / "chapter1.tex").read_text() == "precious"
    result = run("--db", db_path, "--snapshot", mine / "chapter1.tex")
    assert result.exit_code == 1 and "is a file; --snapshot takes a folder" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("--db", db_path, "--snapshot", empty).exit_code == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_verify_bad_folders(tmp_path):
    result = run("--verify", tmp_path / "nowhere")
    assert result.exit_code == 1 and "is not a folder" in result.output
    result = run("--verify", tmp_path)
    assert result.exit_code == 1 and "has no manifest.json" in result.output
    (tmp_path / "manifest.json").write_text("{not json")
    assert "is not valid JSON" in run("--verify", tmp_path).output
    (tmp_path / "manifest.json").write_text('{"files": [{"name": "x"}]}')
    assert "is not a riskwatch manifest" in run("--verify", tmp_path).output
    result = run("--verify", tmp_path, "--output", tmp_path / "x.csv")
    assert result.exit_code == 1 and "only checks a snapshot" in result.output


def test_a_write_during_the_export_is_recorded_in_the_manifest(db, db_path, tmp_path):
    with consistent_read(db, db_path) as database:
        assert database["matches_export"]
    assert database["sha256"] == file_sha256(db_path)[0]
    # a reader holding an old view keeps the log from being folded into the file, and a
    # commit after it means the file on disk is not what the export reads
    reader = sqlite3.connect(db_path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchone()
    store.save_article(db, {"id": "late", "url": "https://x.example/late", "source": "x",
                            "title": "t", "body": "b"})  # fmt: skip
    try:
        manifest = write_snapshot(db, db_path, [ExportQuery()], ["csv"], tmp_path / "s", about={})
    finally:
        reader.rollback()
        reader.close()
    assert manifest["database"]["matches_export"] is False
