"""The webhook channel against a real HTTP receiver on 127.0.0.1: signatures, retries,
Retry-After, timeouts."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from riskwatch import __version__
from riskwatch.alerts import (
    alert_json,
    send_webhook,
    verify_signature,
)
from riskwatch.alerts.webhook import RETRY_AFTER_CAP_S, encode_payload
from riskwatch.errors import ConfigError
from tests.alert_samples import Sleeps, free_port, make_alert


class Receiver(ThreadingHTTPServer):
    """Records every POST; answers from `script` (status, headers) in turn, then 200."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict]] = []
        self.hang = False
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/hook"


class ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append({"headers": dict(self.headers), "body": body})
        if self.server.hang:
            self.server.release.wait(10)
            return
        status, headers = self.server.script.pop(0) if self.server.script else (200, {})
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def test_webhook_posts_signed_json_that_verifies(receiver):
    payload = alert_json(make_alert())
    key = payload["idempotency_key"]
    delivery = send_webhook(receiver.url, payload, "s3cret", key)
    assert (delivery.ok, delivery.status, delivery.attempts, delivery.error) == (True, 200, 1, None)
    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    assert json.loads(body) == payload
    assert body == encode_payload(payload)
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == f"riskwatch/{__version__}"
    assert headers["X-Riskwatch-Idempotency-Key"] == key
    stamp, signature = headers["X-Riskwatch-Timestamp"], headers["X-Riskwatch-Signature"]
    assert signature.startswith("sha256=") and abs(int(stamp) - time.time()) < 60
    assert verify_signature("s3cret", stamp, body, signature)
    assert verify_signature("s3cret", stamp, body.decode(), signature)
    assert not verify_signature("wrong", stamp, body, signature)
    assert not verify_signature("s3cret", stamp, body.replace(b"samr", b"sanr"), signature)
    assert not verify_signature("s3cret", str(int(stamp) + 1), body, signature)
    assert not verify_signature("s3cret", stamp, body, signature, now=int(stamp) + 301)
    assert verify_signature("s3cret", stamp, body, signature, now=int(stamp) + 299)
    assert not verify_signature("s3cret", "not a number", body, signature)
    assert not verify_signature("s3cret", stamp, body, "sha256=é")


def test_webhook_without_secret_sends_no_signature(receiver):
    assert send_webhook(receiver.url, {"a": 1}, None, "k").ok
    headers = receiver.requests[0]["headers"]
    assert "X-Riskwatch-Signature" not in headers and "X-Riskwatch-Timestamp" not in headers


def test_webhook_retries_500_then_succeeds_with_the_same_key(receiver):
    receiver.script = [(500, {}), (503, {})]
    sleeps = Sleeps()
    delivery = send_webhook(receiver.url, {"a": 1}, "s", "key-1", backoff=1.0, sleep=sleeps)
    assert (delivery.ok, delivery.status, delivery.attempts) == (True, 200, 3)
    assert sleeps == [1.0, 2.0]
    assert {r["headers"]["X-Riskwatch-Idempotency-Key"] for r in receiver.requests} == {"key-1"}


def test_webhook_gives_up_on_a_permanent_500_with_exponential_backoff(receiver):
    receiver.script = [(500, {})] * 10
    sleeps = Sleeps()
    delivery = send_webhook(receiver.url, {"a": 1}, None, "k", retries=3, backoff=0.5, sleep=sleeps)
    assert (delivery.ok, delivery.status, delivery.attempts) == (False, 500, 4)
    assert "HTTP 500" in delivery.error
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(receiver.requests) == 4


def test_webhook_that_never_answers_times_out_quickly(receiver):
    receiver.hang = True
    sleeps = Sleeps()
    started = time.monotonic()
    delivery = send_webhook(receiver.url, {"a": 1}, None, "k", timeout=0.3, retries=1, sleep=sleeps)
    assert time.monotonic() - started < 3
    assert (delivery.ok, delivery.status, delivery.attempts) == (False, None, 2)
    assert delivery.error == "timed out"
    assert sleeps == [1.0]


@pytest.mark.parametrize("status", [400, 401, 404, 410])
def test_webhook_does_not_retry_a_client_error(receiver, status):
    receiver.script = [(status, {})]
    sleeps = Sleeps()
    delivery = send_webhook(receiver.url, {"a": 1}, None, "k", sleep=sleeps)
    assert (delivery.ok, delivery.status, delivery.attempts) == (False, status, 1)
    assert sleeps == [] and len(receiver.requests) == 1


def test_webhook_retries_408_and_honours_429_retry_after(receiver):
    receiver.script = [(408, {}), (429, {"Retry-After": "7"}), (429, {"Retry-After": "86400"})]
    sleeps = Sleeps()
    delivery = send_webhook(receiver.url, {"a": 1}, None, "k", backoff=1.0, sleep=sleeps)
    assert (delivery.ok, delivery.attempts) == (True, 4)
    assert sleeps == [1.0, 7.0, RETRY_AFTER_CAP_S]


def test_webhook_to_a_closed_port_is_retried_then_reported():
    sleeps = Sleeps()
    delivery = send_webhook(
        f"http://127.0.0.1:{free_port()}/", {"a": 1}, None, "k", retries=2, sleep=sleeps
    )
    assert (delivery.ok, delivery.status, delivery.attempts) == (False, None, 3)
    assert "ConnectionRefusedError" in delivery.error
    assert sleeps == [1.0, 2.0]


def test_webhook_refuses_a_url_that_is_not_http():
    with pytest.raises(ConfigError, match="file:///etc/passwd"):
        send_webhook("file:///etc/passwd", {}, None, "k")
