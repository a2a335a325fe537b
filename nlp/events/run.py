"""The event stage: turn new tags into facts and facts into events (`python -m nlp.events.run`).

Reads tags the stage has not seen (or saw from an older tagging), in order of publication, so a
re-run continues where a killed one stopped: each article's facts, the events they start and
the events' summaries commit together per article.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

import store
from nlp.dedupe import signature
from nlp.entities.registry import Registry, load_registry
from nlp.events.cluster import WINDOW_DAYS, Assignment, EventState, assign
from nlp.events.facts import Fact, FactExtractor
from riskwatch.errors import RiskwatchError
from store import events as event_store

log = logging.getLogger(__name__)
Embedder = Callable[[list[str]], np.ndarray]


@dataclass
class EventStats:
    articles: int = 0
    facts: int = 0
    new_events: int = 0


def load_embedder(say: Callable[[str], None] = log.info) -> Embedder | None:
    """The default model's sentence embeddings, or None (and say why) when it cannot load."""
    try:
        from nlp.e5.cache import ensure_model
        from nlp.e5.encoder import Encoder

        encoder = Encoder(ensure_model(say))
    except ImportError as err:
        say(f"events: clustering without embeddings ({err.name} is not installed)")
        return None
    return encoder.embed


def build_events(
    db,
    companies: Registry | None = None,
    regulators: Registry | None = None,
    embed: Embedder | None = None,
    batch: int = 200,
    on_article: Callable[[], None] | None = None,
) -> EventStats:
    """Process every pending tag; returns counts of what was done."""
    companies = companies or load_registry("company")
    regulators = regulators or load_registry("regulator")
    extractor = FactExtractor(companies, regulators)
    stats = EventStats()
    for event_id in event_store.drop_stale_facts(db):
        _refresh(db, event_id, companies)
    while rows := event_store.pending_tags(db, batch):
        for row in rows:
            stats.facts += _process(db, row, extractor, companies, embed, stats)
            stats.articles += 1
            if on_article:
                on_article()
    log.info(
        "events: %d tags read, %d facts, %d new events",
        stats.articles,
        stats.facts,
        stats.new_events,
    )
    return stats


def _process(db, row: dict, extractor: FactExtractor, companies, embed, stats) -> int:
    facts = extractor.facts(row, row)
    text = f"{row['title'] or ''}\n{row['body'] or ''}"
    sig = signature(text)
    vector = None
    if embed is not None:
        vector = np.asarray(embed([f"{row['title'] or ''}\n{facts[0].evidence}"])[0], np.float32)
    rows, new_events, touched = [], [], set()
    for fact in facts:
        candidates = _candidates(db, fact)
        # facts of this same article already assigned (multi-firm) are not yet stored
        assignment = assign(fact, sig, vector, candidates, _history(db, fact))
        if assignment is None:
            continue  # an undated mention of an action riskwatch has no event for
        rows.append(_fact_row(fact, assignment, row["tagged_at"], sig, vector))
        if assignment.new and assignment.event_id not in {e["id"] for e in new_events}:
            new_events.append(_event_row(fact, assignment))
            stats.new_events += 1
        touched.add(assignment.event_id)
    event_store.save_facts(db, rows, new_events)
    for event_id in touched:
        _refresh(db, event_id, companies)
    return len(rows)


def _window(fact: Fact) -> tuple[str, str]:
    action = fact.action
    if action.precision == "year":
        return f"{action.day.year}-01-01", f"{action.day.year}-12-31"
    span = timedelta(days=WINDOW_DAYS)
    since, until = action.day - span, action.day + span
    if action.precision == "month":  # "in January 2019": any day of that month
        until = action.day + timedelta(days=31) + span
    # an event known only by its year (a past mention) starts on January 1st
    return min(since, date(since.year, 1, 1)).isoformat(), until.isoformat()


def _candidates(db, fact: Fact) -> list[EventState]:
    key = None if fact.key.startswith("?") else fact.key
    since, until = _window(fact)
    found = {e["id"]: e for e in event_store.event_states(db, fact.type, key, since, until)}
    if not fact.recalled and fact.action.precision in ("year", "month"):
        # the article's own news may carry an earlier date: events of its publication days too
        span = timedelta(days=WINDOW_DAYS)
        near = (fact.published - span).isoformat(), (fact.published + span).isoformat()
        for e in event_store.event_states(db, fact.type, key, *near):
            found.setdefault(e["id"], e)
    return [_state(e) for e in found.values()]


def _history(db, fact: Fact) -> list[EventState]:
    if fact.key.startswith("?"):
        return []
    before = fact.action.day.isoformat()
    return [_state(e) for e in event_store.event_history(db, fact.type, fact.key, before)]


def _state(event: dict) -> EventState:
    members = event.get("members", [])
    return EventState(
        id=event["id"],
        type=event["type"],
        key=event["firm_key"],
        day=date.fromisoformat(event["action_date"][:10]),
        precision=event["action_precision"] or "published",
        regulators={m["regulator"] for m in members if m["regulator"]},
        amounts_usd=[m["amount_usd"] for m in members if m["amount_usd"]],
        signatures={m["article_id"]: m["minhash"] for m in members if m["minhash"]},
        embeddings=[np.frombuffer(m["embedding"], np.float32) for m in members if m["embedding"]],
        names={n for m in members if m["name_tokens"] for n in json.loads(m["name_tokens"])},
    )


def _fact_row(fact: Fact, a: Assignment, tagged_at: str, sig: bytes, vector) -> dict:
    amount, records = fact.amount, fact.records
    return {
        "article_id": fact.article_id,
        "type": fact.type,
        "tagged_at": tagged_at,
        "company": fact.company,
        "firm_key": fact.key,
        "company_guess": fact.company_guess,
        "name_tokens": json.dumps(fact.names, ensure_ascii=False) if fact.names else None,
        "recalled": int(fact.recalled),
        "mentioned": json.dumps(fact.mentioned),
        "regulator": fact.regulator,
        "amount_value": amount.value if amount else None,
        "amount_currency": amount.currency if amount else None,
        "amount_kind": amount.kind if amount else None,
        "amount_usd": _round(fact.amount_usd),
        "amount_eur": _round(fact.amount_eur),
        "records_value": records.value if records else None,
        "records_unit": records.unit if records else None,
        "action_date": fact.action.day.isoformat(),
        "action_precision": fact.action.precision,
        "past_mention": int(fact.action.past),
        "evidence": fact.evidence,
        "score": fact.score,
        "event_id": a.event_id,
        "duplicate_of": a.duplicate_of,
        "minhash": sig,
        "embedding": None if vector is None else vector.astype(np.float32).tobytes(),
    }


def _event_row(fact: Fact, a: Assignment) -> dict:
    return {
        "id": a.event_id,
        "type": fact.type,
        "firm_key": fact.key,
        "company": fact.group,
        "action_date": fact.action.day.isoformat(),
        "action_precision": fact.action.precision,
        "follows": a.follows,
    }


def _refresh(db, event_id: str, companies: Registry) -> None:
    rows = list(
        db.query("SELECT DISTINCT company FROM article_facts WHERE event_id = ?", [event_id])
    )
    chain = sorted({c for r in rows if r["company"] for c in _ancestors(companies, r["company"])})
    group = next((companies.top(c) for c in chain if c in companies), None)
    name = companies[group].name if group in companies else None
    event_store.refresh_event(db, event_id, chain, name)


def _ancestors(registry: Registry, entity_id: str) -> Iterable[str]:
    yield entity_id
    seen = {entity_id}
    if entity_id not in registry:
        return
    while (up := registry.parent(entity_id)) and up not in seen:
        seen.add(up)
        yield up
        entity_id = up


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.events.run", description=__doc__)
    parser.add_argument("--db", default="riskwatch.db", help="database file")
    parser.add_argument(
        "--no-embeddings", action="store_true", help="cluster without the multilingual model"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        db = store.open_db(args.db)
        embed = None if args.no_embeddings else load_embedder()
        stats = build_events(db, embed=embed)
    except RiskwatchError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 2
    print(f"{stats.articles} tags read, {stats.facts} facts, {stats.new_events} new events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
