"""When the action happened, as the text says it, against when the article was published.

"fined on Saturday", "le 10 avril 2021", "2021年4月10日", "yesterday", "the 2021 fine": the
first date in the evidence sentence (then the headline) that is not after publication, resolved
against the publication date. A bare year earlier than publication marks a past event mentioned
in a new story. No date in the text: the publication date, with precision "published".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    # en
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # fr
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # de
    "januar": 1, "februar": 2, "märz": 3, "juni": 6, "juli": 7, "oktober": 10,
    "dezember": 12,
    # es, it, pt
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12, "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6,
    "luglio": 7, "settembre": 9, "ottobre": 10, "dicembre": 12, "janeiro": 1,
    "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7, "setembro": 9,
    "outubro": 10, "novembro": 11, "dezembro": 12,
}  # fmt: skip
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4,
    "samedi": 5, "dimanche": 6, "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3,
    "freitag": 4, "samstag": 5, "sonntag": 6, "周一": 0, "周二": 1, "周三": 2, "周四": 3,
    "周五": 4, "周六": 5, "周日": 6, "周天": 6, "星期一": 0, "星期二": 1, "星期三": 2,
    "星期四": 3, "星期五": 4, "星期六": 5, "星期日": 6, "星期天": 6, "週一": 0, "週二": 1,
    "週三": 2, "週四": 3, "週五": 4, "週六": 5, "週日": 6, "月曜": 0, "火曜": 1, "水曜": 2,
    "木曜": 3, "金曜": 4, "土曜": 5, "日曜": 6,
}  # fmt: skip
_YESTERDAY = r"yesterday|hier|gestern|ayer|ieri|ontem|昨天|昨日|昨晚|어제"
_LAST_YEAR = (
    r"last year|l['’]an dernier|l['’]année dernière|letztes Jahr|el año pasado|去年|昨年|작년"
)
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_Y = r"(?P<y>(?:19|20)\d\d)"
# a month named alone ("in April", "4月") is this year's, or last year's when still to come
_FULL_MONTH_RE = "|".join(sorted((m for m in _MONTHS if len(m) > 3), key=len, reverse=True))
_MN = rf"(?<!\w)(?P<mn>{_MONTH_RE})"
_PATTERNS = [
    ("ymd", r"(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)"),
    ("ymd", r"(?P<y>(?:19|20)\d\d)\s?年\s?(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?[日号]"),
    ("ymd", r"(?P<y>(?:19|20)\d\d)년\s?(?P<m>\d{1,2})월\s?(?P<d>\d{1,2})일"),
    ("md", r"(?<!\d)(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?[日号]"),
    ("md", r"(?<!\d)(?P<m>\d{1,2})월\s?(?P<d>\d{1,2})일"),
    ("ym", r"(?P<y>(?:19|20)\d\d)\s?年\s?(?P<m>\d{1,2})\s?月"),
    ("ymd", rf"(?P<d>\d{{1,2}})(?:er|\.|º)?\s(?:de\s)?{_MN}\.?,?\s(?:de\s)?{_Y}"),
    ("ymd", rf"{_MN}\.?\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s{_Y}"),
    ("md", rf"(?P<d>\d{{1,2}})(?:er|\.)?\s(?:de\s)?(?P<mn>{_MONTH_RE})(?![\w])"),
    ("md", rf"(?<!\w)(?P<mn>{_MONTH_RE})\.?\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d])"),
    ("ym", rf"(?<!\w)(?P<mn>{_MONTH_RE})\s(?:de\s)?(?P<y>(?:19|20)\d\d)"),
    ("ymd", r"(?<![\d.])(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>(?:19|20)\d\d)"),
    ("m", rf"(?<!\w)(?P<mn>{_FULL_MONTH_RE})(?!\w)"),
    ("m", r"(?<![\d年])(?P<m>\d{1,2})\s?月(?!\s?\d{1,2}\s?[日号])"),
    ("wd", r"(?P<wd>" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + ")"),
    ("yesterday", rf"(?<!\w)(?:{_YESTERDAY})"),
    ("lastyear", rf"(?<!\w)(?:{_LAST_YEAR})"),
    ("y", r"(?<![\d.,])(?P<y>(?:19|20)\d\d)(?![\d.,%])"),
]  # fmt: skip
_COMPILED = [(kind, re.compile(p, re.IGNORECASE)) for kind, p in _PATTERNS]
# A year that qualifies sales is no action date: fines are a share of "2019 turnover".
_TURNOVER_AFTER = re.compile(
    r"^\s?(?:年度?)?(?:的)?(?:中国|中國)?(?:境内|境內|全球|全年)?(?:销售额|銷售額|營收|营收|收入|营业额|"
    r"營業額|销售|(?:\s?[a-z-]+){0,2}\s?(?:sales|revenue|turnover)|fiscal|financial year|annual)",
    re.IGNORECASE,
)
_TURNOVER_BEFORE = re.compile(
    r"(?:sales|revenue|turnover|chiffre d'affaires|ventes|Umsatz|Umsatzes|ingresos|fatturato)"
    r"(?:\s\w+){0,3}\s(?:in|of|en|de|von|im|del|di)?\s?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ActionDate:
    day: date  # the date, or the first day of its month or year
    precision: str  # "day", "month", "year" or "published"

    @property
    def past(self) -> bool:
        """A bare earlier year or "last year": an earlier event recalled in a newer story."""
        return self.precision == "year"


def action_date(texts: list[str], published: date) -> ActionDate:
    """The first date found in `texts` (evidence first, then headline) not after `published`."""
    for text in texts:
        found = _first_date(text or "", published)
        if found is not None:
            return found
    return ActionDate(published, "published")


def dates_in(text: str, published: date) -> list[tuple[int, ActionDate]]:
    """Every date in `text` not after `published`, by position; at one position the most
    precise reading ("10 April 2021" rather than "2021")."""
    candidates = []
    for kind, pattern in _COMPILED:
        for match in pattern.finditer(text):
            found = _resolve(kind, match, published)
            if found is not None and found.day <= published:
                candidates.append((match.start(), _RANK[kind], found))
    best: dict[int, tuple[int, ActionDate]] = {}
    for start, rank, found in sorted(candidates, key=lambda c: (c[0], c[1])):
        if not any(s <= start < s + 12 for s in best):  # "10 avril 2021" is one date
            best[start] = (rank, found)
    return [(start, found) for start, (_, found) in sorted(best.items())]


def _first_date(text: str, published: date) -> ActionDate | None:
    found = dates_in(text, published)
    return found[0][1] if found else None


_RANK = {"ymd": 0, "ym": 1, "md": 2, "wd": 3, "yesterday": 3, "m": 4, "lastyear": 4, "y": 5}


def _resolve(kind: str, match: re.Match, published: date) -> ActionDate | None:
    groups = match.groupdict()
    month = _MONTHS.get((groups.get("mn") or "").lower().rstrip(".")) or _int(groups.get("m"))
    try:
        if kind == "ymd":
            return ActionDate(date(int(groups["y"]), month, int(groups["d"])), "day")
        if kind == "ym":
            return ActionDate(date(int(groups["y"]), month, 1), "month")
        if kind == "m":
            if match[0] == "may" or month is None:
                return None  # the verb
            day = date(published.year, month, 1)
            if day > published:
                day = date(published.year - 1, month, 1)
            return ActionDate(day, "month")
        if kind == "md":
            day = date(published.year, month, int(groups["d"]))
            if day > published:  # "on Dec 30" in a story published in January
                day = date(published.year - 1, month, int(groups["d"]))
            return ActionDate(day, "day")
    except (ValueError, TypeError):
        return None
    if kind == "wd":
        back = (published.weekday() - _WEEKDAYS[match["wd"].lower()]) % 7
        return ActionDate(published - timedelta(days=back), "day")
    if kind == "yesterday":
        return ActionDate(published - timedelta(days=1), "day")
    if kind == "lastyear":
        return ActionDate(date(published.year - 1, 1, 1), "year")
    year = int(groups["y"])
    if year >= published.year:
        return None  # this year's date says nothing about a past event
    text = match.string
    if _TURNOVER_AFTER.match(text[match.end() :]) or _TURNOVER_BEFORE.search(
        text[max(0, match.start() - 40) : match.start()]
    ):
        return None
    return ActionDate(date(year, 1, 1), "year")


def _int(text: str | None) -> int | None:
    return int(text) if text else None
