"""What `riskwatch events`, `event` and `companies` show: queries resolved, rows shaped."""

from __future__ import annotations

import json

from nlp.entities.registry import Registry, load_registry
from riskwatch.errors import InputError
from riskwatch.events_stage import company_registry
from riskwatch.output import money, table_text
from riskwatch.settings import Settings
from store import events as event_store

EVENT_COLUMNS = [
    "date", "type", "company", "regulator", "amount", "usd", "records", "articles", "sources",
    "languages", "first_source", "lead_h", "confirmed", "id",
]  # fmt: skip


def resolve(registry: Registry, query: str, what: str) -> str:
    """A registry id for a user's id, name or ticker; an unknown one names the nearest."""
    found = registry.resolve(query)
    if found:
        return found
    hint = registry.did_you_mean(query)
    raise InputError(f"unknown {what} {query!r}{hint}; `riskwatch companies` lists them")


def company_names(settings: Settings, query: str) -> list[str]:
    """Every name and ticker of a firm and of its units, for searching text."""
    registry = company_registry(settings)
    firm = resolve(registry, query, "company")
    names = []
    for member in sorted(registry.members(firm)):
        names += [*registry[member].all_names(), *registry[member].tickers]
    return list(dict.fromkeys(names))


def find_events(db, settings: Settings, *, company=None, regulator=None, **filters) -> list[dict]:
    if company:
        company = resolve(company_registry(settings), company, "company")
    if regulator:
        regulator = resolve(load_registry("regulator"), regulator, "regulator")
    return event_store.list_events(db, company=company, regulator=regulator, **filters)


def event_rows(rows: list[dict], fmt: str) -> tuple[list[dict], list[str]]:
    """Rows for people (short, formatted) or for scripts (every stored field)."""
    if fmt != "table":
        for row in rows:
            row["amounts"] = json.loads(row["amounts"] or "[]")
            row["languages"] = json.loads(row["languages"] or "[]")
        return rows, list(rows[0]) if rows else []
    shaped = []
    for row in rows:
        company = row["company_name"] or ""
        if row["unknown_company"]:
            company = f"{company or '?'} (not in registry)"
        amount = money(row["amount_value"], row["amount_currency"])
        if row["amounts_disagree"]:
            amount += " (sources differ)"
        shaped.append(
            {
                "date": row["action_date"],
                "type": row["type"],
                "company": company,
                "regulator": row["regulator"],
                "amount": amount,
                "usd": money(row["amount_usd"], "USD"),
                "records": money(row["records_value"], row["records_unit"]),
                "articles": row["n_articles"],
                "sources": row["n_sources"],
                "languages": ",".join(json.loads(row["languages"] or "[]")),
                "first_source": row["first_source"],
                "lead_h": row["lead_hours"],
                "confirmed": "regulator" if row["confirmed"] else "",
                "id": row["id"],
            }
        )
    return shaped, EVENT_COLUMNS


def event_detail(db, event_id: str, fmt: str) -> str:
    event = event_store.get_event(db, event_id)
    if event is None:
        raise InputError(f"no event {event_id!r}; `riskwatch events` lists them")
    if fmt != "table":
        event["amounts"] = json.loads(event["amounts"] or "[]")
        event["languages"] = json.loads(event["languages"] or "[]")
        return json.dumps(event, ensure_ascii=False, indent=None) + "\n"
    lines = [
        f"{event['id']}: {event['type']} - {event['company_name'] or '?'}"
        + (" (not in the company registry)" if event["unknown_company"] else ""),
        f"  action date  {event['action_date']} ({event['action_precision']})",
        f"  regulator    {event['regulator'] or '-'}"
        + ("  (confirmed by the regulator's own release)" if event["confirmed"] else ""),
    ]
    amounts = json.loads(event["amounts"] or "[]")
    for i, a in enumerate(amounts):
        label = "amount" if i == 0 else "also"
        usd = f" = {money(a['usd'], 'USD')}" if a.get("usd") else ""
        lines.append(
            f"  {label:<12} {money(a['value'], a['currency'])}{usd} ({a['articles']} art.)"
        )
    if event["records_value"]:
        lines.append(f"  records      {money(event['records_value'], event['records_unit'])}")
    lead = f", {event['lead_hours']} h ahead of the next" if event["lead_hours"] else ""
    lines.append(f"  first seen   {event['first_seen']} by {event['first_source']}{lead}")
    if event["follows"]:
        lines.append(f"  follows      {event['follows']}")
    if event["followed_by"]:
        lines.append(f"  followed by  {', '.join(event['followed_by'])}")
    lines.append(f"  evidence     {event['evidence']}")
    timeline = [
        {
            "published": a["published"],
            "source": a["source"],
            "lang": a["lang"],
            "title": a["title"],
            "amount": money(a["amount_value"], a["amount_currency"]),
            "note": "copy of " + a["duplicate_of"][:8] if a["duplicate_of"] else "",
            "url": a["url"],
        }
        for a in event["articles"]
    ]
    columns = ["published", "source", "lang", "title", "amount", "note", "url"]
    return "\n".join(lines) + "\n" + table_text(timeline, columns, title="Articles")


def company_rows(settings: Settings, query: str | None, fmt: str) -> tuple[list[dict], list[str]]:
    registry = company_registry(settings)
    found = registry.search(query) if query else list(registry.entities.values())
    rows = []
    for e in sorted(found, key=lambda e: e.id):
        parent = registry.parent(e.id)
        rows.append(
            {
                "id": e.id,
                "name": e.name,
                "country": e.country,
                "sector": e.kind,
                "tickers": ", ".join(e.tickers),
                "names": " / ".join(n for n in e.all_names() if n != e.name)[:120],
                "part_of": parent or "",
                "relations": [r.__dict__ for r in e.relations],
            }
        )
    columns = ["id", "name", "country", "sector", "tickers", "names", "part_of"]
    if fmt != "table":
        columns.append("relations")
    return rows, columns
