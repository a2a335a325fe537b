"""Shared pieces of the alert tests: a sample event and alert, and real SMTP receivers
on 127.0.0.1 (aiosmtpd), plain and with STARTTLS and a throwaway certificate."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from riskwatch.alerts import (
    Alert,
    SmtpSettings,
)

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


class Sleeps(list):
    """A stand-in for time.sleep that records the waits asked for."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
