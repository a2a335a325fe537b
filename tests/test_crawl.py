"""Crawls through the real `python -m spiders.run` process against the fixture server."""

from __future__ import annotations

import pytest

import store
from riskwatch.errors import CrawlError
from spiders.launch import crawl_in_subprocess


def crawl(db_path, sources_file, *names, refresh=False) -> int:
    return crawl_in_subprocess(
        list(names), str(db_path), sources_file=str(sources_file), refresh=refresh, timeout=120
    )


def runs(db_path) -> dict:
    return {r["source"]: r for r in store.source_status(store.open_db(db_path))}


def test_feed_crawl_stores_articles_once_and_survives_bad_pages(db_path, sources_file):
    assert crawl(db_path, sources_file, "fixture-feed") == 0
    db = store.open_db(db_path)
    rows = {r["url"].rsplit("/", 1)[1]: r for r in db.query("SELECT * FROM articles")}
    # the tracking-parameter copy is the same page; 404, 500, the PDF and the stub are skipped
    assert sorted(rows) == [
        "alibaba-fine-gbk.html",
        "cnil-fine-2022.html",
        "taobao-scraper-2021.html",
    ]
    assert rows["alibaba-fine-gbk.html"]["title"] == "阿里巴巴因“二选一”被罚182.28亿元"
    assert rows["alibaba-fine-gbk.html"]["lang"] == "zh"
    assert rows["cnil-fine-2022.html"]["published"] == "2022-01-06T09:15:00Z"
    # the feed's date (with its time) beats the page's bare day
    assert rows["taobao-scraper-2021.html"]["published"] == "2021-06-16T08:15:00Z"
    assert all(r["status"] == "new" and r["source"] == "fixture-feed" for r in rows.values())
    run = runs(db_path)["fixture-feed"]
    assert run["last_status"] == "ok" and run["items"] == 3 and run["errors"] == 4
    failed = {
        r["url"].rsplit("/", 1)[1]: r["last_error"]
        for r in db.query("SELECT url, last_error FROM frontier WHERE status = 'failed'")
    }
    assert failed["missing.html"].startswith("HTTP 404") and failed["500"].startswith("HTTP 500")
    assert (
        "not an HTML page" in failed["report.pdf"]
        and "no article text" in failed["empty-page.html"]
    )


def test_second_crawl_fetches_nothing_known_and_refresh_keeps_status(db_path, sources_file):
    crawl(db_path, sources_file, "fixture-feed")
    db = store.open_db(db_path)
    db.execute("UPDATE articles SET status = 'tagged'")
    crawl(db_path, sources_file, "fixture-feed")
    assert runs(db_path)["fixture-feed"]["items"] == 0
    crawl(db_path, sources_file, "fixture-feed", refresh=True)
    assert runs(db_path)["fixture-feed"]["items"] == 3
    assert store.article_count(db) == 3
    assert {r["status"] for r in db.query("SELECT status FROM articles")} == {"tagged"}


def test_sitemap_and_listing_sources(db_path, sources_file):
    assert crawl(db_path, sources_file, "fixture-sitemap", "fixture-listing") == 0
    status = runs(db_path)
    assert status["fixture-sitemap"]["items"] == 1
    assert status["fixture-listing"]["items"] == 2  # the off-site link is not followed
    db = store.open_db(db_path)
    [zh] = db.query("SELECT published FROM articles WHERE source = 'fixture-sitemap'")
    assert zh["published"] == "2021-04-10T01:30:00Z"


def test_broken_entry_points_are_recorded_not_fatal(db_path, sources_file):
    assert crawl(db_path, sources_file, "fixture-broken") == 0  # the truncated feed still yields
    run = runs(db_path)["fixture-broken"]
    assert run["items"] == 1 and run["errors"] >= 2


def test_public_source_may_not_reach_loopback(db_path, sources_file):
    assert crawl(db_path, sources_file, "fixture-public") == 1
    run = runs(db_path)["fixture-public"]
    assert run["last_status"] == "failed" and "refused internal address" in run["last_error"]
    assert store.article_count(store.open_db(db_path)) == 0


def test_huge_and_slow_responses_are_cut_off(db_path, sources_file, tmp_path):
    config = tmp_path / "riskwatch.toml"
    config.write_text("download_timeout = 2\nmax_response_mb = 1\n", encoding="utf-8")
    status = crawl_in_subprocess(
        ["fixture-nasty"],
        str(db_path),
        sources_file=str(sources_file),
        config=str(config),
        timeout=120,
    )
    assert status == 1
    run = runs(db_path)["fixture-nasty"]
    assert run["last_status"] == "failed" and run["errors"] >= 2


def test_unknown_source_is_one_line(db_path, sources_file):
    with pytest.raises(CrawlError, match="unknown source 'fixture-fed' .did you mean fixture-feed"):
        crawl(db_path, sources_file, "fixture-fed")


def test_a_name_resolving_to_loopback_is_refused_for_a_public_source(db_path, tmp_path, site):
    import socket

    from twisted.internet.error import DNSLookupError

    from spiders.safety import refuse_internal

    with pytest.raises(DNSLookupError, match="resolves to internal address 10.0.0.5"):
        refuse_internal("10.0.0.5", "intranet.example.com")
    assert refuse_internal("93.184.216.34", "example.com") == "93.184.216.34"
    name = socket.gethostname()
    try:
        if socket.gethostbyname(name) != "127.0.0.1":
            pytest.skip("this machine's name does not resolve to 127.0.0.1")
    except OSError:
        pytest.skip("this machine's name does not resolve")
    port = site.rsplit(":", 1)[1]
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "sneaky"\nlang = "en"\nfeeds = ["http://{name}:{port}/feeds/news.xml"]\n',
        encoding="utf-8",
    )
    assert crawl(db_path, sources, "sneaky") == 1
    run = runs(db_path)["sneaky"]
    assert "resolves to internal address 127.0.0.1" in run["last_error"]


def test_an_unreachable_site_is_one_line_per_failure_not_a_traceback(db_path, tmp_path, capfd):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "gone"\nlang = "en"\nlocal = true\n'
        f'feeds = ["http://127.0.0.1:{port}/feed.xml"]\n',
        encoding="utf-8",
    )
    assert crawl(db_path, sources, "gone") == 1
    err = capfd.readouterr().err
    assert "Connection was refused" in err or "ConnectionRefused" in err
    assert "Traceback" not in err


def test_a_logged_failure_keeps_its_exception_on_one_line():
    import logging
    import sys

    from spiders.run import _without_traceback

    try:
        {}["docurl"]
    except KeyError:
        info = sys.exc_info()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "Spider error processing %s",
                               ("<GET http://a>",), info)  # fmt: skip
    line = logging.Formatter().format(_without_traceback(record))
    assert line == "Spider error processing <GET http://a> (KeyError: 'docurl')"
    critical = logging.LogRecord("x", logging.CRITICAL, __file__, 1, "boom", (), info)
    assert _without_traceback(critical).exc_info is info
