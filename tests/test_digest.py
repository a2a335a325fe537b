"""The daily digest from a real database file: that day's matching events, a PNG
timeline, and the mail that carries them."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

import store
from nlp.events.run import build_events
from riskwatch.alerts import (
    Alert,
    WatchFilter,
    alert_json,
    daily_digest,
    filter_for,
    send_digest,
    send_email,
)
from tests.tagged_articles import add


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
