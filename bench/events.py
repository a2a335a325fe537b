"""Event clustering: B-cubed precision, recall and F1 on bench/data/event_clusters.jsonl.

154 articles of our own (en, zh, fr, de, ja, ko; 13 syndicated copies, 14 distractors)
reporting 42 real events: the same action told by 3-8 outlets in 2-3 languages, two fines on
one firm months apart, one regulator fining several firms on one day, past events recalled
in later stories, misreported amounts, appeals and terminations that follow earlier events.

The articles go into a real database file with their gold event types as tags (so the figure
measures grouping, not tagging); the evidence sentence for each tag is the default classifier's
when it fires for that type, else the headline. Items are (article, gold event) pairs; an item
is compared with the fact the stage made for that event's firm in that article (the one whose
event is nearest in date, within 45 days), and stands alone when there is none. Three
runs in the same process: the event stage with multilingual embeddings, without them, and a
baseline that groups by registry firm and type within 10 days of publication.

Run: python bench/events.py [--no-model] [--show]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import store  # noqa: E402
from bench.common import Timer  # noqa: E402
from nlp.classify import EventTag, classifier_text  # noqa: E402
from nlp.entities.matcher import EntityMatcher  # noqa: E402
from nlp.entities.registry import load_registry  # noqa: E402
from nlp.events.run import build_events  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "event_clusters.jsonl"
# The firm of each gold event (a registry id, or "?" for a firm the registry lacks), so that an
# article reporting two actions of one type (the CNIL fining Google and Amazon) is scored per
# firm: a gold item is compared with the fact the event stage made for that firm.
GOLD_FIRMS = {
    "E01": "alibaba", "E02": "alibaba", "E03": "china-literature", "E04": "hive-box",
    "E05": "alibaba", "E06": "tencent", "E07": "ant-group", "E08": "ant-group",
    "E09": "tenpay", "E10": "meituan", "E11": "didi", "E12": "meta", "E13": "meta",
    "E14": "meta", "E15": "linkedin", "E16": "linkedin", "E17": "alibaba", "E18": "weibo",
    "E19": "google", "E20": "amazon", "E21": "google", "E22": "google", "E23": "google",
    "E24": "meta", "E25": "?", "E26": "apple", "E27": "tech-data", "E28": "ingram-micro",
    "E29": "apple", "E30": "google", "E31": "apple", "E32": "wework", "E33": "wework",
    "E34": "?", "E35": "?", "E36": "tiktok", "E37": "google", "E38": "meta",
    "E39": "line-yahoo", "E40": "samsung-electronics", "E41": "cnki", "E42": "cnki",
}  # fmt: skip


def load_articles() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]


def evidence_by_model(articles: list[dict]):
    """Per (article id, type): the default classifier's evidence, when it fires for it."""
    from nlp.head_classifier import HeadClassifier

    classifier = HeadClassifier()
    texts = [classifier_text(a["title"], a["body"]) for a in articles]
    found = {}
    for article, tags in zip(articles, classifier.classify(texts), strict=True):
        for tag in tags:
            found[(article["id"], tag.type)] = tag.evidence
    return found, classifier.encoder.embed


def fill(db, articles: list[dict], evidence: dict) -> None:
    kinds = {(a["source"], a["source_kind"]) for a in articles}
    store.sync_sources(db, [{"name": s, "lang": None, "kind": k} for s, k in kinds])
    for a in articles:
        store.save_article(
            db,
            {
                "id": a["id"],
                "url": a["url"],
                "source": a["source"],
                "lang": a["lang"],
                "title": a["title"],
                "body": a["body"],
                "published": a["published"],
            },
        )
        types = sorted({e["type"] for e in a["events"]})
        tags = [EventTag(t, 0.9, evidence.get((a["id"], t)) or a["title"]) for t in types]
        store.save_tags(db, a["id"], tags, "gold", "bench")


def predicted_clusters(db) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    """(article id, type, firm key) -> [(event's action date, event id)] of its facts."""
    clusters: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
    rows = db.query(
        "SELECT f.article_id, f.type, f.firm_key, e.action_date, f.event_id "
        "FROM article_facts f JOIN events e ON e.id = f.event_id ORDER BY f.rowid"
    )
    for row in rows:
        fact = (row["action_date"], row["event_id"])
        clusters[(row["article_id"], row["type"], row["firm_key"])].append(fact)
    return dict(clusters)


def baseline_clusters(articles: list[dict]) -> dict[tuple[str, str], str]:
    """Same registry firm (title first, then body) and type, published within 10 days."""
    companies = load_registry("company")
    matcher = EntityMatcher(companies)
    open_events: dict[tuple[str, str], list[tuple[date, str]]] = defaultdict(list)
    clusters = {}
    for a in sorted(articles, key=lambda a: a["published"]):
        day = date.fromisoformat(a["published"][:10])
        mentions = matcher.find(a["title"]) or matcher.find(a["body"])
        firm = companies.top(mentions[0].entity) if mentions else "?"
        for t in sorted({e["type"] for e in a["events"]}):
            events = open_events[(firm, t)]
            match = next((eid for d, eid in events if abs((day - d).days) <= 10), None)
            if match is None:
                match = f"{firm}:{t}:{a['id']}"
                events.append((day, match))
            clusters[(a["id"], t, firm)] = [(a["published"][:10], match)]
    return clusters


def _aligned(clusters, keys, starts, article, event) -> str:
    """The article's fact for this gold event: its firm's, whose event is nearest in date to
    the gold event; with none for that firm within ALIGN_DAYS, the item stands alone."""
    aid, t = article["id"], event["type"]
    start = starts[event["event"]]
    facts = [
        (abs((date.fromisoformat(day[:10]) - start).days), event_id)
        for day, event_id in clusters.get((aid, t, keys[event["event"]]), [])
    ]
    near = [f for f in facts if f[0] <= ALIGN_DAYS]
    return min(near)[1] if near else f"missing:{aid}:{event['event']}"


ALIGN_DAYS = 45  # an event dated further from the gold event's first report is another one


def _event_starts(articles) -> dict[str, date]:
    starts = {}
    for a in articles:
        day = date.fromisoformat(a["published"][:10])
        for e in a["events"]:
            starts[e["event"]] = min(starts.get(e["event"], day), day)
    return starts


def bcubed(articles: list[dict], clusters: dict) -> tuple[float, float, float]:
    keys, starts = _gold_keys(), _event_starts(articles)
    gold, pred = {}, {}
    for a in articles:
        for e in a["events"]:
            gold[(a["id"], e["event"])] = e["event"]
            pred[(a["id"], e["event"])] = _aligned(clusters, keys, starts, a, e)
    by_gold, by_pred = defaultdict(set), defaultdict(set)
    for item in gold:
        by_gold[gold[item]].add(item)
        by_pred[pred[item]].add(item)
    precision = recall = 0.0
    for item in gold:
        same = by_gold[gold[item]] & by_pred[pred[item]]
        precision += len(same) / len(by_pred[pred[item]])
        recall += len(same) / len(by_gold[gold[item]])
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def _gold_keys() -> dict[str, str]:
    companies = load_registry("company")
    return {ev: companies.top(f) if f != "?" else "?" for ev, f in GOLD_FIRMS.items()}


def run_stage(articles, evidence, embed) -> tuple[dict, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = store.open_db(Path(tmp) / "bench-events.db")
        fill(db, articles, evidence)
        with Timer() as t:
            build_events(db, embed=embed)
        clusters = predicted_clusters(db)
        db.close()
    return clusters, t.seconds


def show_errors(articles, clusters) -> None:
    keys, starts = _gold_keys(), _event_starts(articles)
    by_pred = defaultdict(list)
    for a in articles:
        for e in a["events"]:
            by_pred[_aligned(clusters, keys, starts, a, e)].append(f"{a['id']}:{e['event']}")
    for event_id, members in sorted(by_pred.items(), key=lambda kv: str(kv[0])):
        golds = {m.split(":")[1] for m in members}
        if len(golds) > 1:
            print(f"  mixed {event_id}: {' '.join(members)}")
    by_gold = defaultdict(set)
    for a in articles:
        for e in a["events"]:
            by_gold[e["event"]].add(_aligned(clusters, keys, starts, a, e))
    for ev, preds in sorted(by_gold.items()):
        if len(preds) > 1:
            print(f"  split {ev}: {len(preds)} predicted events")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--no-model", action="store_true", help="headlines as evidence, no embeddings"
    )
    parser.add_argument("--show", action="store_true", help="list mixed and split events")
    args = parser.parse_args()
    articles = load_articles()
    n_events = len({e["event"] for a in articles for e in a["events"]})
    print(f"{len(articles)} articles, {n_events} events")
    evidence, embed = ({}, None) if args.no_model else evidence_by_model(articles)
    runs = {"baseline (firm+type+10 days)": (baseline_clusters(articles), None)}
    runs["riskwatch, no embeddings"] = run_stage(articles, evidence, None)
    if embed is not None:
        runs["riskwatch + embeddings"] = run_stage(articles, evidence, embed)
    base_f1 = None
    for name, (clusters, seconds) in runs.items():
        p, r, f1 = bcubed(articles, clusters)
        base_f1 = base_f1 or f1
        timing = f"  {len(articles) / seconds:.0f} articles/s" if seconds else ""
        print(f"{name:<30} B-cubed P {p:.3f} R {r:.3f} F1 {f1:.3f}  ({f1 / base_f1:.2f}x){timing}")
        if args.show and seconds:
            show_errors(articles, clusters)


if __name__ == "__main__":
    main()
