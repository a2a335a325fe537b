"""Alert messages: the JSON schema, e-mail text and HTML, the translation hint, the
terminal line."""

from __future__ import annotations

import json

import pytest

from riskwatch.alerts import (
    alert_json,
    email_html,
    email_text,
    terminal_line,
    translation_hint,
)
from tests.alert_samples import EVENT, make_alert


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
