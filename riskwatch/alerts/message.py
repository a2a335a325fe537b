"""What an alert says, per channel: the webhook's JSON, the e-mail's text and HTML, a log line.

An alert is one event (as `store.get_event` returns it, with its articles) for one watchlist:
`kind` "new" for the first alert, "update" when the event is sent again with more sources or
an amount found, `version` counting them from 1. The webhook's JSON (`alert_json`) is a stable
schema, "riskwatch.alert/1"; fields are only ever added to it::

    {"schema": "riskwatch.alert/1", "idempotency_key": "ev-..:ir-team:webhook:1",
     "kind": "new", "version": 1, "watchlist": "ir-team", "summary": "...", "sent_by": "...",
     "event": {"id", "type", "company", "company_name", "unknown_company", "regulator",
               "action_date", "action_precision", "amount": {value, currency, usd, eur} | null,
               "amounts": [{value, currency, usd, eur, articles}], "amounts_disagree",
               "records": {value, unit} | null, "title", "evidence", "first_seen",
               "first_source", "lead_hours", "languages", "n_articles", "n_sources",
               "confirmed", "follows"},
     "sources": [{"published", "source", "lang", "title", "url"}]}

The idempotency key `event_id:watchlist:channel:version` is the same on every re-send of one
alert, so a receiver drops a repeat after a crash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from urllib.parse import urlsplit

from riskwatch import __version__
from riskwatch.output import money

SCHEMA = "riskwatch.alert/1"
KINDS = ("new", "update")
TYPE_LABELS = {
    "data_breach": "Data breach",
    "regulatory_fine": "Regulatory fine",
    "ipo_suspension": "IPO suspension",
}
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "zh": "Chinese",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "pt": "Portuguese",
    "ru": "Russian",
    "nl": "Dutch",
    "ar": "Arabic",
}


@dataclass(frozen=True)
class Delivery:
    """What one send came to: ok, the last HTTP or SMTP status, attempts made, the last error."""

    ok: bool
    status: int | None = None
    attempts: int = 0
    error: str | None = None


@dataclass(frozen=True)
class Alert:
    """One event for one watchlist; `event` is a `store.get_event` dict (articles optional)."""

    event: dict
    watchlist: str
    kind: str = "new"
    version: int = 1
    articles: list[dict] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"alert kind must be one of {KINDS}, not {self.kind!r}")
        if self.version < 1:
            raise ValueError(f"alert version starts at 1, not {self.version}")
        object.__setattr__(self, "articles", list(self.event.get("articles") or []))

    @property
    def event_id(self) -> str:
        return self.event["id"]

    @property
    def amounts(self) -> list[dict]:
        return _json_list(self.event.get("amounts"))

    @property
    def languages(self) -> list[str]:
        return _json_list(self.event.get("languages"))


def idempotency_key(alert: Alert, channel: str) -> str:
    """The key a receiver uses to drop repeats: event, watchlist, channel and version."""
    return f"{alert.event_id}:{alert.watchlist}:{channel}:{alert.version}"


def alert_json(alert: Alert, channel: str = "webhook") -> dict:
    """The alert as the stable JSON document the webhook posts (schema in the module doc)."""
    ev = alert.event
    amount = None
    if ev.get("amount_value") is not None:
        amount = {
            "value": ev["amount_value"],
            "currency": ev.get("amount_currency"),
            "usd": ev.get("amount_usd"),
            "eur": ev.get("amount_eur"),
        }
    records = None
    if ev.get("records_value") is not None:
        records = {"value": ev["records_value"], "unit": ev.get("records_unit")}
    event = {key: ev.get(key) for key in _PLAIN_FIELDS}
    event.update(
        amount=amount,
        amounts=alert.amounts,
        amounts_disagree=bool(ev.get("amounts_disagree")),
        records=records,
        languages=alert.languages,
        unknown_company=bool(ev.get("unknown_company")),
        confirmed=bool(ev.get("confirmed")),
    )
    return {
        "schema": SCHEMA,
        "idempotency_key": idempotency_key(alert, channel),
        "kind": alert.kind,
        "version": alert.version,
        "watchlist": alert.watchlist,
        "summary": subject(alert),
        "sent_by": f"riskwatch/{__version__}",
        "event": event,
        "sources": [{key: a.get(key) for key in _SOURCE_FIELDS} for a in alert.articles],
    }


_PLAIN_FIELDS = (
    "id", "type", "company", "company_name", "regulator", "action_date", "action_precision",
    "title", "evidence", "first_seen", "first_source", "lead_hours", "n_articles", "n_sources",
    "follows",
)  # fmt: skip
_SOURCE_FIELDS = ("published", "source", "lang", "title", "url")


def subject(alert: Alert) -> str:
    """Type, firm and amount (original currency and USD), e.g. for an e-mail subject."""
    parts = [f"{type_label(alert.event.get('type'))}: {_one_line(firm(alert.event))}"]
    amount = amount_text(alert.event)
    if amount:
        parts.append(amount)
    elif alert.event.get("records_value"):
        parts.append(money(alert.event["records_value"], alert.event.get("records_unit")))
    prefix = "[riskwatch] Update: " if alert.kind == "update" else "[riskwatch] "
    return prefix + " — ".join(parts)


def email_text(alert: Alert, reader_lang: str = "en") -> str:
    """The plain-text e-mail body: the facts, the evidence and every source with its link."""
    ev = alert.event
    lines = [subject(alert).removeprefix("[riskwatch] "), ""]
    lines.append(_headline(alert, reader_lang))
    hint = translation_hint(alert, reader_lang)
    if hint:
        lines.append(hint)
    lines += ["", f"Evidence: “{_one_line(ev.get('evidence'))}”", ""]
    lines += [f"{label}: {value}" for label, value in fact_rows(alert)]
    lines += ["", f"Sources ({len(alert.articles)}):"]
    for a in alert.articles:
        lines.append(
            f"- {when_text(a.get('published'))}  {a.get('source')} [{a.get('lang') or '?'}]"
        )
        lines.append(f"  {_one_line(a.get('title'))}")
        lines.append(f"  {a.get('url') or ''}")
    lines += ["", _footer(alert)]
    return "\n".join(lines) + "\n"


def email_html(alert: Alert, reader_lang: str = "en") -> str:
    """The HTML e-mail body; everything that comes from articles is escaped."""
    ev = alert.event
    hint = translation_hint(alert, reader_lang)
    facts = "".join(
        f"<tr><th align='left'>{escape(label)}</th><td>{escape(str(value))}</td></tr>"
        for label, value in fact_rows(alert)
    )
    sources = "".join(
        f"<li>{escape(when_text(a.get('published')))} · {escape(str(a.get('source') or ''))} "
        f"[{escape(str(a.get('lang') or '?'))}]<br>{_link(a.get('url'), a.get('title'))}</li>"
        for a in alert.articles
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(subject(alert))}</title></head><body>"
        f"<h2>{escape(subject(alert).removeprefix('[riskwatch] '))}</h2>"
        f"<p><strong>{escape(_headline(alert, reader_lang))}</strong></p>"
        + (f"<p><em>{escape(hint)}</em></p>" if hint else "")
        + f"<blockquote>{escape(_one_line(ev.get('evidence')))}</blockquote>"
        f"<table>{facts}</table>"
        f"<h3>Sources ({len(alert.articles)})</h3><ul>{sources}</ul>"
        f"<p><small>{escape(_footer(alert))}</small></p></body></html>"
    )


def terminal_line(alert: Alert) -> str:
    """One line for the terminal or the log."""
    ev = alert.event
    parts = [
        f"alert {alert.kind} v{alert.version} [{alert.watchlist}] {ev.get('type')}",
        firm(ev),
        ev.get("action_date") or "?",
    ]
    amount = amount_text(ev)
    if amount:
        parts.append(amount)
    parts.append(f"{ev.get('n_articles') or 0} articles/{ev.get('n_sources') or 0} sources")
    parts.append(f"{alert.event_id}: {_one_line(ev.get('title'))}")
    return " ".join(parts)


def fact_rows(alert: Alert) -> list[tuple[str, str]]:
    """The facts an alert lists, as (label, value), only those the event has."""
    ev = alert.event
    rows = [("Firm", firm(ev)), ("Event", type_label(ev.get("type")))]
    if ev.get("regulator"):
        rows.append(
            ("Regulator", ev["regulator"] + (" (its own release)" if ev.get("confirmed") else ""))
        )
    if ev.get("action_date"):
        precision = ev.get("action_precision")
        note = " (publication date)" if precision == "published" else ""
        rows.append(("Action date", f"{ev['action_date']}{note}"))
    if amount_text(ev):
        rows.append(("Amount", amount_text(ev)))
    if len(alert.amounts) > 1:
        reported = "; ".join(
            f"{money(a['value'], a['currency'])} ({plural(a['articles'], 'article')})"
            for a in alert.amounts
        )
        rows.append(("Amounts reported", reported))
    if ev.get("records_value"):
        rows.append(("Records", money(ev["records_value"], ev.get("records_unit"))))
    first = f"{ev.get('first_source')} at {when_text(ev.get('first_seen'))}"
    if ev.get("lead_hours") is not None:
        first += f", {ev['lead_hours']:g} h before the next outlet"
    rows.append(("First reported", first))
    languages = ", ".join(alert.languages) or "?"
    coverage = (
        f"{plural(ev.get('n_articles') or 0, 'article')}, "
        f"{plural(ev.get('n_sources') or 0, 'source')}, languages {languages}"
    )
    rows.append(("Coverage", coverage))
    if ev.get("follows"):
        rows.append(("Follows", ev["follows"]))
    return rows


def translation_hint(alert: Alert, reader_lang: str = "en") -> str | None:
    """A headline of the event in the reader's language, or one marked with its language; None
    when the headline is already in the reader's language. Offline: other outlets' headlines."""
    lang = headline_lang(alert)
    if lang is None or lang == reader_lang:
        return None
    title = _one_line(alert.event.get("title"))
    for a in alert.articles:
        if a.get("lang") == reader_lang and a.get("title") and _one_line(a["title"]) != title:
            name = LANGUAGE_NAMES.get(reader_lang, reader_lang)
            return f"{name} headline ({a.get('source')}): {_one_line(a['title'])}"
    others = [a for a in alert.articles if a.get("lang") not in (None, lang) and a.get("title")]
    if others:
        other = others[0]
        return (
            f"No {_language(reader_lang)} headline; [{other['lang']}] {_one_line(other['title'])}"
        )
    return f"No {_language(reader_lang)} headline among the sources; the headline is [{lang}]"


def headline_lang(alert: Alert) -> str | None:
    """The language of the event's headline: its article's, or the event's only language."""
    title = alert.event.get("title")
    for a in alert.articles:
        if title and a.get("title") == title and a.get("lang"):
            return a["lang"]
    langs = alert.languages
    return langs[0] if len(langs) == 1 else None


def firm(event: dict) -> str:
    name = event.get("company_name") or event.get("company") or "unknown firm"
    return f"{name} (not in the registry)" if event.get("unknown_company") else name


def type_label(event_type: str | None) -> str:
    if not event_type:
        return "Event"
    return TYPE_LABELS.get(event_type, event_type.replace("_", " ").capitalize())


def amount_text(event: dict) -> str:
    """ "18.2bn CNY (2.82bn USD)"; empty when the event has no amount."""
    value, currency = event.get("amount_value"), event.get("amount_currency")
    if value is None:
        return ""
    text = money(value, currency)
    if event.get("amount_usd") is not None and currency != "USD":
        text += f" ({money(event['amount_usd'], 'USD')})"
    return text


def _headline(alert: Alert, reader_lang: str) -> str:
    title = _one_line(alert.event.get("title"))
    lang = headline_lang(alert)
    return f"[{lang}] {title}" if lang and lang != reader_lang else title


def _footer(alert: Alert) -> str:
    note = "an update of an earlier alert" if alert.kind == "update" else "a new event"
    return (
        f"riskwatch/{__version__} · watchlist {alert.watchlist} · {note} · event "
        f"{alert.event_id} · alert version {alert.version}"
    )


def _link(url: str | None, title: str | None) -> str:
    """An <a> for http(s) links only: a javascript: URL in a feed must not become a link."""
    text = escape(_one_line(title) or url or "")
    if url and urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{escape(url, quote=True)}">{text}</a>'
    return f"{text} {escape(url or '')}".strip()


def when_text(stamp: str | None) -> str:
    """ISO text as "2021-04-10 03:00 UTC" (as given when it does not parse)."""
    if not stamp:
        return "time unknown"
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if len(stamp) <= 10:
        return moment.date().isoformat()
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _language(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _json_list(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    try:
        decoded = json.loads(value)
    except (TypeError, ValueError):
        return []
    return decoded if isinstance(decoded, list) else []
