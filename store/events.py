"""Events and their facts: the reads and writes of the event stage and the `events` queries."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database

from store.db import utc_now, where_clauses, write_txn


def pending_tags(db: Database, limit: int = 500) -> list[dict]:
    """Tags the event stage has not read yet (or read from an older tagging), oldest first."""
    return list(
        db.query(
            """
            SELECT t.article_id, t.type, t.score, t.evidence, t.tagged_at,
                   a.id, a.title, a.body, a.lang, a.published, a.fetched_at, a.source, a.url
            FROM tags t JOIN articles a ON a.id = t.article_id
            WHERE NOT EXISTS (
              SELECT 1 FROM article_facts f
              WHERE f.article_id = t.article_id AND f.type = t.type AND f.tagged_at = t.tagged_at)
            ORDER BY coalesce(a.published, a.fetched_at), a.seq
            LIMIT ?
            """,
            [limit],
        )
    )


def drop_stale_facts(db: Database) -> set[str]:
    """Delete facts whose tag is gone or newer; return the events they belonged to."""
    stale = """
        FROM article_facts f WHERE NOT EXISTS (
          SELECT 1 FROM tags t
          WHERE t.article_id = f.article_id AND t.type = f.type AND t.tagged_at = f.tagged_at)
    """
    with write_txn(db):
        events = {r[0] for r in db.execute(f"SELECT DISTINCT f.event_id {stale}") if r[0]}
        db.execute(f"DELETE FROM article_facts WHERE rowid IN (SELECT f.rowid {stale})")
    return events


def event_states(
    db: Database, event_type: str, firm_key: str | None, since: str, until: str
) -> list[dict]:
    """Events of a type (and firm key, or every unknown firm when None) whose action date lies
    in [since, until], each with its members' signatures and embeddings."""
    clauses, params = where_clauses(
        ("type = ?", event_type),
        ("firm_key = ?", firm_key),
        ("action_date >= ?", since),
        ("action_date <= ?", until),
    )
    if firm_key is None:
        clauses.append("firm_key LIKE '?%'")
    events = list(
        db.query(
            "SELECT id, type, firm_key, action_date, action_precision FROM events "
            f"WHERE {' AND '.join(clauses)}",
            params,
        )
    )
    for event in events:
        members = list(
            db.query(
                "SELECT article_id, regulator, amount_usd, minhash, embedding, name_tokens "
                "FROM article_facts WHERE event_id = ?",
                [event["id"]],
            )
        )
        event["members"] = members
    return events


def save_facts(db: Database, rows: Iterable[dict], new_events: Iterable[dict]) -> None:
    """Store one article's facts and any events they start, in one transaction."""
    now = utc_now()
    with write_txn(db):
        for event in new_events:
            db["events"].insert({**event, "created_at": now, "updated_at": now}, pk="id")
        for row in rows:
            db["article_facts"].upsert(row, pk=("article_id", "type", "firm_key", "recalled"))


def refresh_event(
    db: Database, event_id: str, company_chain: list[str], company_name: str | None
) -> None:
    """Recompute an event's summary from its facts; delete it when no fact is left.

    company_chain: the event's firm and the groups above it (for --company filters).
    """
    facts = list(
        db.query(
            """
            SELECT f.*, a.title, a.published, a.fetched_at, a.source, a.lang, a.url,
                   s.kind AS source_kind
            FROM article_facts f JOIN articles a ON a.id = f.article_id
            LEFT JOIN sources s ON s.name = a.source
            WHERE f.event_id = ?
            ORDER BY coalesce(a.published, a.fetched_at), a.seq
            """,
            [event_id],
        )
    )
    with write_txn(db):
        if not facts:
            db.execute("DELETE FROM events WHERE id = ?", [event_id])
            db.execute("DELETE FROM event_companies WHERE event_id = ?", [event_id])
            return
        db["events"].update(event_id, _summary(facts, company_name))
        db.execute("DELETE FROM event_companies WHERE event_id = ?", [event_id])
        firms = {f["company"] for f in facts if f["company"]} | set(company_chain)
        db["event_companies"].insert_all(
            [{"event_id": event_id, "company": c} for c in sorted(firms)], ignore=True
        )


def _summary(facts: list[dict], company_name: str | None) -> dict:
    news = [f for f in facts if not f["recalled"]] or facts
    first = facts[0]
    seen = [(f["published"] or f["fetched_at"], f["source"]) for f in facts]
    first_by_source: dict[str, str] = {}
    for stamp, source in seen:
        first_by_source.setdefault(source, stamp)
    stamps = sorted(first_by_source.values())
    lead = _hours(stamps[0], stamps[1]) if len(stamps) > 1 else None
    # the most precise date any article gives; "published" (no date in the text) beats a bare
    # month or year, which more often qualify something else
    for precision in ("day", "published", "month", "year"):
        dated = [f for f in news if f["action_precision"] == precision]
        if dated:
            break
    action = min(dated or news, key=lambda f: f["action_date"] or "9999")
    amounts = _amounts(news)
    main_amount = amounts[0] if amounts else {}
    records = max(
        (f for f in facts if f["records_value"]), key=lambda f: f["records_value"], default={}
    )
    regulators = Counter(f["regulator"] for f in facts if f["regulator"])
    best = max(facts, key=lambda f: f["score"] or 0)
    return {
        "company_name": company_name
        or next((f["company_guess"] for f in facts if f["company_guess"]), None),
        "unknown_company": int(first["company"] is None),
        "regulator": regulators.most_common(1)[0][0] if regulators else None,
        "action_date": action["action_date"],
        "action_precision": action["action_precision"],
        "amount_value": main_amount.get("value"),
        "amount_currency": main_amount.get("currency"),
        "amount_usd": main_amount.get("usd"),
        "amount_eur": main_amount.get("eur"),
        "amounts": json.dumps(amounts, ensure_ascii=False),
        "amounts_disagree": int(len(amounts) > 1),
        "records_value": records.get("records_value"),
        "records_unit": records.get("records_unit"),
        # an event known only from later stories that recall it is described by that sentence
        "title": news[0]["title"] if not news[0]["recalled"] else best["evidence"],
        "evidence": best["evidence"],
        "first_seen": first["published"] or first["fetched_at"],
        "first_source": first["source"],
        "first_article": first["article_id"],
        "lead_hours": lead,
        "languages": json.dumps(sorted({f["lang"] for f in facts if f["lang"]})),
        "n_articles": len({f["article_id"] for f in facts}),
        "n_sources": len(first_by_source),
        "confirmed": int(any(f["source_kind"] == "regulator" for f in facts)),
        "updated_at": utc_now(),
    }


def _amounts(facts: list[dict]) -> list[dict]:
    """Distinct amounts (within 5% in USD they are one), most reported first."""
    groups: list[dict] = []
    for f in facts:
        if f["amount_value"] is None:
            continue
        usd = f["amount_usd"]
        for g in groups:
            if usd and g["usd"] and abs(usd - g["usd"]) <= 0.05 * max(usd, g["usd"]):
                g["articles"] += 1
                break
        else:
            groups.append(
                {
                    "value": f["amount_value"],
                    "currency": f["amount_currency"],
                    "usd": usd,
                    "eur": f["amount_eur"],
                    "articles": 1,
                }
            )
    return sorted(groups, key=lambda g: -g["articles"])


def _hours(a: str, b: str) -> float | None:
    try:
        start = datetime.fromisoformat(a.replace("Z", "+00:00"))
        end = datetime.fromisoformat(b.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    if (start.tzinfo is None) != (end.tzinfo is None):
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return round((end - start).total_seconds() / 3600, 2)


def list_events(
    db: Database,
    *,
    company: str | None = None,
    event_type: str | None = None,
    regulator: str | None = None,
    lang: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = 200,
) -> list[dict]:
    """Events, newest action first; `company` covers its units (event_companies)."""
    clauses, params = where_clauses(
        ("e.type = ?", event_type),
        ("e.regulator = ?", regulator),
        ("e.action_date >= ?", since),
        ("e.action_date < ?", until),
        ("e.languages LIKE ?", f'%"{lang}"%' if lang else None),
        ("e.id IN (SELECT event_id FROM event_companies WHERE company = ?)", company),
    )
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"SELECT e.* FROM events e {where} ORDER BY e.action_date DESC, e.first_seen DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return list(db.query(sql, params))


def get_event(db: Database, event_id: str) -> dict | None:
    """One event with its articles as a timeline (earliest first)."""
    rows = list(db.query("SELECT * FROM events WHERE id = ?", [event_id]))
    if not rows:
        return None
    event = rows[0]
    event["articles"] = list(
        db.query(
            """
            SELECT coalesce(a.published, a.fetched_at) AS published, a.source, a.lang, a.title,
                   a.url, a.id AS article_id, f.amount_value, f.amount_currency, f.amount_usd,
                   f.records_value, f.records_unit, f.regulator, f.evidence, f.duplicate_of,
                   f.past_mention, f.score
            FROM article_facts f JOIN articles a ON a.id = f.article_id
            WHERE f.event_id = ?
            ORDER BY coalesce(a.published, a.fetched_at), a.seq
            """,
            [event_id],
        )
    )
    event["followed_by"] = [
        r["id"] for r in db.query("SELECT id FROM events WHERE follows = ?", [event_id])
    ]
    return event


def event_history(db: Database, event_type: str, firm_key: str, before: str) -> list[dict]:
    """Earlier events of one firm and type (for linking updates), latest first."""
    return list(
        db.query(
            "SELECT id, type, firm_key, action_date, action_precision FROM events "
            "WHERE type = ? AND firm_key = ? AND action_date < ? "
            "ORDER BY action_date DESC LIMIT 20",
            [event_type, firm_key, before],
        )
    )


def events_timeline(
    db: Database,
    *,
    company: str | None = None,
    event_type: str | None = None,
    regulator: str | None = None,
    since: str | None = None,
    until: str | None = None,
    by: str = "month",
) -> list[dict]:
    """Events per period (month or year) and type: counts and summed amounts in USD and EUR."""
    if by not in ("month", "year"):
        raise ValueError(f"by must be month or year, not {by!r}")
    width = 7 if by == "month" else 4
    clauses, params = where_clauses(
        ("e.type = ?", event_type),
        ("e.regulator = ?", regulator),
        ("e.action_date >= ?", since),
        ("e.action_date < ?", until),
        ("e.id IN (SELECT event_id FROM event_companies WHERE company = ?)", company),
    )
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return list(
        db.query(
            f"SELECT substr(e.action_date, 1, {width}) AS period, e.type, count(*) AS events, "
            "round(sum(e.amount_usd), 2) AS amount_usd, round(sum(e.amount_eur), 2) AS amount_eur,"
            " sum(e.n_articles) AS articles "
            f"FROM events e {where} GROUP BY period, e.type ORDER BY period, e.type",
            params,
        )
    )
