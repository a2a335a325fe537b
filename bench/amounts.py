"""Money and record-count parsing against bench/data/amounts.jsonl (316 hand-labelled cases).

A case is exact when the parser returns every money amount (value, currency, kind, range top)
and every count (value, unit) of the text, in order, and nothing else. Baseline in the same
run: price-parser-style reading that takes the first number and a currency symbol next to it,
with no language rules (here: nlp.amounts with every text read as English, which shows what
the per-language separator rules are worth).

Run: python bench/amounts.py [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer  # noqa: E402
from nlp.amounts import find_money  # noqa: E402
from nlp.counts import find_counts  # noqa: E402

TABLE = Path(__file__).resolve().parent / "data" / "amounts.jsonl"


def parsed(text: str, lang: str) -> tuple[list[dict], list[dict]]:
    money = [m.as_dict() for m in find_money(text, lang)]
    counts = [c.as_dict() for c in find_counts(text, lang)]
    return money, counts


def same(got: list[dict], want: list[dict]) -> bool:
    return len(got) == len(want) and all(_same_item(g, w) for g, w in zip(got, want, strict=True))


def _same_item(got: dict, want: dict) -> bool:
    for key, value in want.items():
        if key == "high":
            if not got.get("high") or not _same_item(got["high"], value):
                return False
        elif isinstance(value, (int, float)):
            if abs(got.get(key, float("nan")) - value) > 1e-6 * max(1.0, abs(value)):
                return False
        elif got.get(key) != value:
            return False
    return True


def score(cases: list[dict], as_lang=None, show=False) -> tuple[float, Counter]:
    exact, by_lang = 0, Counter()
    for case in cases:
        lang = as_lang or case["lang"]
        money, counts = parsed(case["text"], lang)
        ok = same(money, case["money"]) and same(counts, case["counts"])
        exact += ok
        by_lang[(case["lang"], ok)] += 1
        if show and not ok:
            print(f"\n{case['id']} [{case['lang']}] {case['text']}")
            print(f"  want money {case['money']} counts {case['counts']}")
            print(f"  got  money {money} counts {counts}")
    return exact / len(cases), by_lang


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    cases = [json.loads(line) for line in TABLE.read_text(encoding="utf-8").splitlines() if line]
    base, _ = score(cases, as_lang="en")
    with Timer() as t:
        rate, by_lang = score(cases, show=args.show_errors)
    print(
        f"{len(cases)} cases; exact: riskwatch {rate:.1%}, baseline (no language rules) {base:.1%}"
    )
    langs = sorted({lang for lang, _ in by_lang})
    print("  " + "  ".join(
        f"{lang} {by_lang[(lang, True)]}/{by_lang[(lang, True)] + by_lang[(lang, False)]}"
        for lang in langs
    ))  # fmt: skip
    print(f"  {len(cases) / t.seconds:.0f} cases/s")


if __name__ == "__main__":
    main()
