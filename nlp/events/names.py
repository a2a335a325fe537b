"""Names for a firm the registry does not know, so its articles can still be grouped.

An unknown firm is the subject of its story, so its name recurs: the capitalised words
(Latin script) of the headline and lead, and the Chinese strings of the headline, that come
back at least twice in the article, minus regulators and generic words. Two articles share a
firm when they share one of these names. A Chinese name also counts in pinyin (pypinyin), the
way the English and French press write a startup's name: 鲜果集 is "Xianguoji".
"""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

from nlp.entities.matcher import EntityMatcher
from nlp.sentences import split_sentences

_LATIN_NAME = re.compile(r"(?<![\w])[A-Z][\w&'-]{2,}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff\u3040-\u30ff]{2,}")
_STOP = {
    "the", "this", "that", "these", "after", "over", "with", "from", "into", "update",
    "breaking", "exclusive", "analysis", "opinion", "china", "chinese", "beijing", "shanghai",
    "shenzhen", "hong", "kong", "france", "french", "paris", "europe", "european", "germany",
    "german", "british", "britain", "london", "japan", "japanese", "korea", "korean", "india",
    "american", "america", "washington", "brussels", "ireland", "irish", "italy", "spain", "data",
    "ipo", "gdpr", "rgpd", "dsgvo", "cookies", "cookie", "fine", "fined", "fines", "sanction",
    "amende", "penalty", "breach", "hackers", "hacker", "regulator", "watchdog", "court",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "june", "july", "august", "september", "october",
    "november", "december", "les", "des", "une", "pour", "dans", "avec", "sur", "par", "der",
    "die", "das", "und", "mit", "für", "fresh", "small", "startup", "start-up", "platform",
    "company", "group", "société", "groupe", "stock", "exchange", "market", "shares", "share",
    "state", "administration", "commission", "authority", "office", "ministry", "national",
    "federal", "supreme", "council", "conseil", "new", "top", "record", "billion",
    "million", "millions", "milliards", "euros", "yuan", "dollars", "internet", "online",
}  # fmt: skip
# Generic Chinese words that recur in any such story and name no firm.
_CJK_GENERIC = " ".join(
    [
        "公司 集团 集團 市场 市場 监管 監管 总局 總局 处罚 處罰 罚款 罰款 行政 上市 审核 審核",
        "个人信息 個人資料 数据 資料 平台 电商 垄断 壟斷 用户 用戶 网络 網絡 安全 国家 國家 中国",
        "中國 创业板 申请 申請 终止 終止 撤回 股票 发行 發行 交易所 证监会 證監會 泄露 洩露 违法",
        "違法 依法 决定 決定 关于 關於 首次 公开 公開 滥用 支配 地位 审查 審查 互联网 信息",
        "办公室 辦公室 万元 亿元",
    ]
).split()


def unknown_firm_names(title: str, body: str, regulators: EntityMatcher, limit: int = 5):
    """Likely names of the article's firm, most frequent first (casefolded)."""
    text = f"{title}\n{body}"
    lead = " ".join([title, *split_sentences(body)[:2]])
    taken = {m.text.casefold() for m in regulators.find(text)}
    counts: dict[str, int] = {}
    for match in _LATIN_NAME.finditer(lead):
        word = match[0].rstrip("'s").rstrip("'").casefold()
        if word in _STOP or word in taken or len(word) < 3:
            continue
        counts[word] = len(re.findall(rf"(?<!\w){re.escape(word)}(?!\w)", text.casefold()))
    for run in _CJK_RUN.findall(title):
        for name in _cjk_candidates(run, body):
            counts[name] = body.count(name) + 1
    ranked = sorted((n for n, c in counts.items() if c >= 2), key=lambda n: (-counts[n], n))
    names = _maximal(ranked)[:limit]
    return names + [p for n in names if _CJK_RUN.fullmatch(n) and (p := _pinyin(n)) not in names]


def _pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name)).casefold()


def _cjk_candidates(run: str, body: str):
    """Substrings of 2-4 characters of a headline run that recur in the body and touch no
    generic word (not 业板上 out of 创业板上市)."""
    generic = bytearray(len(run))
    for word in _CJK_GENERIC:
        for match in re.finditer(re.escape(word), run):
            generic[match.start() : match.end()] = b"\x01" * len(word)
    for size in (4, 3, 2):
        for start in range(len(run) - size + 1):
            piece = run[start : start + size]
            if body.count(piece) >= 1 and not any(generic[start : start + size]):
                yield piece


def _maximal(names: list[str]) -> list[str]:
    """Drop names inside a longer kept name (鲜果 when 鲜果集 is kept)."""
    kept: list[str] = []
    for name in sorted(names, key=len, reverse=True):
        if not any(name in longer for longer in kept):
            kept.append(name)
    return sorted(kept, key=names.index)
