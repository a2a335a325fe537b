"""Money in news text: "18,2 milliards de yuans", "182.28亿元", "$2.77 billion", "2,42 Mrd. Euro".

`find_money(text, lang)` returns every sum of money in order of appearance, as a value and an
ISO 4217 currency, marked as a stated amount, a cap ("up to €20 million", "最高") or a range
("between $5m and $10m", "500万至1000万元"). A percentage is not money. The language decides the
separators (nlp/numbers.py) and which currency "¥" is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.numbers import NUMBER, SCALE, number_value, number_windows, scale_value

# Currency words and symbols, by ISO code. Matched longest first, so "港元" wins over "元".
_BEFORE = {
    "USD": ["US$", "U.S.$", "$US", "USD", "$", "美元"],
    "HKD": ["HK$", "HKD", "港元", "港币", "港幣"],
    "AUD": ["A$", "AU$", "AUD"],
    "CAD": ["C$", "CA$", "CAD"],
    "SGD": ["S$", "SGD"],
    "TWD": ["NT$", "TWD", "新台币", "新台幣", "新臺幣", "臺幣"],
    "BRL": ["R$", "BRL"],
    "EUR": ["€", "EUR"],
    "GBP": ["£", "GBP"],
    "CNY": ["CN¥", "RMB", "CNY", "人民币", "人民幣"],
    "YEN?": ["¥", "￥"],  # yuan or yen: decided by language and context
    "JPY": ["JPY"],
    "KRW": ["₩", "KRW"],
    "CHF": ["CHF", "Fr."],
    "INR": ["₹", "Rs.", "Rs", "INR"],
    "RUB": ["₽", "RUB"],
}
_AFTER = {
    "USD": [
        "US dollars", "U.S. dollars", "dollars américains", "dollars", "dollar", "USD", "美元",
        "美金", "米ドル", "ドル", "달러", "dólares", "dollari", "Dollar", "долларов", "доллара",
        "$", "dollars US",
    ],
    "HKD": [
        "Hong Kong dollars", "HK dollars", "dollars de Hong Kong", "dollars de Hongkong",
        "dollars hongkongais", "HKD", "港元", "港币", "港幣",
        "香港ドル",
    ],
    "AUD": ["Australian dollars", "dollars australiens", "AUD", "澳元"],
    "CAD": ["Canadian dollars", "dollars canadiens", "CAD", "加元"],
    "SGD": ["Singapore dollars", "SGD", "新加坡元", "新元"],
    "TWD": [
        "New Taiwan dollars", "NT dollars", "新台币", "新台幣", "新臺幣", "台币", "台幣", "臺幣",
        "TWD",
    ],
    "EUR": ["euros", "euro", "Euro", "EUR", "€", "欧元", "歐元", "ユーロ", "유로", "евро"],
    "GBP": [
        "pounds sterling", "pounds", "pound", "sterling", "livres sterling", "livres", "GBP",
        "£", "Pfund", "英镑", "英鎊", "ポンド", "파운드", "фунтов",
    ],
    "CNY": [
        "元人民币", "元人民幣", "yuans", "yuan", "Yuan", "renminbi", "RMB", "CNY", "人民元",
        "人民币", "人民幣", "元", "위안", "юаней", "юаня",
    ],
    "JPY": ["yens", "yen", "Yen", "JPY", "円", "日元", "日圓", "엔", "иен"],
    "KRW": ["won", "KRW", "원", "韩元", "韓元", "ウォン"],
    "CHF": ["Swiss francs", "francs suisses", "Schweizer Franken", "Franken", "CHF", "瑞士法郎"],
    "INR": ["rupees", "roupies", "INR", "卢比", "盧比", "ルピー"],
    "RUB": ["rubles", "roubles", "Rubel", "рублей", "рубля", "卢布", "ルーブル"],
    "BRL": ["reais", "BRL", "雷亚尔"],
}  # fmt: skip


def _alternation(table: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    code_of = {word: code for code, words in table.items() for word in words}
    words = sorted(code_of, key=len, reverse=True)
    parts = []
    for word in words:
        tail = r"(?![A-Za-z])" if word[-1].isalpha() and word.isascii() else ""
        head = r"(?<![A-Za-z])" if word[0].isalpha() and word.isascii() else ""
        parts.append(head + re.escape(word) + tail)
    return "|".join(parts), code_of


_BEFORE_RE, _BEFORE_CODE = _alternation(_BEFORE)
_AFTER_RE, _AFTER_CODE = _alternation(_AFTER)
# "de yuans", "d'euros", "of dollars" between the number and the currency word
_LINK = r"(?:\s?(?:de |d['’]|of |in |di |do |da ))?"
_SPACE = r"[ \u00a0\u202f]?"

MONEY = re.compile(
    rf"(?:(?P<before>{_BEFORE_RE}){_SPACE})?{NUMBER}{SCALE}"
    # "$30-40 million": a bare low end sharing the top's scale
    rf"(?:(?<=\d)\s?[-–]\s?{NUMBER.replace('num', 'num2')}{SCALE.replace('scale', 'scale2')})?"
    rf"(?:{_SPACE}{_LINK}(?P<after>{_AFTER_RE}))?"
)
_CAP_BEFORE = re.compile(
    r"(?:up to|as much as|a maximum of|maximum (?:\w+ ){0,2}of|max(?:imum|\.)?|capped at|"
    r"no more than|at most|jusqu['’]à|au maximum|au plus|plafonnée? à|bis zu|maximal|"
    r"höchstens|hasta|fino a|最高|最多|不超过|不超過|上限|最大|최대)"
    r"\s*(?:of\s*|de\s*|à\s*|[\u4e00-\u9fff]{0,6})?$",
    re.IGNORECASE,
)
_CAP_AFTER = re.compile(
    r"^\s*(?:以下|以内|以下の|이하|(?:d['’]amende |de sanction )?au maximum|maximum)", re.I
)
# the low end of a range just before an amount: "between 5 and", "$5m to", "500万至"
_RANGE_LOW = re.compile(
    rf"(?P<between>between|entre|zwischen|tra|fra)?\s*(?:(?:{_BEFORE_RE}){_SPACE})?{NUMBER}{SCALE}"
    rf"(?:{_SPACE}{_LINK}(?:{_AFTER_RE}))?\s*"
    r"(?P<link>to|and|et|und|y|e|-|–|—|à|au|bis|a|至|到|～|~|〜|以上)\s*$",
    re.IGNORECASE,
)
_AND = {"and", "et", "und", "y", "e"}
_PERCENT_AFTER = re.compile(r"^\s*(?:%|％|per ?cent|pour ?cent|Prozent|por ciento)")


@dataclass(frozen=True)
class Money:
    value: float
    currency: str  # ISO 4217
    kind: str  # "amount", "cap" or "range"
    start: int
    end: int
    high: float | None = None  # the top of a range

    def as_dict(self) -> dict:
        out = {"value": self.value, "currency": self.currency, "kind": self.kind}
        if self.high is not None:
            out["high"] = {"value": self.high, "currency": self.currency}
        return out


def find_money(text: str, lang: str = "en", context: str | None = None) -> list[Money]:
    """Every sum of money in `text`, in order; ranges are one item with `high`.

    context: the whole article when `text` is a sentence of it (decides what "¥" is).
    """
    found: list[Money] = []
    for match in _matches(MONEY, text):
        before, after = match["before"], match["after"]
        if not (before or after) or _PERCENT_AFTER.match(text[match.end() :]):
            continue
        if before and not after and match["scale"] is None and not _plausible_bare(match):
            continue
        value = number_value(match["num"], lang)
        if value is None:
            continue
        value *= scale_value(match["scale"])
        code = _AFTER_CODE.get(after) if after else _BEFORE_CODE[before]
        if before and _BEFORE_CODE[before] not in ("YEN?",) and not after:
            code = _BEFORE_CODE[before]
        if code == "YEN?":
            code = _yen_or_yuan(context or text, lang)
        if code == "CNY" and after == "元":
            code = _BEFORE_CODE[before] if before else _bare_yuan(context or text, lang)
        if match["num2"]:
            top = number_value(match["num2"], lang)
            if top is not None:
                scale = scale_value(match["scale2"])
                found.append(
                    Money(
                        round(value * scale, 6),
                        code,
                        "range",
                        match.start(),
                        match.end(),
                        high=round(top * scale, 6),
                    )  # fmt: skip
                )
                continue
        found.append(_with_kind(text, match, round(value, 6), code, lang, found))
    return [m for m in found if m is not None]


def _matches(pattern: re.Pattern, text: str):
    """pattern.finditer, only where digits are (number_windows), without repeats."""
    last_end = 0
    for start, end in number_windows(text):
        for match in pattern.finditer(text, max(start, last_end), end):
            last_end = match.end()
            yield match


def _bare_yuan(text: str, lang: str) -> str:
    """元 alone is the local dollar in Hong Kong and Taiwan writing."""
    if lang != "zh-Hant":
        return "CNY"
    if re.search(r"香港|港府|私隱|證監會|港交所", text):
        return "HKD"
    if re.search(r"臺灣|台灣|台北|臺北|金管會|公平會|新北|高雄", text):
        return "TWD"
    return "CNY"


def _plausible_bare(match: re.Match) -> bool:
    """A symbol before a bare number: "$85" yes; "Fr. 3" of a date or "Rs 2" stays money too."""
    return bool(re.search(r"\d", match["num"]))


def _yen_or_yuan(text: str, lang: str) -> str:
    if lang.startswith("zh"):
        return "CNY"
    if lang.startswith("ja"):
        return "JPY"
    china = re.search(r"yuan|renminbi|RMB|China|Chinese|chinois|Chine|中国|人民币", text, re.I)
    return "CNY" if china else "JPY"


def _with_kind(text, match, value, code, lang, found) -> Money:
    start, end = match.start(), match.end()
    head_start = max(0, start - 50)
    head = text[head_start:start]
    low = _RANGE_LOW.search(head)
    if low is not None and (low["link"].lower() not in _AND or low["between"]):
        low_value = number_value(low["num"], lang)
        if low_value is not None:
            # "between 5 and 10 million": a small bare low end shares the top's scale
            shares = not low["scale"] and low_value < 1000 and not re.search(r"[$€£¥]", low[0])
            low_value *= scale_value(low["scale"] or (match["scale"] if shares else None))
            low_start = head_start + low.start("num")
            if found and found[-1].end > low_start:
                found.pop()  # "$5m to $10m": the low end was read as an amount of its own
            return Money(round(low_value, 6), code, "range", low_start, end, high=value)
    cap = _CAP_BEFORE.search(head) or _CAP_AFTER.match(text[end : end + 30])
    return Money(value, code, "cap" if cap else "amount", start, end)
