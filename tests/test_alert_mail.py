"""The e-mail channel against real SMTP receivers on 127.0.0.1 (aiosmtpd): message ids,
threading, refusals, temporary errors, STARTTLS and login."""

from __future__ import annotations

from dataclasses import replace

import pytest

from riskwatch.alerts import (
    SmtpSettings,
    idempotency_key,
    message_id,
    send_email,
)
from riskwatch.errors import ConfigError
from tests.alert_samples import Sleeps, free_port, make_alert


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
