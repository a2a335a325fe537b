"""Feed robustness: every one of the 2,106 feeds of shared/bench/feeds (feedparser's own test
corpus: broken XML, wrong and missing charsets, entities, every dialect) served on 127.0.0.1
with its `Header:` lines as real headers, and crawled as entry pages of one source by the real
spider. Counted: feeds read (with links), feeds recorded as clear errors, crashes, requests
that left the source's domain; and the time, against feedparser.parse alone on the same bytes.

Run: python bench/feeds.py
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import feedparser  # noqa: E402

from bench.common import shared_dir  # noqa: E402
from tests.scripted_site import ScriptedSite  # noqa: E402

HEADER = re.compile(rb"^Header:\s*([\w-]+):\s*(.+?)\s*$", re.M)


def corpus() -> dict[str, tuple[bytes, list[tuple[str, str]]]]:
    root = shared_dir() / "bench" / "feeds"
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".xml", ".rss", ".atom", ".rdf", ".cdf", ""):
            if path.name.startswith(("LICENSE", "README")):
                continue
            body = path.read_bytes()
            headers = [(k.decode(), v.decode("latin-1")) for k, v in HEADER.findall(body)]
            files["/" + path.relative_to(root).as_posix()] = (body, headers)
    return files


def answers(files: dict) -> dict:
    """Routes for ScriptedSite: each feed with its own Header: lines as real headers."""
    routes = {}
    for path, (body, headers) in files.items():
        sent = {k: v for k, v in headers if k.lower() != "content-length"}
        if "content-type" not in {k.lower() for k in sent}:
            sent["Content-Type"] = "application/xml"
        routes[path] = (200, sent, body)
    return routes


def main() -> None:
    files = corpus()
    start = time.perf_counter()
    parsed_alone = sum(1 for body, _ in files.values() if feedparser.parse(body).entries)
    alone_s = time.perf_counter() - start
    with ScriptedSite() as site, tempfile.TemporaryDirectory() as tmp:
        site.routes.update(answers(files))
        registry = Path(tmp) / "sources.toml"
        feeds = ",\n".join(f'  "{site.base}{path}"' for path in files)
        registry.write_text(
            '[[source]]\nname = "corpus"\nlang = "en"\nkind = "demo"\nlocal = true\n'
            f"feeds = [\n{feeds}\n]\n",
            encoding="utf-8",
        )
        db = Path(tmp) / "rw.db"
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "spiders.run", "corpus", "--db", str(db),
             "--sources-file", str(registry), "--log-level", "ERROR"],
            capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
        crawl_s = time.perf_counter() - start
        con = sqlite3.connect(db)
        read, with_links = con.execute(
            "SELECT count(*), sum(links > 0) FROM entry_pages WHERE http_status = 200"
        ).fetchone()
        run = con.execute("SELECT status, errors, links FROM crawl_runs").fetchone()
        con.close()
    requested = [path for path, _ in site.log]
    articles = [p for p in requested if p.split("?")[0] not in files and p != "/robots.txt"]
    # a callback that raised: Scrapy's one-line "Spider error processing" (the crawl process
    # keeps tracebacks for DEBUG), or a traceback from outside the crawl's logging
    crashes = proc.stderr.count("Spider error processing") + proc.stderr.count("Traceback")
    print(f"{len(files)} feeds served; crawl exit {proc.returncode}, run {run[0]}")
    print(f"  read as feeds: {read} ({with_links} with same-site links)")
    print(f"  recorded as unreadable (clear one-line errors): {len(files) - read}")
    print(f"  crashes (callback errors, tracebacks): {crashes}")
    print(f"  errors counted by the run (feeds and articles): {run[1]}")
    print(
        f"  same-site article links followed: {run[2]} ({len(articles)} requests); links to "
        "other domains (example.org...) are dropped before any request"
    )
    print(f"  crawl {crawl_s:.1f} s = {len(files) / crawl_s:.0f} feeds/s through the spider")
    print(
        f"  feedparser.parse alone: {parsed_alone} with entries, {alone_s:.1f} s = "
        f"{len(files) / alone_s:.0f} feeds/s; ratio spider/feedparser speed "
        f"{(len(files) / crawl_s) / (len(files) / alone_s):.2f}"
    )


if __name__ == "__main__":
    main()
