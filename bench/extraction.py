"""Extraction quality and speed: spiders.extract.extract against plain trafilatura.

Data: shared/bench/extraction (181 real pages with human ground truth). Metric as that
benchmark defines it: 4-token shingles, P and R averaged over pages, F1 = 2PR/(P+R).
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura  # noqa: E402

from bench.common import Timer, shared_dir  # noqa: E402
from spiders.extract import extract  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
