"""Alert channels against real receivers on 127.0.0.1: a webhook server, an SMTP server
(aiosmtpd), and the daily digest from a real database file."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

import store
from nlp.events.run import build_events
from riskwatch import __version__
from riskwatch.alerts import (
    Alert,
    SmtpSettings,
    WatchFilter,
    alert_json,
    daily_digest,
    email_html,
    email_text,
    filter_for,
    idempotency_key,
    message_id,
    send_digest,
    send_email,
    send_webhook,
    terminal_line,
    translation_hint,
    verify_signature,
)
from riskwatch.alerts.webhook import RETRY_AFTER_CAP_S, encode_payload
from riskwatch.errors import ConfigError
from tests.tagged_articles import add

EVENT = {
    "id": "ev-0123456789",
    "type": "regulatory_fine",
    "company": "alibaba",
    "company_name": "Alibaba Group",
    "unknown_company": 0,
    "regulator": "samr",
    "action_date": "2021-04-10",
    "action_precision": "day",
    "amount_value": 18.228e9,
    "amount_currency": "CNY",
    "amount_usd": 2.82e9,
    "amount_eur": 2.38e9,
    "amounts": json.dumps(
        [
            {"value": 18.228e9, "currency": "CNY", "usd": 2.82e9, "eur": 2.38e9, "articles": 2},
            {"value": 18.0e9, "currency": "USD", "usd": 18.0e9, "eur": 15.2e9, "articles": 1},
        ]
    ),
    "amounts_disagree": 1,
    "records_value": None,
    "records_unit": None,
    "title": "阿里巴巴因“二选一”被罚182.28亿元",
    "evidence": "市场监管总局依法对阿里巴巴集团处以182.28亿元罚款。",
    "first_seen": "2021-04-10T03:00:00Z",
    "first_source": "samr",
    "lead_hours": 6.0,
    "languages": json.dumps(["en", "fr", "zh"]),
    "n_articles": 3,
    "n_sources": 3,
    "confirmed": 1,
    "follows": None,
    "articles": [
        {
            "published": "2021-04-10T03:00:00Z",
            "source": "samr",
            "lang": "zh",
            "title": "阿里巴巴因“二选一”被罚182.28亿元",
            "url": "https://samr.example/zh1",
        },
        {
            "published": "2021-04-10T09:00:00Z",
            "source": "wire",
            "lang": "en",
            "title": "China fines Alibaba <script>alert('x')</script> record 18.2bn yuan",
            "url": 'https://wire.example/en1?a=1&b="2"',
        },
        {
            "published": "2021-04-11T08:00:00+02:00",
            "source": "lemonde",
            "lang": "fr",
            "title": "Amende record de 2,3 milliards d'euros pour Alibaba",
            "url": "javascript:alert(1)",
        },
    ],
}


def make_alert(**changes) -> Alert:
    event = {**EVENT, **changes.pop("event", {})}
    return Alert(event, changes.pop("watchlist", "ir team"), **changes)


# --- messages -------------------------------------------------------------------------------


def test_alert_json_is_the_stable_schema_with_every_source():
    doc = alert_json(make_alert(), "webhook")
    assert doc["schema"] == "riskwatch.alert/1"
    assert doc["idempotency_key"] == "ev-0123456789:ir team:webhook:1"
    assert (doc["kind"], doc["version"], doc["watchlist"]) == ("new", 1, "ir team")
    event = doc["event"]
    assert event["amount"] == {"value": 18.228e9, "currency": "CNY", "usd": 2.82e9, "eur": 2.38e9}
    assert [a["currency"] for a in event["amounts"]] == ["CNY", "USD"]
    assert event["amounts_disagree"] is True and event["confirmed"] is True
    assert event["languages"] == ["en", "fr", "zh"] and event["records"] is None
    assert [s["url"] for s in doc["sources"]] == [a["url"] for a in EVENT["articles"]]
    assert set(doc["sources"][0]) == {"published", "source", "lang", "title", "url"}
    assert "18.2bn CNY (2.82bn USD)" in doc["summary"]
    json.dumps(doc)  # plain JSON types only
    update = alert_json(make_alert(kind="update", version=2), "email")
    assert update["idempotency_key"] == "ev-0123456789:ir team:email:2"
    assert update["summary"].startswith("[riskwatch] Update: ")


def test_alert_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        make_alert(kind="again")


def test_email_text_has_subject_facts_evidence_and_every_source():
    text = email_text(make_alert())
    first = text.splitlines()[0]
    assert first == "Regulatory fine: Alibaba Group — 18.2bn CNY (2.82bn USD)"
    assert "市场监管总局依法对阿里巴巴集团处以182.28亿元罚款。" in text
    assert "Regulator: samr (its own release)" in text
    assert "Action date: 2021-04-10" in text
    assert "Amounts reported: 18.2bn CNY (2 articles); 18bn USD (1 article)" in text
    for article in EVENT["articles"]:
        assert article["url"] in text
    assert "2021-04-11 06:00 UTC  lemonde [fr]" in text  # converted to UTC


def test_translation_hint_prefers_the_readers_language_then_marks_another():
    alert = make_alert()
    assert "[zh] 阿里巴巴" in email_text(alert)  # the headline is marked with its language
    assert translation_hint(alert, "en").startswith("English headline (wire): China fines")
    assert translation_hint(alert, "zh") is None
    no_english = make_alert(event={"articles": [EVENT["articles"][0], EVENT["articles"][2]]})
    assert translation_hint(no_english, "en") == (
        "No English headline; [fr] Amende record de 2,3 milliards d'euros pour Alibaba"
    )
    alone = make_alert(event={"articles": EVENT["articles"][:1], "languages": '["zh"]'})
    assert (
        translation_hint(alone, "en")
        == "No English headline among the sources; the headline is [zh]"
    )


def test_email_html_escapes_everything_from_articles():
    html = email_html(make_alert())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert 'href="https://wire.example/en1?a=1&amp;b=&quot;2&quot;"' in html
    assert 'href="javascript:' not in html  # shown as text, never a link
    assert "javascript:alert(1)" in html
    assert "English headline (wire)" in html


def test_a_firm_name_with_a_line_break_cannot_break_the_subject():
    alert = make_alert(event={"company_name": "Evil\r\nBcc: all@example.com", "unknown_company": 1})
    assert "\n" not in alert_json(alert)["summary"] and "\r" not in alert_json(alert)["summary"]


def test_terminal_line_is_one_line():
    line = terminal_line(make_alert(event={"title": "two\nlines"}))
    assert "\n" not in line
    assert line.startswith("alert new v1 [ir team] regulatory_fine Alibaba Group 2021-04-10")
    assert line.endswith("ev-0123456789: two lines")


# --- webhook --------------------------------------------------------------------------------


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


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


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


# --- e-mail ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailHandler:
    """Records accepted messages; `rcpt_reply` refuses recipients, `data_replies` answer DATA
    in turn (then 250)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rcpt_reply: dict[str, str] = {}
        self.data_replies: list[str] = []
        self.sessions = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rcpt_reply:
            return self.rcpt_reply[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.sessions += 1
        if self.data_replies:
            return self.data_replies.pop(0)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"


@pytest.fixture
def smtpd():
    handler = MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.settings = SmtpSettings(
        "127.0.0.1", controller.port, "alerts@riskwatch.example", timeout=5
    )
    yield handler
    controller.stop()


def test_email_arrives_as_text_and_html_with_a_deterministic_message_id(smtpd):
    alert = make_alert()
    delivery = send_email(smtpd.settings, ["ir@example.com", "cfo@example.com"], alert)
    assert (delivery.ok, delivery.status, delivery.attempts, delivery.error) == (True, 250, 1, None)
    (msg,) = smtpd.messages
    assert smtpd.envelopes == [("alerts@riskwatch.example", ["ir@example.com", "cfo@example.com"])]
    assert msg["Subject"] == "[riskwatch] Regulatory fine: Alibaba Group — 18.2bn CNY (2.82bn USD)"
    key = idempotency_key(alert, "email")
    assert msg["Message-ID"] == message_id(key, "alerts@riskwatch.example")
    assert msg["Message-ID"].endswith("@riskwatch.example>")
    assert msg["X-Riskwatch-Idempotency-Key"] == key
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "市场监管总局依法对阿里巴巴集团处以182.28亿元罚款。" in text
    assert "市场监管总局依法对阿里巴巴集团处以182.28亿元罚款。" in html
    assert "https://samr.example/zh1" in text and 'href="https://samr.example/zh1"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_update_threads_under_the_earlier_versions(smtpd):
    assert send_email(smtpd.settings, ["ir@example.com"], make_alert(kind="update", version=3)).ok
    (msg,) = smtpd.messages
    first, second = (
        message_id(f"ev-0123456789:ir team:email:{v}", "alerts@riskwatch.example") for v in (1, 2)
    )
    assert msg["In-Reply-To"] == second
    assert msg["References"] == f"{first} {second}"
    assert msg["Subject"].startswith("[riskwatch] Update: ")


def test_a_refused_recipient_is_final_and_not_retried(smtpd):
    smtpd.rcpt_reply = {"nobody@example.com": "550 5.1.1 No such user"}
    sleeps = Sleeps()
    delivery = send_email(smtpd.settings, ["nobody@example.com"], make_alert(), sleep=sleeps)
    assert (delivery.ok, delivery.status, delivery.attempts) == (False, 550, 1)
    assert "550 5.1.1 No such user" in delivery.error
    assert sleeps == [] and smtpd.messages == []


def test_a_refused_message_is_final_and_not_retried(smtpd):
    smtpd.data_replies = ["554 5.7.1 Rejected as spam"]
    sleeps = Sleeps()
    delivery = send_email(smtpd.settings, ["ir@example.com"], make_alert(), sleep=sleeps)
    assert (delivery.ok, delivery.status, delivery.attempts) == (False, 554, 1)
    assert sleeps == [] and smtpd.sessions == 1


def test_a_temporary_error_is_retried_then_delivered(smtpd):
    smtpd.data_replies = ["451 4.3.0 Try again later"]
    sleeps = Sleeps()
    delivery = send_email(smtpd.settings, ["ir@example.com"], make_alert(), sleep=sleeps)
    assert (delivery.ok, delivery.status, delivery.attempts) == (True, 250, 2)
    assert sleeps == [1.0] and len(smtpd.messages) == 1


def test_one_recipient_refused_for_now_is_tried_again_alone(smtpd):
    smtpd.rcpt_reply = {"busy@example.com": "452 4.2.2 Mailbox full"}
    sleeps = Sleeps()
    delivery = send_email(
        smtpd.settings,
        ["ir@example.com", "busy@example.com"],
        make_alert(),
        retries=1,
        sleep=sleeps,
    )
    assert delivery.ok and delivery.attempts == 2
    assert "busy@example.com refused: 452" in delivery.error
    assert smtpd.envelopes == [("alerts@riskwatch.example", ["ir@example.com"])]


@pytest.fixture
def tls_smtpd(tmp_path, monkeypatch):
    """An SMTP server that requires STARTTLS (a self-signed certificate for 127.0.0.1 that the
    client trusts through SSL_CERT_FILE) and then a login as ir / pw."""
    cert, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = MailHandler()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (b"ir", b"pw")
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), tls_context=context,
        require_starttls=True, authenticator=authenticator, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    handler.settings = SmtpSettings(
        "127.0.0.1", controller.port, "alerts@riskwatch.example", user="ir", password="pw",
        starttls=True, timeout=5,
    )  # fmt: skip
    yield handler
    controller.stop()


def self_signed_certificate(folder):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "riskwatch test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_starttls_and_login(tls_smtpd):
    delivery = send_email(tls_smtpd.settings, ["ir@example.com"], make_alert())
    assert (delivery.ok, delivery.attempts) == (True, 1)
    assert len(tls_smtpd.messages) == 1


def test_a_wrong_password_is_final_and_not_retried(tls_smtpd):
    settings = replace(tls_smtpd.settings, password="wrong")
    sleeps = Sleeps()
    delivery = send_email(settings, ["ir@example.com"], make_alert(), sleep=sleeps)
    assert (delivery.ok, delivery.status, delivery.attempts) == (False, 535, 1)
    assert sleeps == [] and tls_smtpd.messages == []


def test_starttls_asked_of_a_server_without_it_is_final(smtpd):
    settings = replace(smtpd.settings, starttls=True)
    sleeps = Sleeps()
    delivery = send_email(settings, ["ir@example.com"], make_alert(), sleep=sleeps)
    assert (delivery.ok, delivery.attempts) == (False, 1)
    assert "SMTPNotSupportedError" in delivery.error and sleeps == []


def test_no_smtp_server_is_retried_then_reported():
    settings = SmtpSettings("127.0.0.1", free_port(), "alerts@riskwatch.example", timeout=2)
    sleeps = Sleeps()
    delivery = send_email(settings, ["ir@example.com"], make_alert(), retries=2, sleep=sleeps)
    assert (delivery.ok, delivery.status, delivery.attempts) == (False, None, 3)
    assert "ConnectionRefusedError" in delivery.error
    assert sleeps == [1.0, 2.0]


def test_email_needs_a_recipient(smtpd):
    with pytest.raises(ConfigError, match="recipient"):
        send_email(smtpd.settings, [], make_alert())


# --- digest from a real database --------------------------------------------------------------


@pytest.fixture
def events_db(db_path):
    db = store.open_db(db_path)
    add(
        db,
        "jan",
        "Alibaba fined 500,000 yuan over merger filing",
        "SAMR fined Alibaba 500,000 yuan on Monday.",
        "2021-01-11T09:00:00Z",
    )
    add(
        db,
        "en1",
        "China fines Alibaba record 18.2 billion yuan",
        "The market regulator fined Alibaba 18.228 billion yuan on Saturday.",
        "2021-04-10T09:00:00Z",
        source="reuters",
    )
    add(
        db,
        "zh1",
        "阿里巴巴因“二选一”被罚182.28亿元",
        "4月10日，市场监管总局依法对阿里巴巴集团处以182.28亿元罚款。",
        "2021-04-10T03:00:00Z",
        source="samr",
        lang="zh",
    )
    add(
        db,
        "mt1",
        "Meituan fined 3.44 billion yuan",
        "SAMR fined Meituan 3.442 billion yuan on Saturday.",
        "2021-04-10T12:00:00Z",
        score=0.6,
    )
    add(
        db,
        "br1",
        "Crawler scraped 1.2 billion Taobao user records",
        "Data on Taobao users was scraped by a crawler.",
        "2021-04-11T08:00:00Z",
        tag="data_breach",
    )
    # stamps with offsets: the 10th in UTC, though written as the 11th, and the reverse
    add(
        db,
        "bd1",
        "Baidu fined 500,000 yuan by SAMR",
        "SAMR fined Baidu 500,000 yuan on Sunday.",
        "2021-04-11T01:00:00+08:00",
    )
    add(
        db,
        "tx1",
        "Tencent fined 500,000 yuan by SAMR",
        "SAMR fined Tencent 500,000 yuan on Saturday.",
        "2021-04-10T23:30:00-02:00",
    )
    build_events(db)
    return db


def test_daily_digest_has_exactly_that_days_matching_events_and_a_png(events_db, tmp_path):
    watch = WatchFilter(types={"regulatory_fine"}, name="ir team")
    digest = daily_digest(events_db, watch, date(2021, 4, 10), tmp_path / "out")
    # first seen on the 10th in UTC: the record fine (in Chinese at 03:00), Meituan's, and
    # Baidu's (01:00 on the 11th at UTC+8); not Tencent's (23:30 on the 10th at UTC-2)
    assert [e["company"] for e in digest.events] == ["alibaba", "meituan", "baidu"]
    assert digest.events[0]["n_articles"] == 2
    assert digest.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert digest.png.name == "digest-ir-team-2021-04-10.png"
    assert digest.text.startswith(
        "ir team digest 2021-04-10: 3 new events\nNew events: 3 regulatory fines"
    )
    assert "被罚182.28亿元" in digest.text
    assert "first: samr 2021-04-10 03:00 UTC" in digest.text
    assert str(digest.png) in digest.text
    assert f'src="{digest.png.name}"' in digest.html
    assert {p.suffix for p in digest.files} == {".txt", ".html", ".png"}
    assert all(p.exists() for p in digest.files)
    assert "Tencent" not in digest.text and "Taobao" not in digest.text


def test_watch_filter_parts(events_db, tmp_path):
    day = date(2021, 4, 10)

    def firms(**kwargs):
        digest = daily_digest(events_db, WatchFilter(**kwargs), day, tmp_path)
        return [e["company"] for e in digest.events]

    assert firms() == ["alibaba", "meituan", "baidu"]
    assert firms(companies={"meituan", "tencent"}) == ["meituan"]
    assert firms(min_score=0.8) == ["alibaba", "baidu"]
    assert firms(languages={"zh", "fr"}) == ["alibaba"]
    assert firms(types={"data_breach"}) == []
    nothing = daily_digest(events_db, WatchFilter(companies={"xiaomi"}), day, tmp_path)
    assert nothing.events == [] and nothing.png is None
    assert "No new events today." in nothing.text
    breach = daily_digest(
        events_db, WatchFilter(types={"data_breach"}), date(2021, 4, 11), tmp_path
    )
    assert [e["company"] for e in breach.events] == ["alibaba"]  # Taobao is Alibaba's
    assert "taobao" in breach.events[0]["companies"]


def test_filter_for_a_watchlist(events_db, tmp_path):
    watchlist = SimpleNamespace(
        name="ir", companies=frozenset({"alibaba"}), types=frozenset(), min_score=0.0,
        languages=frozenset({"zh"}), channels=(),
    )  # fmt: skip
    watch = filter_for(watchlist)
    assert watch == WatchFilter({"alibaba"}, set(), 0.0, {"zh"}, "ir")
    digest = daily_digest(events_db, watch, date(2021, 4, 10), tmp_path)
    assert [e["company"] for e in digest.events] == ["alibaba"]


def test_digest_and_a_stored_event_go_out_by_email(events_db, tmp_path, smtpd):
    watch = WatchFilter(companies={"alibaba"}, types={"regulatory_fine"}, name="ir team")
    digest = daily_digest(events_db, watch, date(2021, 4, 10), tmp_path)
    assert send_digest(smtpd.settings, ["ir@example.com"], digest).ok
    (msg,) = smtpd.messages
    assert msg["Subject"] == "[riskwatch] ir team digest 2021-04-10: 1 new event"
    (image,) = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert image.get_content() == digest.png.read_bytes()
    html = msg.get_body(("html",)).get_content()
    assert f"cid:{image['Content-ID'][1:-1]}" in html

    alert = Alert(store.get_event(events_db, digest.events[0]["id"]), "ir team")
    doc = alert_json(alert)
    assert sorted(s["url"] for s in doc["sources"]) == [
        "https://reuters.example/en1",
        "https://samr.example/zh1",
    ]
    assert send_email(smtpd.settings, ["ir@example.com"], alert).ok
    text = smtpd.messages[1].get_body(("plain",)).get_content()
    assert "English headline (reuters): China fines Alibaba record 18.2 billion yuan" in text
    assert "https://reuters.example/en1" in text and "https://samr.example/zh1" in text
