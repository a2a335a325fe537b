"""The webhook channel: a signed JSON POST, retried with backoff, that never raises on the network.

Every request carries::

    Content-Type: application/json
    User-Agent: riskwatch/<version>
    X-Riskwatch-Idempotency-Key: <event_id>:<watchlist>:webhook:<version>

and, when the watchlist's channel has a secret::

    X-Riskwatch-Timestamp: <unix seconds>
    X-Riskwatch-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

Receivers verify with the exact body bytes they received (before parsing any JSON)::

    from riskwatch.alerts import verify_signature

    ok = verify_signature(secret, headers["X-Riskwatch-Timestamp"], raw_body,
                          headers["X-Riskwatch-Signature"], tolerance_s=300)

A timestamp further than `tolerance_s` from the receiver's clock fails, so a captured request
cannot be replayed later; the idempotency key is the same on every retry and re-send of one
alert, so a receiver that already handled it can answer 2xx and drop it.

Retried (exponential backoff, `backoff * 2**n` seconds): connection errors, timeouts, 408,
429 (its Retry-After honoured, capped at RETRY_AFTER_CAP_S) and 5xx. Not retried: other 4xx
and 3xx (a webhook URL that redirects is a configuration to fix).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.request
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from urllib.error import HTTPError
from urllib.parse import urlsplit

from riskwatch import __version__
from riskwatch.alerts.message import Delivery
from riskwatch.errors import ConfigError

log = logging.getLogger(__name__)

RETRY_AFTER_CAP_S = 60.0
_RETRY_STATUSES = {408, 429}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx reaches us as an HTTPError: reported, not followed


_OPENER = urllib.request.build_opener(_NoRedirect)


def encode_payload(payload: dict) -> bytes:
    """The exact body bytes sent (and signed): compact UTF-8 JSON with sorted keys."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value: "sha256=" + hex HMAC-SHA256 of b"<timestamp>.<body>"."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes | str,
    header: str,
    tolerance_s: float = 300,
    now: float | None = None,
) -> bool:
    """True when `header` signs `timestamp` + `body` with `secret` and the timestamp is within
    `tolerance_s` seconds of now (the receiver's clock); False otherwise, never raises."""
    if isinstance(body, str):
        body = body.encode()
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance_s:
        return False
    expected = sign(secret, str(timestamp), body).encode()
    return hmac.compare_digest(expected, str(header or "").encode("utf-8", "replace"))


def send_webhook(
    url: str,
    payload: dict,
    secret: str | None,
    key: str,
    timeout: float = 10,
    retries: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """POST `payload` as JSON to `url`: at most 1 + `retries` attempts, each `timeout` seconds.

    Returns a Delivery (ok on a 2xx answer); network problems are reported in it, not raised.

    Raises:
        ConfigError: `url` is not an http(s) URL.
    """
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ConfigError(f"webhook url {url!r} is not an http:// or https:// URL")
    body = encode_payload(payload)
    status, error = None, None
    for attempt in range(1, max(retries, 0) + 2):
        status, error, wait = _post(url, body, secret, key, timeout)
        if status is not None and 200 <= status < 300:
            return Delivery(True, status, attempt, None)
        if wait is None or attempt > retries:
            break
        delay = max(wait, backoff * 2 ** (attempt - 1))
        log.info("webhook %s: %s; attempt %d, retrying in %.1f s", url, error, attempt, delay)
        sleep(delay)
    log.warning("webhook %s: giving up after %d attempts: %s", url, attempt, error)
    return Delivery(False, status, attempt, error)


def _post(
    url: str, body: bytes, secret: str | None, key: str, timeout: float
) -> tuple[int | None, str | None, float | None]:
    """One attempt: (status, error, wait) where wait is None when retrying is pointless, else
    the least the server asked us to wait (0 when it said nothing)."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers=_headers(body, secret, key)
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(64 * 1024)
            return response.status, None, None
    except HTTPError as err:
        with err:
            status = err.code
            error = f"HTTP {status} {err.reason}"
            if status in _RETRY_STATUSES or status >= 500:
                return status, error, _retry_after(err.headers.get("Retry-After"))
            return status, error, None
    except (OSError, http.client.HTTPException) as err:
        return None, _network_error(err), 0.0


def _headers(body: bytes, secret: str | None, key: str) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"riskwatch/{__version__}",
        "X-Riskwatch-Idempotency-Key": key,
    }
    if secret:
        # signed per attempt, so a retry after a long backoff stays inside the tolerance
        timestamp = str(int(time.time()))
        headers["X-Riskwatch-Timestamp"] = timestamp
        headers["X-Riskwatch-Signature"] = sign(secret, timestamp, body)
    return headers


def _retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped; 0 if absent."""
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return 0.0
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_S)


def _network_error(err: BaseException) -> str:
    reason = getattr(err, "reason", None)  # URLError wraps the socket error
    cause = reason if isinstance(reason, BaseException) else err
    if isinstance(cause, TimeoutError):
        return "timed out"
    return f"{type(cause).__name__}: {cause}"
