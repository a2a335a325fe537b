"""Numbers as news writes them: separators by language, scale words, Chinese numerals.

The pieces amounts.py and counts.py share. A number is matched by `NUMBER` (a regex fragment
with the named group `num`) followed by an optional scale word (`SCALE`, group `scale`);
`number_value` turns the two into a float. One separator followed by exactly three digits
("1.234", "1,234") is the ambiguous case: it is a thousands separator in the languages that
write decimals with a comma when it is a dot, and in the others when it is a comma.
"""

from __future__ import annotations

import re

# Languages whose decimal separator is a comma (their thousands separator is a dot or space).
DECIMAL_COMMA = {"fr", "de", "es", "it", "pt", "nl", "ru", "pl", "tr", "sv", "da", "cs", "id"}

_CJK_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
    "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_CJK_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CJK_LARGE = {
    "万": 1e4,
    "萬": 1e4,
    "만": 1e4,
    "亿": 1e8,
    "億": 1e8,
    "억": 1e8,
    "兆": 1e12,
    "조": 1e12,
}

# Arabic digits with optional grouping (comma, dot, space, no-break spaces, apostrophe),
# or Chinese numerals (at least one digit or 十), optionally followed by CJK large units
# with more digits ("1億2000万", "1조 2000억").
_ARABIC = r"\d{1,3}(?:(?:,|\.|[ \u00a0\u202f']|\u2009)\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_CJK_NUM = "[零〇一壹二贰貳两兩三叁參四肆五伍六陆陸七柒八捌九玖十拾百佰千仟]"
NUMBER = (
    rf"(?P<num>(?:(?:{_ARABIC})|{_CJK_NUM}+)"
    rf"(?:[余多餘]?\s?[万萬亿億兆만억조](?:\s?(?:\d+(?:[.,]\d+)?|{_CJK_NUM}+)(?=\s?[万萬亿億兆만억조])"
    r"|\s?\d{1,3}(?:,\d{3})+(?=여?\s?[명원건개])|\d+(?=여?\s?[명원건개]))?)*)"
)

# Scale words after a number, longest first; values by lower-cased word.
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "mn": 1e6, "mln": 1e6,
    "m": 1e6, "mio": 1e6, "mio.": 1e6, "millionen": 1e6, "millón": 1e6, "millones": 1e6,
    "milioni": 1e6, "milione": 1e6, "milhões": 1e6, "milhão": 1e6, "miljoen": 1e6,
    "миллиона": 1e6, "миллионов": 1e6, "млн": 1e6, "млн.": 1e6, "миллион": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "mrd": 1e9, "mrd.": 1e9,
    "md": 1e9, "mds": 1e9, "milliard": 1e9, "milliards": 1e9, "milliarde": 1e9,
    "milliarden": 1e9, "mil millones": 1e9, "miliardi": 1e9, "miliardo": 1e9,
    "bilhões": 1e9, "bilhão": 1e9, "miljard": 1e9, "миллиарда": 1e9, "миллиардов": 1e9,
    "млрд": 1e9, "млрд.": 1e9, "миллиард": 1e9, "trillion": 1e12, "tn": 1e12,
    "billionen": 1e12, "billón": 1e12, "billones": 1e12, "mille": 1e3, "mila": 1e3,
    "mil": 1e3, "tsd.": 1e3, "千万": 1e7, "百万": 1e6, "十亿": 1e9, "千萬": 1e7, "百萬": 1e6,
    "十億": 1e9, "万亿": 1e12, "萬億": 1e12, "千": 1e3, "crore": 1e7, "crores": 1e7,
    "lakh": 1e5, "lakhs": 1e5,
}  # fmt: skip
_SCALE_WORDS = sorted(_SCALES, key=len, reverse=True)
SCALE = (
    r"(?:\s?(?P<scale>(?i:"
    + "|".join(
        # Latin scale words end at a word boundary ("m" must not eat "members")
        re.escape(w) + (r"(?![\w])" if re.match(r"[a-zа-я]", w) else "")
        for w in _SCALE_WORDS
    )
    + ")))?"
)


def scale_value(word: str | None) -> float:
    """The multiplier of a scale word (1 for none)."""
    return _SCALES.get((word or "").lower(), 1.0)


def number_value(text: str, lang: str) -> float | None:
    """The value of a number as written in `lang` ("1.234" is 1234 in German); None if not one."""
    text = text.strip()
    if re.search(r"[万萬亿億兆만억조]", text):
        return _with_large_units(text, lang)
    return _plain(text, lang)


def _plain(text: str, lang: str) -> float | None:
    if re.fullmatch(f"{_CJK_NUM}+", text):
        return _cjk_below_10k(text)
    mixed = re.fullmatch(r"([\d.,]+)([十拾百佰千仟])", text)  # "5千" in "5千万"
    if mixed:
        value = _arabic(mixed[1], lang)
        return None if value is None else value * _CJK_SMALL[mixed[2]]
    return _arabic(text, lang)


def _arabic(text: str, lang: str) -> float | None:
    digits = re.sub(r"[ \u00a0\u202f\u2009']", "", text)
    if not re.fullmatch(r"[\d.,]+", digits) or not digits[0].isdigit():
        return None
    digits = digits.rstrip(".,")
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:  # the later one is the decimal separator
        decimal = "." if digits.rfind(".") > digits.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        return float(digits.replace(thousands, "").replace(decimal, "."))
    sep = "." if dots else "," if commas else None
    if sep is None:
        return float(digits)
    if digits.count(sep) > 1:
        return float(digits.replace(sep, ""))
    whole, frac = digits.split(sep)
    if len(frac) != 3 or whole == "0":
        return float(f"{whole}.{frac}")
    # one separator and three digits after it: the reader's convention decides
    comma_is_decimal = lang.split("-")[0] in DECIMAL_COMMA
    as_decimal = comma_is_decimal if sep == "," else not comma_is_decimal
    return float(f"{whole}.{frac}") if as_decimal else float(whole + frac)


def _with_large_units(text: str, lang: str) -> float | None:
    """'1.2万亿', '1億2000万', '十八亿', '3,370만', '1조 2000억', '十万八千'."""
    total = 0.0
    text = re.sub(r"[余多餘\s]", "", text)
    for part, unit in re.findall(r"([^万萬亿億兆만억조]*)([万萬亿億兆만억조]?)", text):
        if not part and not unit:
            continue
        factor = _CJK_LARGE.get(unit, 1.0)
        if not part:  # a unit right after another: 万亿 is 万 x 亿
            total *= factor
            continue
        value = _plain(part, lang)
        if value is None:
            return None
        total += value * factor
    return total


def _cjk_below_10k(text: str) -> float:
    """'五十' 50, '一千二百' 1200, '十八' 18, '二〇二一' 2021 (digit by digit)."""
    if not any(ch in _CJK_SMALL for ch in text):
        return float("".join(str(_CJK_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _CJK_DIGITS:
            digit = _CJK_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CJK_SMALL[ch]
            digit = None
    return float(total + (digit or 0))


_DIGIT_RUN = re.compile(rf"(?:\d|{_CJK_NUM})+")


def number_windows(text: str, before: int = 16, after: int = 60):
    """(start, end) spans around each run of digits, merged: where a number can be.

    Regexes that start with optional words run only inside these, so a megabyte of prose costs
    one fast scan instead of a full pattern attempt at every character.
    """
    start = end = None
    for match in _DIGIT_RUN.finditer(text):
        lo, hi = max(0, match.start() - before), min(len(text), match.end() + after)
        if end is not None and lo <= end:
            end = max(end, hi)
            continue
        if end is not None:
            yield start, end
        start, end = lo, hi
    if end is not None:
        yield start, end
