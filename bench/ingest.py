"""Ingest speed: articles stored per second through the real spider, extraction and pipeline,
against a bare Scrapy + trafilatura + sqlite3 spider crawling the same generated site.

Run: python bench/ingest.py [--pages 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from riskwatch.localsite import LocalSite  # noqa: E402

FIRMS = ["Alibaba", "Tencent", "Meituan", "Didi", "Meta", "Google", "Amazon", "TikTok", "Orange"]
ACTIONS = [
    "was fined {n} million euros by the data protection authority",
    "reported quarterly revenue of {n} billion dollars, ahead of forecasts",
    "confirmed that attackers copied records of {n} million customers",
    "postponed its planned stock market listing by at least {n} months",
    "launched a new cloud service for retailers in {n} countries",
]
FILLER = [
    "Analysts said the decision would weigh on the sector for some time.",
    "The company said it would cooperate fully with the authorities.",
    "Shares moved little in early trading after the announcement.",
    "Industry groups called for clearer rules on how platforms handle personal information.",
    "The regulator did not say when it expected to publish its full reasoning.",
    "Competitors have faced similar scrutiny in several markets over the past year.",
]
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Bench Wire</title>
<meta property="article:published_time" content="2024-{m:02d}-{d:02d}T08:00:00+00:00">
</head><body>
<header><nav>{nav}</nav></header><main><article><h1>{title}</h1>{paras}</article></main>
<aside><h2>Related</h2><ul>{related}</ul></aside><footer>Copyright Bench Wire</footer>
</body></html>"""


def write_site(folder: Path, pages: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    nav = " ".join(f'<a href="/section/{i}">Section {i}</a>' for i in range(12))
    urls = []
    for i in range(pages):
        title = f"{rng.choice(FIRMS)} {rng.choice(ACTIONS).format(n=rng.randint(2, 900))}"
        paras = "".join(
            "<p>" + " ".join(rng.sample(FILLER, 4)) + "</p>" for _ in range(rng.randint(4, 8))
        )
        related = "".join(
            f'<li><a href="/a/{rng.randint(0, pages)}.html">Story {j}</a></li>' for j in range(6)
        )
        (folder / "a").mkdir(exist_ok=True)
        (folder / "a" / f"{i}.html").write_text(
            PAGE.format(
                title=title,
                nav=nav,
                paras=paras,
                related=related,
                m=rng.randint(1, 12),
                d=rng.randint(1, 28),
            ),
            encoding="utf-8",
        )
        urls.append(f"<url><loc>{{base}}/a/{i}.html</loc></url>")
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(urls)
        + "</urlset>",
        encoding="utf-8",
    )


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        sys.exit(f"error: {' '.join(cmd[:4])} exited with {status}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024


def count_articles(path: Path) -> int:
    return sqlite3.connect(path).execute("SELECT count(*) FROM articles").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "site").mkdir()
        write_site(tmp / "site", args.pages)
        with LocalSite(tmp / "site") as site:
            registry = tmp / "bench-sources.toml"
            registry.write_text(
                f'[[source]]\nname = "bench"\nlang = "en"\nkind = "demo"\nlocal = true\n'
                f'sitemaps = ["{site.base}/sitemap.xml"]\n',
                encoding="utf-8",
            )
            bare_s, bare_rss = timed(
                [
                    sys.executable,
                    "bench/bare_spider.py",
                    f"{site.base}/sitemap.xml",
                    str(tmp / "bare.db"),
                ]
            )
            ours_s, ours_rss = timed(
                [
                    sys.executable,
                    "-m",
                    "spiders.run",
                    "bench",
                    "--db",
                    str(tmp / "ours.db"),
                    "--sources-file",
                    str(registry),
                    "--log-level",
                    "WARNING",
                ]
            )
        bare_n, ours_n = (count_articles(tmp / name) for name in ("bare.db", "ours.db"))
    bare_rate, ours_rate = bare_n / bare_s, ours_n / ours_s
    print(
        f"bare scrapy+trafilatura+sqlite3: {bare_n} articles in {bare_s:.1f} s = "
        f"{bare_rate:.0f}/s, peak RSS {bare_rss:.0f} MB"
    )
    print(
        f"riskwatch spider+pipeline:       {ours_n} articles in {ours_s:.1f} s = "
        f"{ours_rate:.0f}/s, peak RSS {ours_rss:.0f} MB"
    )
    print(f"ratio ours/bare: {ours_rate / bare_rate:.2f}x (target >= 0.80)")


if __name__ == "__main__":
    main()
