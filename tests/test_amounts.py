"""Money, record counts and numbers as news writes them, in several languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.amounts import TABLE, parsed, same
from nlp.amounts import find_money
from nlp.counts import find_counts
from nlp.fx import load_rates
from nlp.numbers import number_value


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("1.234", "de", 1234),  # a dot before three digits groups thousands in German
        ("1.234", "en", 1.234),
        ("1,234", "en", 1234),
        ("1,234", "fr", 1.234),
        ("18,2", "fr", 18.2),
        ("1\u202f234\u202f567", "fr", 1234567),
        ("1'000'000", "de", 1e6),
        ("1.234.567,89", "de", 1234567.89),
        ("182.28亿", "zh", 18.228e9),
        ("1.2万亿", "zh", 1.2e12),
        ("1億2000万", "ja", 1.2e8),
        ("十八亿", "zh", 1.8e9),
        ("五千万", "zh", 5e7),
        ("50余亿", "zh", 5e9),
        ("3,370만", "ko", 3.37e7),
    ],
)
def test_numbers_follow_the_writers_conventions(text, lang, value):
    assert number_value(text, lang) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "lang", "want"),
    [
        ("18,2 milliards de yuans", "fr", [(18.2e9, "CNY", "amount")]),
        ("罚款182.28亿元", "zh", [(18.228e9, "CNY", "amount")]),
        ("fined $2.77 billion", "en", [(2.77e9, "USD", "amount")]),
        ("2,42 Mrd. Euro", "de", [(2.42e9, "EUR", "amount")]),
        ("€2.3bn", "en", [(2.3e9, "EUR", "amount")]),
        ("18.228 billion yuan ($2.8bn)", "en", [(18.228e9, "CNY", "amount"), (2.8e9, "USD", "amount")]),
        ("up to €20 million or 4% of turnover", "en", [(20e6, "EUR", "cap")]),
        ("最高可处5000万元以下罚款", "zh", [(5e7, "CNY", "cap")]),
        ("a ¥500 million fine on Alibaba in China", "en", [(5e8, "CNY", "amount")]),
        ("課徴金1億2000万円", "ja", [(1.2e8, "JPY", "amount")]),
        ("iOS 17.4 shipped in 2021 with a 4% rise", "en", []),
        ("罚款", "zh", []),
        ("", "en", []),
    ],
)  # fmt: skip
def test_money_has_a_value_a_currency_and_a_kind(text, lang, want):
    got = [(m.value, m.currency, m.kind) for m in find_money(text, lang)]
    assert got == [(pytest.approx(v), c, k) for v, c, k in want]


def test_ranges_keep_both_ends():
    (low,) = find_money("处500万至1000万元罚款", "zh")
    assert (low.kind, low.value, low.high) == ("range", 5e6, 1e7)
    (shared,) = find_money("remediation costs of $30-40 million", "en")
    assert (shared.value, shared.high) == (30e6, 40e6)


@pytest.mark.parametrize(
    ("text", "lang", "want"),
    [
        ("a crawler scraped 1.2 billion user records from Taobao", "en", [(1.2e9, "records")]),
        ("爬取淘宝12亿条用户数据", "zh", [(1.2e9, "records")]),
        ("les données de 533 millions de comptes Facebook", "fr", [(5.33e8, "accounts")]),
        ("the data of 700 million users leaked", "en", [(7e8, "users")]),
        ("Meituan has 700 million users", "en", []),  # a user base, not a breach count
        ("The bank hired 500 security staff after the leak", "en", []),
        ("約1000万件の個人情報が流出", "ja", [(1e7, "records")]),
    ],
)
def test_counts_of_exposed_data(text, lang, want):
    assert [(c.value, c.unit) for c in find_counts(text, lang)] == [
        (pytest.approx(v), u) for v, u in want
    ]


def test_a_megabyte_article_is_read_in_one_pass():
    paragraph = "The regulator said on Tuesday the firm failed to protect its users. " * 30
    text = (paragraph + "It was fined $1.2 million after 2,000 users' data leaked. ") * 500
    text = text[:1_000_000]
    assert len(find_money(text, "en")) >= 400
    assert len(find_counts(text, "en")) >= 400


def test_the_shipped_table_of_cases_stays_above_97_percent_exact():
    cases = [json.loads(line) for line in Path(TABLE).read_text(encoding="utf-8").splitlines()]
    assert len(cases) >= 150
    exact = 0
    for case in cases:
        money, counts = parsed(case["text"], case["lang"])
        exact += same(money, case["money"]) and same(counts, case["counts"])
    assert exact / len(cases) >= 0.97


def test_amounts_convert_at_the_year_of_the_action():
    rates = load_rates()
    usd_2021 = rates.convert(18.228e9, "CNY", "USD", 2021)
    assert 2.7e9 < usd_2021 < 2.9e9  # reported at the time as $2.8bn
    assert rates.convert(1.0, "EUR", "EUR", 1990) == pytest.approx(1.0)  # before the table
    assert rates.convert(1.0, "XYZ", "USD", 2021) is None
