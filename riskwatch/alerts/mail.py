"""The e-mail channel: alerts and digests over SMTP (smtplib), text and HTML, retried on 4xx.

Each message's Message-ID is derived from its idempotency key, so a message sent again after a
crash carries the same Message-ID and mail clients (and receivers' filters) see a repeat; an
update of an alert refers to the earlier versions' Message-IDs, so they thread together.
Temporary failures (4xx SMTP replies, a refused or dropped connection, a timeout) are retried
with exponential backoff; a 5xx refusal is final.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from riskwatch import __version__
from riskwatch.alerts.digest import Digest
from riskwatch.alerts.message import (
    Alert,
    Delivery,
    email_html,
    email_text,
    idempotency_key,
    subject,
)
from riskwatch.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: STARTTLS before login when `starttls`; `timeout` in seconds."""

    host: str
    port: int = 25
    sender: str = "riskwatch@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0


class _Temporary(Exception):
    """A failure worth another attempt: (status, error)."""


class _Permanent(Exception):
    """A failure another attempt would meet again (a 5xx refusal, no STARTTLS): (status, error)."""


def message_id(key: str, sender: str) -> str:
    """A Message-ID that is a function of the idempotency key (and the sender's domain)."""
    domain = sender.rpartition("@")[2] or "riskwatch.invalid"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<riskwatch.{digest}@{domain}>"


def alert_message(smtp: SmtpSettings, to: list[str], alert: Alert, reader_lang: str = "en"):
    """The multipart/alternative message (text, then HTML) for one alert."""
    key = idempotency_key(alert, "email")
    msg = _envelope(smtp, to, subject(alert), key)
    if alert.version > 1:
        earlier = [
            message_id(f"{alert.event_id}:{alert.watchlist}:email:{v}", smtp.sender)
            for v in range(1, alert.version)
        ]
        msg["In-Reply-To"] = earlier[-1]
        msg["References"] = " ".join(earlier)
    msg.set_content(email_text(alert, reader_lang))
    msg.add_alternative(email_html(alert, reader_lang), subtype="html")
    return msg


def send_email(
    smtp: SmtpSettings,
    to: list[str],
    alert: Alert,
    *,
    reader_lang: str = "en",
    retries: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send one alert to `to`; never raises for network or SMTP problems.

    ok when at least one recipient accepted it (the others are named in `error`).

    Raises:
        ConfigError: no recipients.
    """
    return send_message(
        smtp, alert_message(smtp, to, alert, reader_lang), to,
        retries=retries, backoff=backoff, sleep=sleep,
    )  # fmt: skip


def send_message(
    smtp: SmtpSettings,
    msg: EmailMessage,
    to: list[str],
    *,
    retries: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send a prepared message with retries; recipients refused for now are tried again."""
    if not to:
        raise ConfigError("an e-mail channel needs at least one recipient")
    pending, accepted, refused = list(to), [], {}
    status, error = None, None
    for attempt in range(1, max(retries, 0) + 2):
        try:
            status, done, temporary, final = _send_once(smtp, msg, pending)
            accepted += done
            refused.update(final)
            if not temporary:
                return _outcome(accepted, refused, status, attempt)
            pending = list(temporary)
            error = _describe(temporary)
        except _Temporary as err:
            status, error = err.args
        except _Permanent as err:
            status, error = err.args
            break
        if attempt > retries:
            break
        delay = backoff * 2 ** (attempt - 1)
        log.info("smtp %s: %s; attempt %d, retrying in %.1f s", smtp.host, error, attempt, delay)
        sleep(delay)
    if accepted:
        return _outcome(accepted, {**refused, **dict.fromkeys(pending, error)}, status, attempt)
    log.warning("smtp %s: not sent after %d attempts: %s", smtp.host, attempt, error)
    return Delivery(False, status, attempt, error)


def digest_message(smtp: SmtpSettings, to: list[str], digest: Digest) -> EmailMessage:
    """The digest as text and HTML, the timeline PNG inline in the HTML (and so attached)."""
    key = f"digest:{digest.watchlist}:{digest.day.isoformat()}"
    msg = _envelope(smtp, to, digest.subject, key)
    msg.set_content(digest.text)
    cid = message_id(f"{key}:timeline", smtp.sender)
    msg.add_alternative(digest.email_html(cid[1:-1]), subtype="html")
    if digest.png:
        html_part = msg.get_payload()[1]
        html_part.add_related(
            digest.png.read_bytes(), "image", "png", cid=cid, filename=digest.png.name
        )
    return msg


def send_digest(
    smtp: SmtpSettings,
    to: list[str],
    digest: Digest,
    *,
    retries: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send a daily digest (see send_email for retries and the outcome)."""
    msg = digest_message(smtp, to, digest)
    return send_message(smtp, msg, to, retries=retries, backoff=backoff, sleep=sleep)


def _envelope(smtp: SmtpSettings, to: list[str], title: str, key: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = title
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = message_id(key, smtp.sender)
    msg["X-Riskwatch-Idempotency-Key"] = key
    msg["X-Mailer"] = f"riskwatch/{__version__}"
    return msg


def _send_once(smtp: SmtpSettings, msg: EmailMessage, to: list[str]):
    """One session: (status, accepted, {temporarily refused: why}, {finally refused: why})."""
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            refused = client.send_message(msg, from_addr=smtp.sender, to_addrs=to)
    except smtplib.SMTPRecipientsRefused as err:
        refused = err.recipients  # every recipient refused
        if not _split(refused)[0]:
            code = next(iter(refused.values()))[0] if refused else None
            raise _Permanent(code, _describe(_split(refused)[1])) from err
    except smtplib.SMTPResponseException as err:
        error = _reply(err.smtp_code, err.smtp_error)
        if 400 <= err.smtp_code < 500:
            raise _Temporary(err.smtp_code, error) from err
        raise _Permanent(err.smtp_code, error) from err
    except (smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError) as err:
        raise _Permanent(None, f"{type(err).__name__}: {err}") from err
    except OSError as err:  # refused, reset or dropped connection, timeout (SMTPException too)
        raise _Temporary(None, f"{type(err).__name__}: {err}") from err
    temporary, final = _split(refused)
    accepted = [r for r in to if r not in refused]
    return 250 if accepted else None, accepted, temporary, final


def _split(refused: dict) -> tuple[dict, dict]:
    """Refused recipients as ({4xx: why}, {5xx: why})."""
    temporary = {r: _reply(c, m) for r, (c, m) in refused.items() if 400 <= c < 500}
    final = {r: _reply(c, m) for r, (c, m) in refused.items() if not 400 <= c < 500}
    return temporary, final


def _outcome(accepted: list[str], refused: dict, status, attempts: int) -> Delivery:
    if accepted:
        return Delivery(True, status or 250, attempts, _describe(refused) if refused else None)
    return Delivery(False, status, attempts, _describe(refused))


def _describe(refused: dict) -> str:
    return "; ".join(f"{rcpt} refused: {why}" for rcpt, why in refused.items())


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}"
