"""Crawling as a good citizen, against scripted loopback servers through the real crawl
process: conditional GET, Retry-After, 403, redirect loops, off-site links, a listing that
suddenly goes empty, and backfills that resume and stop on endless pagination."""

from __future__ import annotations

import pytest

import store
from spiders.launch import crawl_in_subprocess
from store.entry_pages import entry_pages
from tests.scripted_site import ScriptedSite, html, listing, rss


@pytest.fixture
def scripted():
    with ScriptedSite() as site:
        yield site


def write_sources(path, base: str, entries: str) -> None:
    path.write_text(entries.replace("{base}", base), encoding="utf-8")


def crawl(db_path, sources_file, name, **kwargs) -> int:
    return crawl_in_subprocess(
        [name], str(db_path), sources_file=str(sources_file), timeout=120, **kwargs
    )


def last_run(db_path, name) -> dict:
    db = store.open_db(db_path)
    return next(db.query("SELECT * FROM crawl_runs WHERE source = ? ORDER BY id DESC", [name]))


def test_an_unchanged_feed_costs_one_request_and_no_article_fetch(db_path, sources_file, site):
    assert crawl(db_path, sources_file, "fixture-feed") == 0
    first = last_run(db_path, "fixture-feed")
    assert crawl(db_path, sources_file, "fixture-feed") == 0
    second = last_run(db_path, "fixture-feed")
    assert first["items"] == 3 and first["pages"] > 5
    # the feed answered 304 to If-None-Match; the failed links were retried, nothing else
    assert second["not_modified"] == 1 and second["items"] == 0
    assert second["pages"] < first["pages"]
    db = store.open_db(db_path)
    (feed,) = entry_pages(db, "fixture-feed").values()
    assert feed["etag"] and feed["http_status"] == 304


def test_retry_after_is_honoured_and_a_long_one_defers_the_entry(db_path, tmp_path, scripted):
    sources = tmp_path / "sources.toml"
    write_sources(
        sources,
        scripted.base,
        '[[source]]\nname = "busy"\nlang = "en"\nlocal = true\nfeeds = ["{base}/feed"]\n'
        '[[source]]\nname = "closed"\nlang = "en"\nlocal = true\nfeeds = ["{base}/closed"]\n',
    )
    busy = rss(scripted.base, ["/a1"])
    scripted.routes["/feed"] = lambda n: (
        (429, {"Retry-After": "1"}, b"slow down") if n == 1 else busy
    )
    scripted.routes["/a1"] = html("First article")
    scripted.routes["/closed"] = (503, {"Retry-After": "3600"}, b"maintenance")
    assert crawl(db_path, sources, "busy") == 0
    assert scripted.hits("/feed") == 2 and scripted.hits("/a1") == 1
    assert last_run(db_path, "busy")["items"] == 1

    crawl(db_path, sources, "closed")
    assert scripted.hits("/closed") == 1  # not retried: an hour is too long to sit in a crawl
    run = last_run(db_path, "closed")
    assert "asked to wait until" in run["last_error"]
    crawl(db_path, sources, "closed")
    assert scripted.hits("/closed") == 1  # the next crawl leaves it alone until then


def test_a_site_refusing_the_crawler_is_recorded_as_blocked_and_not_retried(
    db_path, tmp_path, scripted
):
    sources = tmp_path / "sources.toml"
    write_sources(
        sources,
        scripted.base,
        '[[source]]\nname = "walled"\nlang = "en"\nlocal = true\nfeeds = ["{base}/feed"]\n',
    )
    scripted.routes["/feed"] = (403, {"Content-Type": "text/html"}, b"<html>Access denied</html>")
    assert crawl(db_path, sources, "walled") == 1
    run = last_run(db_path, "walled")
    assert run["status"] == "blocked" and "refuses this crawler" in run["last_error"]
    assert scripted.hits("/feed") == 1


def test_redirect_loops_and_off_site_links_are_cut(db_path, tmp_path, scripted):
    sources = tmp_path / "sources.toml"
    write_sources(
        sources,
        scripted.base,
        '[[source]]\nname = "loopy"\nlang = "en"\nlocal = true\n'
        'feeds = ["{base}/loop", "{base}/feed"]\n',
    )
    scripted.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    feed = rss(scripted.base, ["/a1"])[2].replace(
        b"</channel>",
        b"<item><title>x</title><link>https://elsewhere.example/story</link></item>"
        b"<item><title>dup</title><link>" + scripted.base.encode() + b"/a1</link></item></channel>",
    )
    scripted.routes["/feed"] = (200, {"Content-Type": "application/rss+xml"}, feed)
    scripted.routes["/a1"] = (302, {"Location": "https://elsewhere.example/a1"}, b"")
    crawl(db_path, sources, "loopy")
    assert 1 < scripted.hits("/loop") <= 6
    assert scripted.hits("/a1") == 1  # the duplicate link is one request
    db = store.open_db(db_path)
    assert store.article_count(db) == 0
    assert not [p for p, _ in scripted.log if "elsewhere" in p]


def test_a_listing_that_suddenly_has_no_links_is_reported(db_path, tmp_path, scripted):
    sources = tmp_path / "sources.toml"
    write_sources(
        sources,
        scripted.base,
        '[[source]]\nname = "lister"\nlang = "en"\nlocal = true\nlistings = ["{base}/news/"]\n'
        'article_pattern = "/news/\\\\d+$"\n',
    )
    scripted.routes["/news/"] = listing(["/news/1", "/news/2", "/about"])
    scripted.routes["/news/1"] = html("One")
    scripted.routes["/news/2"] = html("Two")
    assert crawl(db_path, sources, "lister") == 0
    assert last_run(db_path, "lister")["items"] == 2
    scripted.routes["/news/"] = listing(["/about"])  # a redesign broke the pattern
    crawl(db_path, sources, "lister")
    run = last_run(db_path, "lister")
    assert "0 article links where there were 2 last time" in run["last_error"]


def test_backfill_walks_archive_pages_back_to_since_and_resumes(db_path, tmp_path, scripted):
    sources = tmp_path / "sources.toml"
    write_sources(
        sources,
        scripted.base,
        '[[source]]\nname = "archive"\nlang = "en"\nlocal = true\nlistings = ["{base}/list"]\n'
        'archives = ["{base}/list/{page}"]\narticle_pattern = "/a/\\\\d+$"\n',
    )

    # 3 articles a page, newest first; page 1 is the entry; from page 5 on the site serves
    # page 5 again for any number (endless pagination)
    def page(n: int) -> str:
        return f"/list/{n}" if n > 1 else "/list"

    for n in range(1, 12):
        numbers = range(3 * (min(n, 5) - 1), 3 * min(n, 5))
        scripted.routes[page(n)] = listing([f"/a/{i}" for i in numbers])
    for i in range(15):
        day = 28 - i  # /a/0 on 28 March 2021, one day older each
        scripted.routes[f"/a/{i}"] = html(f"Story {i}", date=f"2021-03-{day:02d}T08:00:00Z")
    scripted.routes["/list/3"] = (500, {}, b"oops")  # the walk breaks off at page 3

    crawl(db_path, sources, "archive", since="2021-03-01")
    assert scripted.hits("/list/3") == 3  # tried with retries, then the run ends
    db = store.open_db(db_path)
    assert store.article_count(db) == 6

    scripted.routes["/list/3"] = listing([f"/a/{i}" for i in range(6, 9)])
    crawl(db_path, sources, "archive", since="2021-03-01")
    assert scripted.hits("/list/2") == 1  # resumed at page 3, not from the start
    assert store.article_count(db) == 15
    assert scripted.hits("/list/6") == 1 and scripted.hits("/list/7") == 0  # 6 repeated 5: stop
    crawl(db_path, sources, "archive", since="2021-03-01")
    assert scripted.hits("/list/4") == 1  # a finished walk is not walked again


def test_backfill_skips_articles_older_than_since(db_path, tmp_path, scripted):
    sources = tmp_path / "sources.toml"
    write_sources(
        sources,
        scripted.base,
        '[[source]]\nname = "maps"\nlang = "en"\nlocal = true\nsitemaps = ["{base}/index.xml"]\n',
    )
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{scripted.base}/2019.xml</loc><lastmod>2019-12-31</lastmod></sitemap>"
        f"<sitemap><loc>{scripted.base}/2021.xml</loc><lastmod>2021-04-30</lastmod></sitemap>"
        "</sitemapindex>"
    )
    year = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{scripted.base}/new</loc><lastmod>2021-04-10</lastmod></url>"
        f"<url><loc>{scripted.base}/old</loc><lastmod>2020-11-01</lastmod></url>"
        f"<url><loc>{scripted.base}/undated</loc></url></urlset>"
    )
    xml = {"Content-Type": "application/xml"}
    scripted.routes["/index.xml"] = (200, xml, index.encode())
    scripted.routes["/2021.xml"] = (200, xml, year.encode())
    scripted.routes["/new"] = html("New", date="2021-04-10T08:00:00Z")
    scripted.routes["/undated"] = html("Older than it looks", date="2020-05-01T08:00:00Z")
    crawl(db_path, sources, "maps", since="2021-01-01")
    assert scripted.hits("/2019.xml") == 0 and scripted.hits("/old") == 0
    assert scripted.hits("/undated") == 1  # fetched to learn its date, then left out
    db = store.open_db(db_path)
    assert [r["url"].rsplit("/", 1)[1] for r in db.query("SELECT url FROM articles")] == ["new"]
    crawl(db_path, sources, "maps", since="2021-01-01")
    assert scripted.hits("/undated") == 1  # and not fetched again


def test_an_unchanged_sitemap_index_still_leads_to_its_changed_children(db_path, tmp_path):
    from riskwatch.localsite import LocalSite

    folder = tmp_path / "site"
    folder.mkdir()
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    (folder / "index.xml").write_text(
        f'<?xml version="1.0"?><sitemapindex {ns}><sitemap><loc>{{base}}/child.xml</loc>'
        "</sitemap></sitemapindex>",
        encoding="utf-8",
    )

    def child(*pages: str) -> None:
        urls = "".join(f"<url><loc>{{base}}/{p}</loc></url>" for p in pages)
        (folder / "child.xml").write_text(
            f'<?xml version="1.0"?><urlset {ns}>{urls}</urlset>', encoding="utf-8"
        )

    for name in ("one", "two"):
        (folder / f"{name}.html").write_bytes(html(f"Story {name}")[2])
    child("one.html")
    with LocalSite(folder) as site:
        sources = tmp_path / "sources.toml"
        write_sources(
            sources,
            site.base,
            '[[source]]\nname = "maps"\nlang = "en"\nlocal = true\n'
            'sitemaps = ["{base}/index.xml"]\n',
        )
        crawl(db_path, sources, "maps")
        child("one.html", "two.html")
        crawl(db_path, sources, "maps")
    db = store.open_db(db_path)
    pages = entry_pages(db, "maps")
    assert pages[f"{site.base}/index.xml"]["http_status"] == 304
    assert pages[f"{site.base}/child.xml"]["http_status"] == 200
    assert store.article_count(db) == 2


def test_a_source_sends_its_headers_and_the_user_agent_names_the_contact(
    db_path, tmp_path, scripted
):
    sources = tmp_path / "sources.toml"
    write_sources(
        sources,
        scripted.base,
        '[[source]]\nname = "picky"\nlang = "zh"\nlocal = true\nfeeds = ["{base}/feed"]\n'
        'headers = { Referer = "https://news.sina.com.cn/" }\n',
    )
    config = tmp_path / "riskwatch.toml"
    config.write_text('contact = "ir@example.com"\n', encoding="utf-8")
    scripted.routes["/feed"] = rss(scripted.base, ["/a1"])
    scripted.routes["/a1"] = html("Story")
    crawl(db_path, sources, "picky", config=str(config))
    sent = {path: headers for path, headers in scripted.log}
    assert sent["/feed"]["Referer"] == sent["/a1"]["Referer"] == "https://news.sina.com.cn/"
    assert sent["/a1"]["User-Agent"].endswith("; ir@example.com)")


def test_a_bad_since_date_is_one_line_not_a_traceback():
    from click.testing import CliRunner

    from riskwatch.cli import cli

    result = CliRunner().invoke(cli, ["crawl", "cnil", "--since", "2020-13-01"])
    assert result.exit_code == 2
    assert "'2020-13-01' does not match the format '%Y-%m-%d'" in result.output
    assert "Traceback" not in result.output
