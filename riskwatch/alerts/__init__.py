"""How alerts are sent: webhook, e-mail and the log, and the daily digest per watchlist.

What to send and exactly-once bookkeeping belong to the alert outbox; this package only turns
an event into messages and delivers them, reporting each try as a `Delivery`:

    from riskwatch.alerts import Alert, alert_json, idempotency_key, send_webhook

    alert = Alert(store.get_event(db, event_id), watchlist="ir-team", kind="new", version=1)
    key = idempotency_key(alert, "webhook")
    delivery = send_webhook(url, alert_json(alert), secret, key)
"""

from riskwatch.alerts.digest import (
    Digest,
    WatchFilter,
    daily_digest,
    digest_log_lines,
    filter_for,
    first_seen_on,
    matching_events,
    with_match_fields,
)
from riskwatch.alerts.mail import (
    SmtpSettings,
    alert_message,
    digest_message,
    message_id,
    send_digest,
    send_email,
)
from riskwatch.alerts.message import (
    Alert,
    Delivery,
    alert_json,
    email_html,
    email_text,
    idempotency_key,
    subject,
    terminal_line,
    translation_hint,
)
from riskwatch.alerts.webhook import encode_payload, send_webhook, sign, verify_signature

CHANNELS = ("webhook", "email", "log")

__all__ = [
    "CHANNELS",
    "Alert",
    "Delivery",
    "Digest",
    "SmtpSettings",
    "WatchFilter",
    "alert_json",
    "alert_message",
    "daily_digest",
    "digest_log_lines",
    "digest_message",
    "email_html",
    "email_text",
    "encode_payload",
    "filter_for",
    "first_seen_on",
    "idempotency_key",
    "matching_events",
    "message_id",
    "send_digest",
    "send_email",
    "send_webhook",
    "sign",
    "subject",
    "terminal_line",
    "translation_hint",
    "verify_signature",
    "with_match_fields",
]
