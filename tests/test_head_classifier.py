"""The default classifier end to end: encoder, first pass, head, windows and evidence."""

from __future__ import annotations

import time

import pytest

from nlp.classify import classifier_text, load_classifier
from nlp.sentences import split_sentences


@pytest.fixture(scope="module")
def classifier(default_model):
    return load_classifier("default")


CASES = [
    (
        "Ant Group IPO suspended",
        "The Shanghai Stock Exchange halted Ant Group's listing two days before trading was due "
        "to start, citing a change in the regulatory environment.",
        {"ipo_suspension"},
    ),
    ("", "上交所暂缓蚂蚁集团科创板上市。", {"ipo_suspension"}),
    ("", "市场监管总局对阿里巴巴处以182.28亿元罚款。", {"regulatory_fine"}),
    (
        "La CNIL inflige une amende de 150 millions d'euros à Google",
        "Le gendarme des données reproche au moteur de recherche d'avoir rendu le refus des "
        "cookies plus compliqué que leur acceptation.",
        {"regulatory_fine"},
    ),
    (
        "Hackers scraped 1.2 billion Taobao records",
        "A crawler harvested user names and phone numbers from Taobao over eight months.",
        {"data_breach"},
    ),
    ("", "淘宝12亿条用户数据遭爬虫窃取，涉事开发者被判刑。", {"data_breach"}),
    (
        "Ant Group prices record IPO",
        "Ant Group set the price of its dual listing in Shanghai and Hong Kong.",
        set(),
    ),
    ("Apple unveils new iPhone", "The company said sales would begin next Friday.", set()),
    ("", "腾讯发布第三季度财报，净利润同比增长。", set()),
]


def test_known_stories_in_three_languages(classifier):
    texts = [classifier_text(title or None, body) for title, body, _ in CASES]
    results = classifier.classify(texts)
    assert [{t.type for t in tags} for tags in results] == [labels for *_, labels in CASES]
    for text, tags in zip(texts, results, strict=True):
        for tag in tags:
            assert 0 < tag.score <= 1
            assert tag.evidence in split_sentences(text)


@pytest.mark.parametrize("text", ["", "   \n\t ", "<p></p><br/>", "。。。", "\x00\x01"])
def test_empty_or_wordless_text_gives_no_tags(classifier, text):
    assert classifier.classify([text]) == [[]]


def test_an_event_deep_in_a_long_article_is_found_with_its_sentence(classifier):
    filler = [
        f"The company opened its {n}th regional office and hired engineers for its cloud unit."
        for n in range(1, 30)
    ]
    event = (
        "On Friday the European Commission fined the company 2.4 billion euros for abusing "
        "its dominance in online shopping search."
    )
    paragraph = [
        event,
        "The fine is the largest the Commission has imposed in an antitrust case.",
        "The company said it would comply with the decision.",
    ]
    text = "\n".join(["Company news roundup", *filler[:20], *paragraph, *filler[20:]])
    (tags,) = classifier.classify([text])
    found = {t.type: t for t in tags}
    assert "regulatory_fine" in found
    assert found["regulatory_fine"].evidence == event


def test_one_megabyte_of_text_is_read_within_the_window_cap(classifier):
    text = "Ordinary sentence about a product launch in Berlin. " * 20_000
    started = time.perf_counter()
    assert classifier.classify([text[:1_000_000]]) == [[]]
    assert time.perf_counter() - started < 60


def test_mixed_scripts_and_outputs_follow_input_order(classifier):
    texts = [
        "Apple 发布 新款 iPhone, la presse アップル 新製品",
        "Didi fined 8 billion yuan: 滴滴被网信办罚款80.26亿元",
        "",
    ]
    results = classifier.classify(texts)
    assert len(results) == 3 and results[2] == []
    assert "regulatory_fine" in {t.type for t in results[1]}


def test_first_pass_stops_plain_news_early_and_lets_short_reports_through(classifier):
    encoded = classifier.encode(
        [
            "Samsung opens a new design centre in Milan with 40 staff.",
            "上交所暂缓蚂蚁集团科创板上市。",
            "Hackers scraped 1.2 billion Taobao records",
        ]
    )
    assert encoded.passed.tolist() == [False, True, True]
