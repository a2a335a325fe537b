"""Incremental crawling: a rerun over an unchanged local site of 2,000 articles, against the
first crawl of it in the same run, then a rerun after 20 articles were added.

The site is served on 127.0.0.1 by riskwatch.localsite, which sends ETag and Last-Modified
and answers If-None-Match with 304, as real servers do. It has a sitemap index of 4 child
sitemaps and a feed of the newest 100 articles. Requests are counted by the server.

Run: python bench/incremental.py [--pages 2000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import count_articles, write_site  # noqa: E402
from riskwatch.localsite import LocalSite, SiteHandler  # noqa: E402

CHILDREN = 4
FEED_ITEMS = 100


class CountingHandler(SiteHandler):
    counts: Counter = Counter()
    lock = threading.Lock()

    def do_GET(self) -> None:
        kind = (
            "articles"
            if self.path.startswith("/a/")
            else "robots.txt"
            if self.path == "/robots.txt"
            else "entry pages"
        )
        with self.lock:
            self.counts[kind] += 1
        super().do_GET()


def write_entries(folder: Path, pages: int, feed_pages: int | None = None) -> None:
    """A sitemap index over CHILDREN sitemaps, and a feed of the newest FEED_ITEMS articles
    (of the first `feed_pages`: new articles can be in the sitemaps before the feed)."""
    per = -(-pages // CHILDREN)
    children = []
    for c in range(CHILDREN):
        urls = "".join(
            f"<url><loc>{{base}}/a/{i}.html</loc></url>"
            for i in range(c * per, min(pages, (c + 1) * per))
        )
        (folder / f"sitemap-{c}.xml").write_text(
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>",
            encoding="utf-8",
        )
        children.append(f"<sitemap><loc>{{base}}/sitemap-{c}.xml</loc></sitemap>")
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(children)
        + "</sitemapindex>",
        encoding="utf-8",
    )
    newest = feed_pages or pages
    items = "".join(
        f"<item><title>Story {i}</title><link>{{base}}/a/{i}.html</link></item>"
        for i in range(newest - 1, max(-1, newest - 1 - FEED_ITEMS), -1)
    )
    (folder / "feed.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}'
        "</channel></rss>",
        encoding="utf-8",
    )


def crawl(db: Path, registry: Path) -> tuple[float, Counter]:
    CountingHandler.counts = Counter()
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "spiders.run", "bench", "--db", str(db),
         "--sources-file", str(registry), "--log-level", "WARNING"],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - start, Counter(CountingHandler.counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--added", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site_dir = tmp / "site"
        site_dir.mkdir()
        write_site(site_dir, args.pages + args.added)  # the last `added` are published later
        write_entries(site_dir, args.pages)
        db = tmp / "rw.db"
        with LocalSite(site_dir, handler=CountingHandler) as site:
            registry = tmp / "sources.toml"
            registry.write_text(
                '[[source]]\nname = "bench"\nlang = "en"\nkind = "demo"\nlocal = true\n'
                f'feeds = ["{site.base}/feed.xml"]\nsitemaps = ["{site.base}/sitemap.xml"]\n',
                encoding="utf-8",
            )
            rows = [("first crawl", *crawl(db, registry), count_articles(db))]
            rows.append(("rerun, site unchanged", *crawl(db, registry), count_articles(db)))
            write_entries(site_dir, args.pages + args.added, feed_pages=args.pages)
            rows.append(
                (f"rerun, {args.added} in sitemaps", *crawl(db, registry), count_articles(db))
            )
    base_s, base_counts = rows[0][1], rows[0][2]
    base_requests = sum(base_counts.values())
    for name, seconds, counts, stored in rows:
        requests = sum(counts.values())
        print(
            f"{name:24} {seconds:6.1f} s  {requests:5} requests "
            f"({counts['entry pages']} entry pages, {counts['articles']} articles, "
            f"{counts['robots.txt']} robots.txt)  "
            f"{stored} stored  | vs first crawl: time {seconds / base_s:.3f}, "
            f"requests {requests / base_requests:.4f}"
        )


if __name__ == "__main__":
    main()
