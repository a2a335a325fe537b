"""Sentence splitting across English, French, Chinese and Japanese."""

from __future__ import annotations

import pytest

from nlp.sentences import split_sentences

CASES = [
    ("plain", "The regulator acted. The firm paid.", ["The regulator acted.", "The firm paid."]),
    ("question_exclaim", "Was it fined? Yes! Twice.", ["Was it fined?", "Yes!", "Twice."]),
    ("us", "The U.S. SEC fined it. Then it paid.", ["The U.S. SEC fined it.", "Then it paid."]),
    ("mr", "Mr. Ma spoke. He left.", ["Mr. Ma spoke.", "He left."]),
    (
        "number",
        "It ranked No. 1 in cloud. Rivals lagged.",
        ["It ranked No. 1 in cloud.", "Rivals lagged."],
    ),
    (
        "inc",
        "Alibaba Group Holding Ltd. said so. Ant Group Co. agreed.",
        ["Alibaba Group Holding Ltd. said so.", "Ant Group Co. agreed."],
    ),
    (
        "decimal",
        "The fine was 18.2 billion yuan. It was 4% of sales.",
        ["The fine was 18.2 billion yuan.", "It was 4% of sales."],
    ),
    (
        "french_m",
        "M. Dupont a parlé. Mme Durand aussi.",
        ["M. Dupont a parlé.", "Mme Durand aussi."],
    ),
    (
        "french_decimal",
        "Une amende de 18,2 M€. La CNIL a tranché.",
        ["Une amende de 18,2 M€.", "La CNIL a tranché."],
    ),
    ("initial", "J. Smith wrote it. Nobody read it.", ["J. Smith wrote it.", "Nobody read it."]),
    (
        "month",
        "On Jan. 5 the IPO was halted. Shares fell.",
        ["On Jan. 5 the IPO was halted.", "Shares fell."],
    ),
    (
        "eg",
        "Some firms, e.g. banks, paid. Others did not.",
        ["Some firms, e.g. banks, paid.", "Others did not."],
    ),
    (
        "chinese",
        "阿里巴巴被罚款。蚂蚁集团暂缓上市！为什么？原因很多；后续再说",
        ["阿里巴巴被罚款。", "蚂蚁集团暂缓上市！", "为什么？", "原因很多；", "后续再说"],
    ),
    ("chinese_quote", "他说：“我们接受处罚。”随后离开。", ["他说：“我们接受处罚。”", "随后离开。"]),
    (
        "corner_quote",
        "公司表示：「已经修复。」用户不满。",
        ["公司表示：「已经修复。」", "用户不满。"],
    ),
    (
        "japanese",
        "個人情報が流出した。「調査中だ。」と述べた。",
        ["個人情報が流出した。", "「調査中だ。」", "と述べた。"],
    ),
    ("mark_run", "真的吗？！不会吧。", ["真的吗？！", "不会吧。"]),
    (
        "newlines",
        "Title line\nFirst body sentence\n\n  Second one.  \n",
        ["Title line", "First body sentence", "Second one."],
    ),
    (
        "quote_after_period",
        'He said "we paid." Then he left.',
        ['He said "we paid."', "Then he left."],
    ),
    ("decimal_chinese", "罚款182.28亿元。", ["罚款182.28亿元。"]),
    ("no_end_mark", "no terminal mark at all", ["no terminal mark at all"]),
    ("empty", "", []),
    ("whitespace", " \n\t \n ", []),
    ("marks_only", "。。。", ["。。。"]),
    (
        "mixed_scripts",
        "Ant Group 蚂蚁集团暂缓上市。The IPO was halted.",
        ["Ant Group 蚂蚁集团暂缓上市。", "The IPO was halted."],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_pieces_are_stripped_and_cover_the_text():
    text = "第一句。 Second one.  Third!\n第四句"
    pieces = split_sentences(text)
    assert all(piece == piece.strip() and piece for piece in pieces)
    assert "".join("".join(piece.split()) for piece in pieces) == "".join(text.split())


def test_long_text_splits_every_sentence():
    text = " ".join(f"Sentence number {n} ends here." for n in range(2000))
    assert len(split_sentences(text)) == 2000
