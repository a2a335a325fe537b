"""Company matching: precision and recall on bench/data/company_mentions.jsonl.

277 sentences of our own (zh, en, fr, a few ja/ko/de), each labelled with the registry ids of
the firms it truly names; about half are hard cases (Apple the fruit, l'Amazonie, 小米粥,
北京东路, tickers, stock-short names, firms in passing, unknown firms). Baseline in the same run:
the same registry matched as plain case-insensitive substrings (no word boundaries, no
context, no blockers), which is what a naive alias list does.

A second set, company_mentions_heldout.jsonl (260 sentences), was written later by someone
who saw neither the first set nor the matcher's code: the first set was used while building
the matcher (its generic corporate context words came from its misses), the second was not.

Run: python bench/companies.py [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer  # noqa: E402
from nlp.entities.matcher import EntityMatcher  # noqa: E402
from nlp.entities.registry import load_registry  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "company_mentions.jsonl"
HELDOUT = Path(__file__).resolve().parent / "data" / "company_mentions_heldout.jsonl"


def naive(registry):
    names = [(name.casefold(), e.id) for e in registry.entities.values() for name in e.all_names()]

    def find(text: str) -> set[str]:
        low = text.casefold()
        return {eid for name, eid in names if name in low}

    return find


def measure(find, cases, show=False) -> dict:
    tally = Counter()
    by_lang = {}
    for case in cases:
        got, want = set(find(case["text"])), set(case["companies"])
        tp, fp, fn = len(got & want), len(got - want), len(want - got)
        tally.update(tp=tp, fp=fp, fn=fn)
        lang = by_lang.setdefault(case["lang"], Counter())
        lang.update(tp=tp, fp=fp, fn=fn)
        if show and (fp or fn):
            print(f"{case['id']}: {case['text']}\n   want {sorted(want)} got {sorted(got)}")
    return {"all": _pr(tally), **{k: _pr(v) for k, v in sorted(by_lang.items())}}


def _pr(t: Counter) -> tuple[float, float]:
    precision = t["tp"] / max(1, t["tp"] + t["fp"])
    recall = t["tp"] / max(1, t["tp"] + t["fn"])
    return precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    registry = load_registry("company")
    matcher = EntityMatcher(registry)
    print(f"{len(registry)} firms in the registry")
    for path in (DATA, HELDOUT):
        cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        with Timer() as t:
            ours = measure(lambda s: {m.entity for m in matcher.find(s)}, cases, args.show_errors)
        base = measure(naive(registry), cases)
        print(f"\n== {path.name}: {len(cases)} sentences, {len(cases) / t.seconds:.0f}/s")
        for name, result in (("riskwatch", ours), ("naive substrings", base)):
            figures = "  ".join(f"{k} P {p:.3f} R {r:.3f}" for k, (p, r) in result.items())
            print(f"{name:<17} {figures}")


if __name__ == "__main__":
    main()
