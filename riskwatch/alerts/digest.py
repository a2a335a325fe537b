"""A watchlist's daily digest: the day's new events as text and HTML, with a 12-month timeline PNG.

Also the watchlist filter (`WatchFilter`) the digest and the alert outbox share, and the query
that gives event rows the two fields it needs beyond the events table: every firm the event
is about (`event_companies`) and its best article score (`article_facts`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path

from sqlite_utils import Database

import store
from riskwatch.alerts.message import (
    Alert,
    amount_text,
    firm,
    plural,
    terminal_line,
    type_label,
    when_text,
)

_SCORE_SQL = (
    "SELECT event_id, max(score) AS score FROM article_facts "
    "WHERE event_id IN ({}) GROUP BY event_id"
)
_FIRMS_SQL = "SELECT event_id, company FROM event_companies WHERE event_id IN ({})"


@dataclass(frozen=True)
class WatchFilter:
    """What a watchlist watches; an empty set (or min_score 0) lets everything through.

    companies: registry ids, already resolved (aliases and units included by the caller).
    """

    companies: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    min_score: float = 0.0
    languages: frozenset[str] = frozenset()
    name: str = "watchlist"

    def __post_init__(self) -> None:
        for attr in ("companies", "types", "languages"):
            object.__setattr__(self, attr, frozenset(getattr(self, attr)))

    def matches(self, event_row: dict) -> bool:
        """True when the event passes every part of the filter.

        event_row: an events row; `companies` (every firm, see with_match_fields) and
        `max_score` are read when present, else the event's own firm and no score.
        """
        if self.types and event_row.get("type") not in self.types:
            return False
        if self.companies:
            firms = set(event_row.get("companies") or ()) | {event_row.get("company")}
            if not firms & self.companies:
                return False
        if self.languages and not set(_languages(event_row)) & self.languages:
            return False
        return not self.min_score or (event_row.get("max_score") or 0.0) >= self.min_score


def filter_for(watchlist) -> WatchFilter:
    """The filter of a `riskwatch.watchlists.Watchlist` (or anything with its attributes)."""
    return WatchFilter(
        companies=watchlist.companies,
        types=watchlist.types,
        min_score=watchlist.min_score,
        languages=watchlist.languages,
        name=watchlist.name,
    )


@dataclass
class Digest:
    """One watchlist's day: its events, the text and HTML summaries, and the files written."""

    watchlist: str
    day: date
    events: list[dict]
    text: str
    html: str
    png: Path | None
    files: list[Path] = field(default_factory=list)

    @property
    def subject(self) -> str:
        count = plural(len(self.events), "new event")
        return f"[riskwatch] {self.watchlist} digest {self.day}: {count}"

    def email_html(self, image_cid: str) -> str:
        """The HTML with the timeline referenced as an inline attachment (cid:)."""
        return _html(self, f"cid:{image_cid}" if self.png else None)


def with_match_fields(db: Database, rows: list[dict]) -> list[dict]:
    """The rows with `companies` (every firm of the event) and `max_score` added, in place."""
    ids = [r["id"] for r in rows]
    scores: dict[str, float] = {}
    firms: dict[str, set[str]] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        marks = ", ".join("?" * len(chunk))
        for r in db.query(_SCORE_SQL.format(marks), chunk):
            scores[r["event_id"]] = r["score"]
        for r in db.query(_FIRMS_SQL.format(marks), chunk):
            firms.setdefault(r["event_id"], set()).add(r["company"])
    for row in rows:
        row["companies"] = sorted(firms.get(row["id"], set()) | ({row.get("company")} - {None}))
        row["max_score"] = scores.get(row["id"])
    return rows


def matching_events(db: Database, watch: WatchFilter, **where) -> list[dict]:
    """Events the filter matches among `store.list_events(db, **where)` (no limit)."""
    rows = store.list_events(db, limit=None, **where)
    return [r for r in with_match_fields(db, rows) if watch.matches(r)]


def first_seen_on(db: Database, day: date) -> list[dict]:
    """Events first seen on `day` (UTC), earliest first."""
    # a wide text range first (stamps may carry an offset), then the exact UTC day
    low, high = (day - timedelta(days=1)).isoformat(), (day + timedelta(days=2)).isoformat()
    rows = db.query(
        "SELECT * FROM events WHERE first_seen >= ? AND first_seen < ? ORDER BY first_seen",
        [low, high],
    )
    return [r for r in rows if _utc_day(r["first_seen"]) == day]


def daily_digest(db: Database, watchlist_filter: WatchFilter, day: date, out_dir) -> Digest:
    """The digest of one watchlist for one UTC day; writes .txt, .html and .png to out_dir."""
    watch = watchlist_filter
    events = [r for r in with_match_fields(db, first_seen_on(db, day)) if watch.matches(r)]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"digest-{_slug(watch.name)}-{day.isoformat()}"
    png = _timeline_png(db, watch, day, out / f"{stem}.png")
    digest = Digest(watch.name, day, events, "", "", png)
    digest.text = _text(digest)
    digest.html = _html(digest, png.name if png else None)
    for suffix, content in ((".txt", digest.text), (".html", digest.html)):
        path = out / f"{stem}{suffix}"
        path.write_text(content, encoding="utf-8")
        digest.files.append(path)
    if png:
        digest.files.append(png)
    return digest


def timeline_rows(db: Database, watch: WatchFilter, day: date) -> list[dict]:
    """The watchlist's events per month and type over the 12 months up to `day`, in the shape
    of `store.events_timeline` (period, type, events, amount_usd, amount_eur, articles)."""
    start = date(day.year - 1, day.month, 1) + timedelta(days=31)
    start = start.replace(day=1)
    # to the end of the day's month: an action dated the day after (another time zone) counts
    month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    events = matching_events(db, watch, since=start.isoformat(), until=month_end.isoformat())
    rows: dict[tuple[str, str], dict] = {}
    for ev in events:
        key = (ev["action_date"][:7], ev["type"])
        row = rows.setdefault(key, _period_row(*key))
        row["events"] += 1
        row["amount_usd"] += ev["amount_usd"] or 0.0
        row["amount_eur"] += ev["amount_eur"] or 0.0
        row["articles"] += ev["n_articles"] or 0
    if rows:
        # zero rows at both ends, so the axis always spans the whole 12 months
        some_type = next(iter(rows))[1]
        for month in (start.isoformat()[:7], day.isoformat()[:7]):
            rows.setdefault((month, some_type), _period_row(month, some_type))
    return [rows[k] for k in sorted(rows)]


def _period_row(period: str, event_type: str) -> dict:
    return {"period": period, "type": event_type, "events": 0, "amount_usd": 0.0,
            "amount_eur": 0.0, "articles": 0}  # fmt: skip


def _timeline_png(db: Database, watch: WatchFilter, day: date, path: Path) -> Path | None:
    from riskwatch.timeline_plot import draw_timeline

    rows = timeline_rows(db, watch, day)
    if not rows:
        return None  # nothing in 12 months: no empty chart
    title = f"{watch.name}: events per month, 12 months to {day.isoformat()}"
    return draw_timeline(rows, path, title)


def _text(digest: Digest) -> str:
    lines = [digest.subject.removeprefix("[riskwatch] "), _counts(digest.events), ""]
    for n, ev in enumerate(digest.events, 1):
        lines.append(f"{n}. {_event_heading(ev)}")
        lines.append(f"   {_one_line(ev['title'])}")
        lines.append(f"   Evidence: “{_one_line(ev['evidence'])}”")
        lines.append(f"   {_event_facts(ev)}")
        lines.append(f"   Event {ev['id']}")
        lines.append("")
    if digest.png:
        lines.append(f"Timeline (events per month, last 12 months): {digest.png}")
    else:
        lines.append("Timeline: no events of this watchlist in the last 12 months.")
    return "\n".join(lines) + "\n"


def _html(digest: Digest, image_src: str | None) -> str:
    items = "".join(
        f"<li><strong>{escape(_event_heading(ev))}</strong><br>{escape(_one_line(ev['title']))}"
        f"<blockquote>{escape(_one_line(ev['evidence']))}</blockquote>"
        f"<small>{escape(_event_facts(ev))} · event {escape(ev['id'])}</small></li>"
        for ev in digest.events
    )
    image = (
        f'<p><img src="{escape(image_src, quote=True)}" alt="events per month, last 12 months" '
        "width='600'></p>"
        if image_src
        else "<p>No events of this watchlist in the last 12 months.</p>"
    )
    title = escape(digest.subject.removeprefix("[riskwatch] "))
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<h2>{title}</h2><p>{escape(_counts(digest.events))}</p>"
        f"<ol>{items}</ol>{image}</body></html>"
    )


def _counts(events: list[dict]) -> str:
    if not events:
        return "No new events today."
    by_type = Counter(type_label(ev["type"]).lower() for ev in events)
    return "New events: " + ", ".join(plural(n, label) for label, n in by_type.most_common())


def _event_heading(ev: dict) -> str:
    parts = [type_label(ev["type"]), firm(ev)]
    if amount_text(ev):
        parts.append(amount_text(ev))
    return " — ".join(parts)


def _event_facts(ev: dict) -> str:
    facts = []
    if ev.get("regulator"):
        facts.append(f"regulator {ev['regulator']}")
    facts.append(f"action date {ev.get('action_date') or '?'}")
    langs = ", ".join(_languages(ev))
    articles = plural(ev.get("n_articles") or 0, "article")
    facts.append(f"{articles} from {plural(ev.get('n_sources') or 0, 'source')} ({langs})")
    facts.append(f"first: {ev.get('first_source')} {when_text(ev.get('first_seen'))}")
    return " · ".join(facts)


def digest_log_lines(digest: Digest) -> list[str]:
    """One terminal line per event of the digest (the log channel's version of it)."""
    return [terminal_line(Alert(ev, digest.watchlist)) for ev in digest.events]


def _languages(row: dict) -> list[str]:
    value = row.get("languages")
    if isinstance(value, list):
        return value
    try:
        decoded = json.loads(value or "[]")
    except ValueError:
        return []
    return decoded if isinstance(decoded, list) else []


def _utc_day(stamp: str | None) -> date | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "watchlist"


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())
