"""`riskwatch serve`: the generated Datasette metadata against the schema, and a real server on
127.0.0.1 answering the pages and canned queries researchers use."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import store
from nlp.events.run import build_events
from riskwatch import datasette_metadata, datasette_site
from riskwatch.cli import cli
from store.schema import migrations
from tests.tagged_articles import add

FINE, BREACH, IPO = "regulatory_fine", "data_breach", "ipo_suspension"

ARTICLES = [  # id, source, lang, published, tag, title, body
    ("a-en", "wire", "en", "2021-04-10T01:30:00Z", FINE,
     "China fines Alibaba record 18.2 billion yuan",
     "The market regulator fined Alibaba 18.228 billion yuan on Saturday for abusing its "
     "dominant position."),
    ("a-zh", "caixin", "zh", "2021-04-10T03:30:00Z", FINE,
     "阿里巴巴被罚182.28亿元",
     "国家市场监督管理总局4月10日依法对阿里巴巴集团处以182.28亿元罚款。"),
    ("a-fr", "lemonde", "fr", "2021-04-10T09:00:00Z", FINE,
     "Alibaba condamné à une amende record de 18,2 milliards de yuans",
     "Le régulateur chinois des marchés a infligé samedi une amende de 18,2 milliards de "
     "yuans à Alibaba."),
    ("m-zh", "caixin", "zh", "2021-10-08T08:30:00Z", FINE,
     "美团被罚34.42亿元",
     "国家市场监督管理总局10月8日对美团处以34.42亿元罚款。"),
    ("m-en", "wire", "en", "2021-10-08T12:30:00Z", FINE,
     "Meituan fined 3.44 billion yuan in antitrust probe",
     "China's market regulator fined Meituan 3.44 billion yuan on Friday."),
    ("g-fr", "lemonde", "fr", "2022-01-06T10:30:00Z", FINE,
     "La CNIL inflige 150 millions d'euros d'amende à Google",
     "La CNIL a infligé jeudi une amende de 150 millions d'euros à Google pour ses cookies."),
    ("fb-en", "wire", "en", "2021-04-03T12:00:00Z", BREACH,
     "Facebook data of 533 million users leaked online",
     "Personal data of 533 million Facebook users was posted on a hacking forum on Saturday."),
    ("fb-zh", "caixin", "zh", "2021-04-03T22:00:00Z", BREACH,
     "脸书5.33亿用户数据在黑客论坛被公开",
     "4月3日，脸书5.33亿用户的个人数据在一个黑客论坛上被公开。"),
    ("tm-en", "wire", "en", "2021-08-18T09:30:00Z", BREACH,
     "T-Mobile confirms hackers stole data on about 48 million people",
     "T-Mobile said on Wednesday that hackers stole data on about 48 million people."),
    ("tm-fr", "lemonde", "fr", "2021-08-19T09:30:00Z", BREACH,
     "T-Mobile : des pirates ont volé les données de 48 millions de personnes",
     "T-Mobile a confirmé mercredi que des pirates ont volé les données de 48 millions de "
     "personnes."),
    ("d-en", "wire", "en", "2022-07-21T08:00:00Z", FINE,
     "China fines Didi 8.026 billion yuan over data breaches",
     "China's cyberspace regulator fined Didi Global 8.026 billion yuan on Thursday."),
    ("d-zh", "caixin", "zh", "2022-07-21T13:00:00Z", FINE,
     "滴滴被罚80.26亿元",
     "国家互联网信息办公室7月21日对滴滴全球股份有限公司处以80.26亿元罚款。"),
    ("ant-zh", "caixin", "zh", "2020-11-03T13:45:00Z", IPO,
     "上交所暂缓蚂蚁集团科创板上市",
     "上海证券交易所11月3日决定暂缓蚂蚁科技集团在科创板上市。"),
]  # fmt: skip


def fill(db) -> None:
    """Articles in three languages from three outlets, tagged, grouped into events."""
    for article_id, source, lang, published, tag, title, body in ARTICLES:
        add(db, article_id, title, body, published, source=source, lang=lang, tag=tag, ev=body)
    build_events(db)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "research.db"
    db = store.open_db(path)
    fill(db)
    db.close()
    return path


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve-empty") / "empty.db"
    store.open_db(path).close()
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(db_path: Path, cwd: Path):
    """`riskwatch serve` in its own process on a free loopback port; stopped with Ctrl+C."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "riskwatch.cli", "serve", "--db", str(db_path), "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            wait_until_up(client, proc)
            yield client
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Warning" not in err, err
    assert f"read-only at {base}/{db_path.stem}" in err


def wait_until_up(client: httpx.Client, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited with {proc.returncode}: {proc.stderr.read()}")
        try:
            if client.get("/-/versions.json").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("serve did not answer in time")


def query_json(client: httpx.Client, db_name: str, name: str) -> dict:
    response = client.get(f"/{db_name}/{name}.json")
    assert response.status_code == 200, (name, response.text[:500])
    data = response.json()
    assert data["ok"], (name, data)
    assert data["columns"] == datasette_metadata.QUERY_COLUMNS[name]
    return data


# -- the metadata is generated from one module and checked against the real schema --


def schema_columns(path: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    columns = {t: [r[1] for r in conn.execute(f"PRAGMA table_info([{t}])")] for t in names}
    conn.close()
    return columns


def test_every_described_table_and_column_exists(empty_db):
    schema = schema_columns(empty_db)
    for table, spec in datasette_metadata.TABLES.items():
        assert table in schema, f"described table {table} is not in the schema"
        for column in spec["columns"]:
            assert column in schema[table], f"described column {table}.{column} does not exist"
        for facet in spec.get("facets", []):
            column = facet if isinstance(facet, str) else next(iter(facet.values()))
            assert column in schema[table], f"facet {table}.{column} does not exist"
        for key in ("sort_desc", "label_column"):
            if key in spec:
                assert spec[key] in schema[table], f"{table} {key} {spec[key]} does not exist"


def test_every_table_and_column_is_described_or_hidden(empty_db):
    """A migration adding a table or column must say what it holds (or hide it) here too."""
    for table, columns in schema_columns(empty_db).items():
        if table.startswith("articles_fts") or table in datasette_metadata.HIDDEN:
            continue
        assert table in datasette_metadata.TABLES, (
            f"table {table} has no description in riskwatch/datasette_metadata.py TABLES"
        )
        missing = set(columns) - set(datasette_metadata.TABLES[table]["columns"])
        assert not missing, f"{table}: columns {sorted(missing)} have no description"


def test_metadata_is_keyed_by_the_database_name_datasette_uses(demo_db):
    meta = datasette_site.metadata(datasette_site.database_name(demo_db))
    database = meta["databases"]["research"]
    assert set(database["queries"]) == set(datasette_metadata.QUERY_COLUMNS)
    assert database["tables"]["frontier"]["hidden"]
    assert database["tables"]["articles"]["license"] == datasette_metadata.SOURCES_LICENSE
    assert "each source's own terms apply" in meta["description_html"]


@pytest.mark.parametrize("name", sorted(datasette_site.QUERIES))
def test_canned_query_runs_on_empty_and_demo_databases(name, empty_db, demo_db):
    sql = datasette_site.QUERIES[name]["sql"]
    for path in (empty_db, demo_db):
        conn = sqlite3.connect(path)
        datasette_site.add_sql_functions(conn)
        cursor = conn.execute(sql, {"company": ""})
        rows = cursor.fetchall()
        assert [d[0] for d in cursor.description] == datasette_metadata.QUERY_COLUMNS[name]
        assert bool(rows) == (path == demo_db), (name, path, rows)
        conn.close()


def test_lead_times_match_a_median_computed_in_python(demo_db):
    conn = sqlite3.connect(demo_db)
    leads: dict[str, list[float | None]] = {}
    for source, hours in conn.execute("SELECT first_source, lead_hours FROM events"):
        leads.setdefault(source, []).append(hours)
    rows = conn.execute(datasette_site.QUERIES["lead_times_of_outlets"]["sql"]).fetchall()
    conn.close()
    assert {r[0] for r in rows} == set(leads)
    assert any(h for hours in leads.values() for h in hours), "the data must have lead times"
    for source, first, with_lead, median, average, _ in rows:
        hours = [h for h in leads[source] if h is not None]
        assert (first, with_lead) == (len(leads[source]), len(hours))
        assert median == (round(statistics.median(hours), 2) if hours else None)
        assert average == (round(statistics.mean(hours), 2) if hours else None)
    wire = next(r for r in rows if r[0] == "wire")
    assert wire[1:5] == (4, 4, 7.5, 10.25)  # leads of 2, 5, 10 and 24 hours


# -- a real server --


def test_server_answers_pages_facets_tables_and_every_canned_query(demo_db, tmp_path):
    with served(demo_db, tmp_path) as client:
        index = client.get("/")
        assert index.status_code == 200
        assert datasette_site.TITLE in index.text
        assert "each source's own terms apply" in index.text
        for name in datasette_site.QUERIES:
            assert f'href="/research/{name}"' in index.text

        database = client.get("/research.json").json()
        tables = {t["name"]: t for t in database["tables"]}
        assert tables["events"]["hidden"] is False
        assert tables["frontier"]["hidden"] is True
        assert tables["_sqlite_migrations"]["hidden"] is True
        assert tables["articles_fts"]["hidden"] is True

        page = client.get("/research/events")
        assert page.status_code == 200
        assert "One row per real action" in page.text
        assert "regulatory_fine" in page.text and 'class="facet-info' in page.text
        assert "What each column holds" in page.text  # the descriptions fold away

        events = client.get("/research/events.json").json()
        facets = events["facet_results"]
        assert {"type", "company", "regulator", "languages"} <= set(facets)
        types = {f["value"]: f["count"] for f in facets["type"]["results"]}
        assert types == {FINE: 4, BREACH: 2, IPO: 1}
        languages = {f["value"]: f["count"] for f in facets["languages"]["results"]}
        assert languages["zh"] == 5

        articles = client.get("/research/articles.json?_shape=array&_sort=published").json()
        assert len(articles) == len(ARTICLES)
        assert {"id", "title", "source", "lang", "status"} <= set(articles[0])

        results = {name: query_json(client, "research", name) for name in datasette_site.QUERIES}
        largest = results["breaches_by_records_exposed"]["rows"][0][0]
        breaches_page = client.get("/research/breaches_by_records_exposed").text
        assert f'<a href="/research/events/{largest}">{largest}</a>' in breaches_page
        assert ">533,000,000<" in breaches_page  # JSON keeps the number, HTML shows commas
        assert client.get(f"/research/events/{largest}.json").json()["rows"]

    fines = [dict(zip(r["columns"], row, strict=True)) for r in [results[
        "fines_by_company_and_year"]] for row in r["rows"]]  # fmt: skip
    alibaba = next(f for f in fines if f["company"] == "alibaba")
    assert (alibaba["year"], alibaba["fines"]) == ("2021", 1)
    assert 2.7e9 < alibaba["total_usd"] < 2.9e9
    breaches = [row[3] for row in results["breaches_by_records_exposed"]["rows"]]
    assert breaches == sorted(breaches, reverse=True) and breaches[0] == 533_000_000
    regulators = {row[0]: row for row in results["events_by_regulator"]["rows"]}
    assert regulators["samr"][1] == "State Administration for Market Regulation"
    assert regulators["cnil"][2] == "FR"


def test_canned_queries_answer_on_an_empty_database(empty_db, tmp_path):
    with served(empty_db, tmp_path) as client:
        for name in datasette_site.QUERIES:
            assert query_json(client, "empty", name)["rows"] == []
        page = client.get("/empty/fines_by_company_and_year")
        assert page.status_code == 200 and "Fines by company and year" in page.text


def test_company_parameter_filters_and_blank_means_every_firm(demo_db, tmp_path):
    with served(demo_db, tmp_path) as client:
        everyone = client.get("/research/fines_by_company_and_year.json?company=").json()
        meituan = client.get("/research/fines_by_company_and_year.json?company=meituan").json()
        monthly = client.get("/research/events_per_month_by_type.json?company=alibaba").json()
    assert {row[0] for row in everyone["rows"]} >= {"alibaba", "meituan"}
    assert [row[0] for row in meituan["rows"]] == ["meituan"]
    assert [(row[0], row[1]) for row in monthly["rows"]] == [("2021-04", FINE)]


def test_a_writer_is_not_blocked_while_serving_and_new_rows_show(tmp_path):
    path = tmp_path / "live.db"
    db = store.open_db(path)
    fill(db)
    with served(path, tmp_path) as client:
        before = client.get("/live/articles.json?_shape=array").json()
        writer = store.open_db(path, busy_timeout_ms=500)  # would fail if the server held a lock
        store.save_article(
            writer,
            {"id": "late", "url": "https://wire.example/late", "source": "wire", "lang": "en",
             "title": "Late news", "body": "Nothing happened.", "published": "2023-01-01T00:00:00Z"},
        )  # fmt: skip
        after = client.get("/live/articles.json?_shape=array").json()
        refused = client.get("/live.json", params={"sql": "DELETE FROM articles"})
    assert len(after) == len(before) + 1
    assert refused.status_code == 400 and store.article_count(writer) == len(ARTICLES) + 1


# -- bad input: one line, exit 1, before anything starts --


def test_missing_database_is_one_line_error_and_creates_nothing(tmp_path):
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(cli, ["serve", "--db", str(missing), "--port", str(free_port())])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {missing} does not exist; crawl first (riskwatch crawl, riskwatch demo) "
        "or pass --db"
    ]
    assert not missing.exists()


def test_port_in_use_is_one_line_error(empty_db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--db", str(empty_db), "--port", str(port)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"port {port} on 127.0.0.1 is already in use" in lines[0]


def test_corrupt_database_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    result = CliRunner().invoke(cli, ["serve", "--db", str(bad), "--port", str(free_port())])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "not a riskwatch database or is corrupt" in lines[0]


def test_open_flag_opens_the_database_page_once_checks_pass(demo_db, monkeypatch):
    opened, ran = [], []
    monkeypatch.setattr(datasette_site.webbrowser, "open", opened.append)
    monkeypatch.setattr(datasette_site.uvicorn, "run", lambda app, **kw: ran.append(kw))
    datasette_site.serve(demo_db, "127.0.0.1", free_port(), open_browser=True)
    assert opened == [f"http://127.0.0.1:{ran[0]['port']}/research"]
    assert ran[0]["host"] == "127.0.0.1"


def test_older_schema_is_migrated_before_serving(tmp_path):
    old = tmp_path / "old.db"
    from sqlite_utils import Database

    migrations.apply(Database(old), stop_before="m002_events")
    assert "events" not in schema_columns(old)
    datasette_site.check_database(old)
    assert "events" in schema_columns(old)
