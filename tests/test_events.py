"""From tagged articles to events, in a real database file: one event per real action."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

import store
from bench.events import bcubed, fill, load_articles, predicted_clusters
from nlp.action_dates import action_date
from nlp.classify import EventTag
from nlp.dedupe import is_duplicate, signature
from nlp.events.run import build_events
from riskwatch.cli import cli
from tests.tagged_articles import add

FINE = "regulatory_fine"


def events(db):
    return store.list_events(db, limit=None)


@pytest.fixture
def db(db_path):
    return store.open_db(db_path)


def test_one_fine_told_in_three_languages_is_one_event(db):
    add(
        db,
        "en1",
        "China fines Alibaba record 18.2 billion yuan",
        "The market regulator fined Alibaba 18.228 billion yuan on Saturday for abusing its "
        "dominant position.",
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
        "fr1",
        "Amende record de 2,3 milliards d'euros pour Alibaba",
        "Le régulateur chinois a infligé samedi une amende de 18,2 milliards de yuans à Alibaba.",
        "2021-04-11T08:00:00Z",
        source="lemonde",
        lang="fr",
    )
    store.sync_sources(db, [{"name": "samr", "lang": "zh", "kind": "regulator"}])
    stats = build_events(db)
    assert (stats.articles, stats.new_events) == (3, 1)
    (event,) = events(db)
    assert event["company"] == "alibaba" and event["regulator"] == "samr"
    assert event["action_date"] == "2021-04-10"
    assert json.loads(event["languages"]) == ["en", "fr", "zh"]
    assert (event["first_source"], event["lead_hours"]) == ("samr", 6.0)
    assert event["amount_currency"] == "CNY" and event["amount_value"] == pytest.approx(18.228e9)
    assert 2.7e9 < event["amount_usd"] < 2.9e9
    assert event["amounts_disagree"] == 0  # "2,3 milliards d'euros" is the same sum converted
    assert event["n_articles"] == 3 and event["confirmed"] == 1


def test_contradicting_amounts_are_kept_and_shown(db):
    add(
        db,
        "m1",
        "Meituan fined 3.44 billion yuan",
        "SAMR fined Meituan 3.442 billion yuan.",
        "2021-10-08T09:00:00Z",
    )
    add(
        db,
        "m2",
        "Meituan hit with $3.44 billion antitrust fine",
        "Meituan was fined on Friday.",
        "2021-10-08T11:00:00Z",
        source="other",
    )
    build_events(db)
    (event,) = events(db)
    amounts = json.loads(event["amounts"])
    assert event["amounts_disagree"] == 1
    assert {(a["currency"], a["articles"]) for a in amounts} == {("CNY", 1), ("USD", 1)}


def test_a_unit_is_its_group_and_the_company_filter_covers_units(db, db_path):
    add(
        db,
        "a",
        "Crawler scraped 1.2 billion Taobao user records",
        "Data on Taobao users was scraped by a crawler.",
        "2021-06-16T08:00:00Z",
        tag="data_breach",
    )
    add(
        db,
        "b",
        "阿里巴巴旗下淘宝11.8亿条用户信息遭爬取",
        "淘宝用户信息被爬虫抓取。",
        "2021-06-17T08:00:00Z",
        tag="data_breach",
        lang="zh",
    )
    build_events(db)
    (event,) = events(db)
    assert event["company"] == "alibaba" and event["records_unit"] == "records"
    assert store.list_events(db, company="alibaba") == store.list_events(db, company="taobao")


def test_syndicated_copies_are_marked_as_copies(db):
    body = (
        "The Irish Data Protection Commission fined Meta 265 million euros on Monday over the "
        "scraping of data on 533 million Facebook users, the regulator said in a statement."
    )
    add(
        db,
        "w1",
        "Meta fined 265 million euros over Facebook data scraping",
        body,
        "2022-11-28T10:00:00Z",
        source="wire",
    )
    add(
        db,
        "w2",
        "Facebook owner fined over scraped data",
        "PARIS (Wire) - " + body,
        "2022-11-28T12:00:00Z",
        source="portal",
    )
    build_events(db)
    (event,) = events(db)
    rows = list(db.query("SELECT article_id, duplicate_of FROM article_facts ORDER BY article_id"))
    assert rows == [
        {"article_id": "w1", "duplicate_of": None},
        {"article_id": "w2", "duplicate_of": "w1"},
    ]
    assert event["n_sources"] == 2


def test_one_regulator_fining_two_firms_on_one_day_makes_two_events(db):
    add(
        db,
        "c1",
        "CNIL fines Google and Amazon over cookies",
        "The CNIL fined Google 100 million euros and Amazon 35 million euros on Thursday.",
        "2020-12-10T09:00:00Z",
        ev="The CNIL fined Google 100 million euros and Amazon 35 million euros on Thursday.",
    )
    build_events(db)
    found = {e["company"]: e["amount_value"] for e in events(db)}
    assert found == {"alphabet": 100e6, "amazon": 35e6}


def test_a_past_fine_recalled_in_a_new_story_joins_the_old_event(db):
    add(
        db,
        "old",
        "Alibaba fined 18.2 billion yuan",
        "SAMR fined Alibaba 18.2 billion yuan.",
        "2021-04-10T09:00:00Z",
    )
    add(
        db,
        "new",
        "Meituan fined 3.44 billion yuan in antitrust case",
        "SAMR fined Meituan 3.44 billion yuan on Friday. Alibaba was fined 18.2 billion yuan "
        "by the same regulator in April.",
        "2021-10-08T09:00:00Z",
        ev="SAMR fined Meituan 3.44 billion yuan on Friday.",
    )
    build_events(db)
    by_firm = {e["company"]: e for e in events(db)}
    assert set(by_firm) == {"alibaba", "meituan"}
    assert by_firm["alibaba"]["n_articles"] == 2  # the recall joined, it did not start one
    assert by_firm["alibaba"]["title"] == "Alibaba fined 18.2 billion yuan"


def test_an_appeal_months_later_is_an_update_that_follows_the_fine(db):
    add(
        db,
        "f",
        "Google fined 50 million euros by CNIL",
        "The CNIL fined Google 50 million euros.",
        "2019-01-21T09:00:00Z",
    )
    add(
        db,
        "u",
        "Top court upholds Google's 50 million euro fine",
        "France's Conseil d'Etat upheld the fine on Friday.",
        "2020-06-19T09:00:00Z",
        ev="France's Conseil d'Etat upheld the 50 million euro fine on Google on Friday.",
    )
    build_events(db)
    first, update = sorted(events(db), key=lambda e: e["action_date"])
    assert update["follows"] == first["id"]
    assert store.get_event(db, first["id"])["followed_by"] == [update["id"]]


def test_an_unknown_firm_is_kept_flagged_and_grouped_by_its_name(db):
    add(
        db,
        "s1",
        "Spartoo fined 250,000 euros by the CNIL",
        "The CNIL fined online shoe retailer Spartoo 250,000 euros. Spartoo said it would comply.",
        "2020-08-05T09:00:00Z",
    )
    add(
        db,
        "s2",
        "La CNIL inflige 250 000 euros d'amende à Spartoo",
        "Spartoo, le site de chaussures, est sanctionné. Spartoo dispose de deux mois.",
        "2020-08-06T09:00:00Z",
        lang="fr",
    )
    build_events(db)
    (event,) = events(db)
    assert event["unknown_company"] == 1 and event["company_name"] == "Spartoo"
    assert event["n_articles"] == 2


def test_the_stage_is_idempotent_and_follows_retagging(db):
    add(
        db,
        "x",
        "Didi fined 8 billion yuan",
        "The CAC fined Didi Global 8.026 billion yuan.",
        "2022-07-21T09:00:00Z",
    )
    build_events(db)
    assert build_events(db).articles == 0
    first = [e["id"] for e in events(db)]
    store.save_tags(db, "x", [EventTag(FINE, 0.8, "The CAC fined Didi Global 8.026 billion yuan.")],
                    "test", "2")  # fmt: skip
    assert build_events(db).articles == 1
    assert [e["id"] for e in events(db)] == first
    store.save_tags(db, "x", [], "test", "3")  # the tag is gone: so is the event
    build_events(db)
    assert events(db) == []


def test_action_dates_are_read_against_the_publication_date():
    published = date(2021, 4, 12)
    assert action_date(["fined on Saturday"], published).day == date(2021, 4, 10)
    assert action_date(["le 10 avril 2021"], published).day == date(2021, 4, 10)
    assert action_date(["2021年4月10日"], published).day == date(2021, 4, 10)
    assert action_date(["the 2019 fine"], published).precision == "year"
    assert action_date(["Alibaba fined"], published).precision == "published"


def test_near_duplicates_by_minhash():
    text = "Alibaba was fined 18.2 billion yuan by SAMR on Saturday for abusing its position."
    assert is_duplicate(signature(text), signature("BEIJING - " + text))
    assert not is_duplicate(signature(text), signature("Tencent reported revenue growth."))


def test_the_labelled_event_set_groups_well_without_the_model(tmp_path):
    """A floor against regressions; bench/events.py reports the figure with the model."""
    articles = load_articles()
    assert len(articles) >= 80 and len({e["event"] for a in articles for e in a["events"]}) >= 25
    db = store.open_db(tmp_path / "events.db")
    fill(db, articles, {})
    build_events(db)
    assert bcubed(articles, predicted_clusters(db))[2] >= 0.88


def test_events_and_event_commands(db, db_path):
    add(
        db,
        "en1",
        "China fines Alibaba record 18.2 billion yuan",
        "The regulator fined Alibaba 18.228 billion yuan on Saturday.",
        "2021-04-10T09:00:00Z",
    )
    build_events(db)
    run = CliRunner().invoke
    listed = run(cli, ["events", "--db", str(db_path), "--company", "taobao", "--format", "json"])
    assert listed.exit_code == 0 and listed.output == ""  # the group's event is not the unit's
    rows = run(cli, ["events", "--db", str(db_path), "--company", "Alibaba", "--format", "json"])
    (row,) = [json.loads(line) for line in rows.output.splitlines()]
    assert row["company"] == "alibaba" and row["languages"] == ["en"]
    table = run(cli, ["events", "--db", str(db_path), "--type", FINE]).output
    assert "Alibaba Group" in table and "18.2bn CNY" in table
    detail = run(cli, ["event", row["id"], "--db", str(db_path)]).output
    assert "Articles" in detail and "China fines Alibaba" in detail
    unknown = run(cli, ["events", "--db", str(db_path), "--company", "alibba"])
    assert unknown.exit_code == 1 and "did you mean alibaba" in unknown.output
    missing = run(cli, ["event", "ev-nope", "--db", str(db_path)])
    assert missing.exit_code == 1 and "no event 'ev-nope'" in missing.output
    firms = run(cli, ["companies", "阿里"]).output
    assert "alibaba" in firms


def test_a_firm_mentioned_in_passing_gets_no_event(db):
    add(
        db,
        "p",
        "Alibaba fined 18.2 billion yuan for abusing market dominance",
        "SAMR fined Alibaba 18.2 billion yuan on Saturday. Shares of JD.com, a rival, rose 2% "
        "in Hong Kong trading.",
        "2021-04-10T09:00:00Z",
    )
    build_events(db)
    assert [e["company"] for e in events(db)] == ["alibaba"]
    (fact,) = db.query("SELECT mentioned FROM article_facts")
    assert json.loads(fact["mentioned"]) == ["alibaba", "jd"]  # seen, but not the event's firm


def test_a_megabyte_article_goes_through_the_stage(db):
    body = "The CNIL fined Google 100 million euros. " + "Regulators met on Monday. " * 40_000
    add(db, "big", "Google fined 100 million euros", body[:1_000_000], "2020-12-10T09:00:00Z")
    assert build_events(db).facts == 1
    assert events(db)[0]["amount_value"] == 100e6
