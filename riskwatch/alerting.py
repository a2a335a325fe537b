"""Which events each watchlist hears about (queued in the outbox once), and sending them.

Queueing is idempotent: the outbox key is (event, watchlist, channel, version), so a job run
twice, or again after a crash, queues nothing new. An event alerted before is queued again, as
an update with the next version, only when it learned something a reader would want: an
amount (or a different one), a record count, or three more sources. Sending marks a row
"sending" before it talks to the channel and "sent" after; a crash in between leaves it
"sending", and the next run sends it again with the same idempotency key (webhook header,
e-mail Message-ID), so a receiver can drop the repeat.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from store import alerts as outbox
from store import events as event_store

log = logging.getLogger("riskwatch.alerts")
MAX_ATTEMPTS = 6
RETRY_BASE_S = 30.0
RETRY_MAX_S = 3600.0


@dataclass
class AlertStats:
    queued: int = 0
    sent: int = 0
    failed: int = 0


def matching_events(db, watchlist, lookback_hours: float | None) -> list[dict]:
    """Events for this watchlist: its firms (units included), types, languages, minimum
    score, first seen within the lookback (None or 0: any time)."""
    clauses, params = [], []
    if watchlist.companies:
        marks = ", ".join("?" * len(watchlist.companies))
        clauses.append(f"e.id IN (SELECT event_id FROM event_companies WHERE company IN ({marks}))")
        params += sorted(watchlist.companies)
    if watchlist.types:
        clauses.append(f"e.type IN ({', '.join('?' * len(watchlist.types))})")
        params += sorted(watchlist.types)
    if lookback_hours:
        since = datetime.now(UTC) - timedelta(hours=lookback_hours)
        clauses.append("e.first_seen >= ?")
        params.append(since.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if watchlist.min_score:
        clauses.append("(SELECT max(score) FROM article_facts f WHERE f.event_id = e.id) >= ?")
        params.append(watchlist.min_score)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = list(db.query(f"SELECT e.* FROM events e {where} ORDER BY e.first_seen", params))
    if watchlist.languages:
        rows = [r for r in rows if set(json.loads(r["languages"] or "[]")) & watchlist.languages]
    return rows


def fingerprint(event: dict) -> str:
    return json.dumps(
        [
            event["n_sources"],
            event["amount_value"],
            event["amount_currency"],
            event["records_value"],
        ]
    )


def _worth_an_update(old: str, new: str) -> bool:
    sources, amount, currency, records = json.loads(old)
    n_sources, n_amount, n_currency, n_records = json.loads(new)
    return (
        (n_amount is not None and (n_amount, n_currency) != (amount, currency))
        or (n_records is not None and n_records != records)
        or n_sources >= sources + 3
    )


def queue_alerts(db, watchlists, lookback_hours: float | None = 72.0) -> int:
    """Put every new or newly informative matching event in the outbox; returns how many."""
    queued = 0
    for watchlist in watchlists:
        events = matching_events(db, watchlist, lookback_hours)
        for channel in watchlist.channels:
            sent_before = outbox.latest_alerts(db, watchlist.name, channel.name)
            for event in events:
                now = fingerprint(event)
                before = sent_before.get(event["id"])
                if before is None:
                    version, kind = 1, "new"
                elif _worth_an_update(before["fingerprint"], now):
                    version, kind = before["version"] + 1, "update"
                else:
                    continue
                queued += outbox.queue_alert(
                    db, event_id=event["id"], watchlist=watchlist.name, channel=channel.name,
                    version=version, kind=kind, fingerprint=now,
                )  # fmt: skip
    return queued


Sender = Callable[[object, dict, dict], tuple[bool, str]]


def deliver_alerts(db, watchlists, senders: dict[str, Sender] | None = None) -> AlertStats:
    """Send what is due in the outbox through its channel; failures back off and retry."""
    channels = {c.name: c for w in watchlists for c in w.channels}
    senders = senders or default_senders()
    stats = AlertStats()
    for row in outbox.due_alerts(db):
        channel = channels.get(row["channel"])
        event = event_store.get_event(db, row["event_id"])
        if channel is None or event is None:
            reason = "channel no longer configured" if channel is None else "event deleted"
            outbox.mark_failed(db, row["id"], reason, give_up=True, retry_in_s=0)
            stats.failed += 1
            continue
        outbox.mark_sending(db, row["id"])
        try:
            ok, error = senders[channel.kind](channel, row, event)
        except Exception as err:  # a bug in a channel must not stop the others
            log.exception("alert %s via %s crashed", row["idempotency_key"], channel.name)
            ok, error = False, f"{type(err).__name__}: {err}"
        if ok:
            outbox.mark_sent(db, row["id"])
            stats.sent += 1
            continue
        attempts = row["attempts"] + 1
        give_up = attempts >= MAX_ATTEMPTS
        retry = min(RETRY_MAX_S, RETRY_BASE_S * 2 ** (attempts - 1))
        outbox.mark_failed(db, row["id"], error or "failed", give_up, retry)
        log.warning(
            "alert %s via %s failed (attempt %d%s): %s", row["idempotency_key"], channel.name,
            attempts, ", giving up" if give_up else f", retry in {retry:.0f} s", error,
        )  # fmt: skip
        stats.failed += 1
    return stats


def default_senders() -> dict[str, Sender]:
    return {"log": _send_log, "webhook": _send_webhook, "email": _send_email}


def _alert(row: dict, event: dict):
    from riskwatch.alerts.message import Alert

    return Alert(event, watchlist=row["watchlist"], kind=row["kind"], version=row["version"])


def _send_log(channel, row: dict, event: dict) -> tuple[bool, str]:
    from riskwatch.alerts.message import terminal_line

    log.warning("ALERT %s", terminal_line(_alert(row, event)))
    return True, ""


def _send_webhook(channel, row: dict, event: dict) -> tuple[bool, str]:
    from riskwatch.alerts.message import alert_json
    from riskwatch.alerts.webhook import send_webhook

    delivery = send_webhook(
        channel.options["url"],
        alert_json(_alert(row, event), channel.name),
        channel.secret("secret"),
        row["idempotency_key"],
        timeout=float(channel.options.get("timeout", 10)),
        retries=int(channel.options.get("retries", 3)),
    )
    return delivery.ok, delivery.error or ""


def smtp_settings(channel):
    """The SMTP settings of an e-mail channel (secrets from the environment when named)."""
    from riskwatch.alerts.mail import SmtpSettings

    options = channel.options
    return SmtpSettings(
        host=options["smtp_host"],
        port=int(options.get("smtp_port", 25)),
        sender=options.get("sender", "riskwatch@localhost"),
        user=channel.secret("user"),
        password=channel.secret("password"),
        starttls=bool(options.get("starttls", False)),
        timeout=float(options.get("timeout", 20)),
    )


def _send_email(channel, row: dict, event: dict) -> tuple[bool, str]:
    from riskwatch.alerts.mail import send_email

    options = channel.options
    smtp = smtp_settings(channel)
    delivery = send_email(
        smtp, list(options["to"]), _alert(row, event), reader_lang=options.get("language", "en")
    )
    return delivery.ok, delivery.error or ""
