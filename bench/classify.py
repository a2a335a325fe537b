"""Classifier quality and speed: the rules tagger on the labelled dev split (nlp/data/*.jsonl),
per label and per language, its false-alarm rate on event-less items, and docs/s on short
items and on full demo articles. Baseline for every model that follows.

Run: python bench/classify.py [--model rules] [--split dev]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer  # noqa: E402
from nlp.classify import LABELS, classifier_text, load_classifier  # noqa: E402
from riskwatch.demo import demo_site_dir  # noqa: E402
from spiders.extract import extract  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "nlp" / "data"


def load_items(split: str) -> list[dict]:
    items = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if item.get("split") == split:
                    items.append(item)
    return items


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def scores(items: list[dict], predicted: list[set[str]]) -> dict:
    counts = {label: [0, 0, 0] for label in LABELS}
    for item, labels in zip(items, predicted, strict=True):
        gold = set(item["labels"])
        for label in LABELS:
            counts[label][0] += label in gold and label in labels
            counts[label][1] += label not in gold and label in labels
            counts[label][2] += label in gold and label not in labels
    per_label = {label: f1(*c) for label, c in counts.items()}
    none_items = [p for item, p in zip(items, predicted, strict=True) if not item["labels"]]
    return {
        "macro_f1": sum(per_label.values()) / len(LABELS),
        "per_label": per_label,
        "false_alarm": sum(bool(p) for p in none_items) / len(none_items) if none_items else 0.0,
        "n": len(items),
    }


def demo_texts() -> list[str]:
    texts = []
    for page in sorted(demo_site_dir().glob("*/*.html")):
        if page.name.startswith("index"):
            continue
        doc = extract(page.read_bytes(), f"http://127.0.0.1/{page.name}")
        texts.append(classifier_text(doc.title, doc.text))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="rules")
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()
    classifier = load_classifier(args.model)
    items = load_items(args.split)
    texts = [classifier_text(i["title"], i["text"]) for i in items]
    with Timer() as short:
        predicted = [{t.type for t in tags} for tags in classifier.classify(texts)]
    overall = scores(items, predicted)
    print(
        f"{classifier.name} {classifier.version} on {args.split}: {overall['n']} items, "
        f"macro-F1 {overall['macro_f1']:.3f}, false alarms {overall['false_alarm']:.1%}"
    )
    print("  per label: " + ", ".join(f"{k} {v:.3f}" for k, v in overall["per_label"].items()))
    by_lang = defaultdict(list)
    for item, labels in zip(items, predicted, strict=True):
        by_lang[item["lang"]].append((item, labels))
    for lang, pairs in sorted(by_lang.items()):
        s = scores([p[0] for p in pairs], [p[1] for p in pairs])
        alarms = f"false alarms {s['false_alarm']:.1%}"
        print(f"  {lang:8} n={s['n']:4}  macro-F1 {s['macro_f1']:.3f}  {alarms}")
    articles = demo_texts()
    with Timer() as long:
        classifier.classify(articles)
    print(
        f"speed: {len(texts) / short.seconds:.0f} short items/s; "
        f"{len(articles) / long.seconds:.0f} full articles/s ({len(articles)} demo articles, "
        f"{sum(map(len, articles)) / len(articles):.0f} chars avg)"
    )


if __name__ == "__main__":
    main()
