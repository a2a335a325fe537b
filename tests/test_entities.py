"""The company and regulator registries and matching them in text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.companies import DATA, HELDOUT, measure
from nlp.entities.matcher import EntityMatcher
from nlp.entities.registry import load_registry
from riskwatch.errors import ConfigError


@pytest.fixture(scope="module")
def companies():
    return load_registry("company")


@pytest.fixture(scope="module")
def matcher(companies):
    return EntityMatcher(companies)


def found(matcher, text, context=None):
    return [m.entity for m in matcher.find(text, context=context)]


def test_the_shipped_registries_cover_the_firms_and_regulators_users_name(companies):
    regulators = load_registry("regulator")
    assert len(companies) >= 80 and len(regulators) >= 40
    for firm in ("alibaba", "taobao", "ant-group", "alipay", "tencent", "meta", "apple", "sap"):
        assert firm in companies
    for body in ("samr", "cac", "csrc", "sse", "hkex", "sec", "ftc", "cnil", "ico", "dpc-ie"):
        assert body in regulators
    assert companies["alibaba"].tickers == ("BABA", "9988.HK")


def test_units_roll_up_and_affiliates_stay_separate(companies):
    assert companies.top("taobao") == "alibaba"
    assert companies.top("alipay") == "ant-group"
    assert companies.top("ant-group") == "ant-group"  # an affiliate, not a unit
    assert {"taobao", "tmall", "alibaba-cloud"} <= companies.members("alibaba")
    assert "ant-group" not in companies.members("alibaba")


def test_names_tickers_and_near_misses_resolve(companies):
    assert companies.resolve("Alibaba") == companies.resolve("阿里巴巴") == "alibaba"
    assert companies.resolve("9988.HK") == "alibaba"
    assert companies.resolve("alibba") is None
    assert "alibaba" in companies.suggest("alibba")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Alibaba's Taobao was fined", ["alibaba", "taobao"]),
        ("Tencent-backed Meituan", ["tencent", "meituan"]),
        ("ALIBABA HIT WITH RECORD FINE", ["alibaba"]),
        ("Dinner at Applebee's", []),
        ("阿里巴巴集团被罚182.28亿元", ["alibaba"]),
        ("他住在北京东路附近", []),  # 京东 inside a street name
        ("京东被约谈", ["jd"]),
        ("跨境平台Temu在欧洲被调查", ["temu"]),  # a Latin name next to Chinese characters
        ("阿里巴巴-SW（9988.HK）早盘上涨", ["alibaba", "alibaba"]),  # the name and the ticker
        ("An apple pie recipe", []),
        ("Apple pie and Amazon rainforest photos", []),  # ambiguous, no context
        ("Apple was fined 1.8 billion euros", ["apple"]),  # a firm's story
        ("小米粥的做法", []),
        ("小米手机销量第一", ["xiaomi"]),
    ],
)
def test_matching_respects_word_boundaries_blockers_and_context(matcher, text, want):
    assert found(matcher, text) == want


def test_an_ambiguous_name_in_a_sentence_takes_context_from_its_article(matcher):
    sentence = "Apple said the ruling was wrong."
    assert found(matcher, sentence) == []
    assert found(matcher, sentence, context="Apple must change App Store rules. " + sentence)


def test_a_megabyte_of_text_is_matched_in_one_pass(matcher):
    text = ("Regulators said Tencent and Alibaba must comply. " * 25_000)[:1_000_000]
    assert len(found(matcher, text)) > 30_000


@pytest.mark.parametrize("path", [DATA, HELDOUT], ids=["tuning-set", "held-out-set"])
def test_company_matching_precision_and_recall_on_labelled_sentences(matcher, path):
    cases = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    assert len(cases) >= 200
    result = measure(lambda s: {m.entity for m in matcher.find(s)}, cases)
    precision, recall = result["all"]
    assert precision >= 0.95 and recall >= 0.95


def test_a_users_file_adds_firms_and_extends_shipped_ones(tmp_path):
    mine = tmp_path / "firms.toml"
    mine.write_text(
        '[acme-cloud]\nname = "Acme Cloud"\nrelations = [{to = "alibaba", type = "unit"}]\n'
        '[acme-cloud.names]\nen = ["Acme Cloud"]\nzh = ["阿克米云"]\n'
        '[alibaba.names]\nen = ["Ali Group"]\n',
        encoding="utf-8",
    )
    registry = load_registry("company", [mine])
    assert registry.top("acme-cloud") == "alibaba"
    assert "Ali Group" in registry["alibaba"].all_names()
    assert "Alibaba" in registry["alibaba"].all_names()  # extended, not replaced
    assert found(EntityMatcher(registry), "阿克米云发生数据泄露") == ["acme-cloud"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('[Bad_Id]\nname = "x"\n', "ids are lower-case"),
        ('[acme]\nnmae = "x"\n', "unknown key 'nmae'"),
        ('[acme]\nrelations = [{to = "alibba", type = "unit"}]\n', "did you mean alibaba"),
        ('[acme]\nrelations = [{to = "alibaba", type = "cousin"}]\n', "needs `to` and a `type`"),
        ("[acme\n", "not valid TOML"),
    ],
)
def test_a_bad_users_file_is_named_in_one_line(tmp_path, entry, message):
    mine = tmp_path / "firms.toml"
    mine.write_text(entry, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_registry("company", [mine])
