"""Extraction quality and speed: spiders.extract.extract against plain trafilatura.

Part 1, bodies. Data: shared/bench/extraction (181 real pages with human ground truth).
Metric as that benchmark defines it: 4-token shingles, P and R averaged over pages,
F1 = 2PR/(P+R).

Part 2, titles and dates on our own zh/fr/en fixture pages (tests/fixtures/sources: pages of
our writing in each registry site's markup, charset and date format): title exact-match and
date accuracy per language, against trafilatura's metadata (title, date) in the same run.
A date counts when it matches to the precision the page states (minute, or day); for
trafilatura, which gives days, to the day.

Run: python bench/extraction.py [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura  # noqa: E402

from bench.common import Timer, shared_dir  # noqa: E402
from spiders.charset import decode_html  # noqa: E402
from spiders.dates import utc_iso  # noqa: E402
from spiders.extract import extract  # noqa: E402
from spiders.sources import load_registry  # noqa: E402
from tests.source_fixtures import fixture_names, load_fixture  # noqa: E402

WORD = re.compile(r"\w+")


def shingles(text: str | None, size: int = 4) -> Counter:
    words = WORD.findall(text or "")
    if len(words) < size:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def score(predictions: list[str | None], truths: list[str]) -> dict:
    precisions, recalls = [], []
    for predicted, truth in zip(predictions, truths, strict=True):
        p, t = shingles(predicted), shingles(truth)
        tp = sum((p & t).values())
        if p:
            precisions.append(tp / sum(p.values()))
        if t:
            recalls.append(tp / sum(t.values()))
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def run(name: str, fn: Callable[[str, str], str | None], pages: list[tuple]) -> dict:
    fn(pages[0][1], pages[0][0])  # warm-up: imports, caches
    with Timer() as timer:
        predictions = [fn(html, url) for url, html, _ in pages]
    result = score(predictions, [truth for _, _, truth in pages])
    result.update(name=name, pages_per_s=len(pages) / timer.seconds)
    return result


def ours(html: str, url: str) -> str | None:
    return extract(html, url).text


def baseline(html: str, url: str) -> str | None:
    return trafilatura.extract(html, include_comments=False)


def fixture_pages() -> list[tuple]:
    """(lang, source, article, page bytes) for every fixture article of a shipped source."""
    registry = load_registry()
    pages = []
    for name in fixture_names():
        if name not in registry.sources:
            continue
        source = registry.get(name)
        for article in load_fixture(name).articles:
            pages.append((source.lang, source, article, article.path.read_bytes()))
    return pages


def _fetched(article) -> datetime | None:
    return (
        datetime.fromisoformat(article.fetched.replace("Z", "+00:00")) if article.fetched else None
    )


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset=([\w.:-]+)", content_type)
    return match.group(1) if match else None


def titles_and_dates(pages: list[tuple]) -> None:
    results: dict[str, dict[str, Counter]] = {"ours": {}, "trafilatura": {}}
    seconds = {"ours": 0.0, "trafilatura": 0.0}
    misses = []
    for lang, source, article, body in pages:
        charset = _charset(article.content_type)
        with Timer() as t:
            page = extract(body, article.url, http_charset=charset, tz=source.timezone,
                           hints=source.hints, now=_fetched(article))  # fmt: skip
        seconds["ours"] += t.seconds
        text, _ = decode_html(body, charset)
        with Timer() as t:
            doc = trafilatura.bare_extraction(text, url=article.url, with_metadata=True)
        seconds["trafilatura"] += t.seconds
        day = article.published[:10]
        their_date = (getattr(doc, "date", None) or "")[:10]
        found = {
            "ours": (
                page.title,
                article.published_matches(utc_iso(page.published), source.timezone),
            ),
            "trafilatura": (getattr(doc, "title", None), their_date == day),
        }
        for who, (title, date_ok) in found.items():
            counts = results[who].setdefault(lang, Counter())
            counts["pages"] += 1
            counts["title"] += title == article.title
            counts["date"] += date_ok
        if page.title != article.title or not found["ours"][1]:
            misses.append(f"  {source.name}/{article.path.name}: title {page.title!r}, "
                          f"date {utc_iso(page.published)} (want {article.published})")  # fmt: skip
    print(f"\nTitles and dates on our fixture pages ({len(pages)} pages)")
    for who in ("trafilatura", "ours"):
        total = Counter()
        for lang in sorted(results[who]):
            counts = results[who][lang]
            total.update(counts)
            n = counts["pages"]
            print(f"  {who:12} {lang}: {n:3} pages  title exact "
                  f"{counts['title'] / n:.1%}  date {counts['date'] / n:.1%}")  # fmt: skip
        print(f"  {who:12} all: {total['pages']:3} pages  title exact "
              f"{total['title'] / total['pages']:.1%}  date {total['date'] / total['pages']:.1%}  "
              f"{total['pages'] / seconds[who]:.1f} pages/s")  # fmt: skip
    if misses:
        print("  ours missed:")
        print("\n".join(misses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--fixtures-only", action="store_true", help="only part 2")
    args = parser.parse_args()
    if args.fixtures_only:
        titles_and_dates(fixture_pages())
        return
    data = shared_dir() / "bench" / "extraction"
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [
        (
            item.get("url") or "",
            gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8"),
            item.get("articleBody") or "",
        )
        for pid, item in sorted(truth.items())
    ][: args.limit]
    rows = [
        run("trafilatura.extract (baseline)", baseline, pages),
        run("spiders.extract", ours, pages),
    ]
    for row in rows:
        print(
            f"{row['name']:32} P {row['precision']:.3f}  R {row['recall']:.3f}  "
            f"F1 {row['f1']:.3f}  {row['pages_per_s']:.1f} pages/s"
        )
    base, mine = rows
    print(
        f"ratio ours/baseline: F1 {mine['f1'] / base['f1']:.3f}, "
        f"speed {mine['pages_per_s'] / base['pages_per_s']:.2f}x  ({len(pages)} pages)"
    )
    titles_and_dates(fixture_pages())


if __name__ == "__main__":
    main()
