"""Publication dates as pages show them to readers, when no metadata states one:
"2021年4月10日 09:30", "2021-04-10 09:30:12　来源：", "Publié le 10 avril 2021 à 14h05",
"Wed 16 Jun 2021 // 09:41 UTC", "April 10, 2021 09:30 AM", and relative ones ("3小时前",
"il y a 2 heures", "2 hours ago", "昨天 10:20") read against the time the page was fetched.

Only text in elements that present a date (a class, id or itemprop naming date, time, pub,
info, meta or byline, and <time>) near the top of the page is read, so a date inside the
article's prose ("fined on 10 April 2019") is not taken for the publication date.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from lxml import etree
from lxml.html import HtmlElement

_FR_MONTHS = {
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2,
    "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7,
    "août": 8, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11, "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
}  # fmt: skip
_EN_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}  # fmt: skip
_DE_MONTHS = {"januar": 1, "jänner": 1, "februar": 2, "märz": 3, "april": 4, "mai": 5,
              "juni": 6, "juli": 7, "august": 8, "september": 9, "oktober": 10,
              "november": 11, "dezember": 12}  # fmt: skip

_TIME = r"(?:\s*(?:à|a|at|um|,|-|–|//|\||@)?\s*(\d{1,2})\s*(?:[:：h]|heures?\s*)\s*(\d{2})(?:[:：](\d{2}))?\s*([ap]\.?\s?m\.?)?)?"
_ZONE = r"(?:\s*(UTC|GMT|Z)\b)?"
_PATTERNS = (
    # 2021年4月10日 09:30
    ("ymd", re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日" + _TIME + _ZONE, re.I)),
    # 2021-04-10 09:30:12, 2021/4/10, 2021.04.10
    ("ymd", re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)(?:T|\s)*" + _TIME + _ZONE, re.I)),
    # 10 avril 2021 à 14h05, 12 avr. 2021, 16 Jun 2021 // 09:41 UTC, 15th September 2021
    ("dmy", re.compile(r"(?<!\d)(\d{1,2})(?:er|st|nd|rd|th|\.)?\s+([^\W\d_]{3,10})\.?,?\s+(\d{4})" + _TIME + _ZONE, re.I)),
    # April 10, 2021 09:30 AM; Dec. 18, 2024
    ("mdy", re.compile(r"\b([^\W\d_]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME + _ZONE, re.I)),
    # 10/04/2021 (day first, as French and British pages write it)
    ("dmy_num", re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)" + _TIME + _ZONE, re.I)),
)  # fmt: skip
_LOOSE_TIME = re.compile(r"(?<![\d:])(\d{1,2})[:：h](\d{2})(?![\d:])\s*([ap]\.?\s?m\.?)?", re.I)
_RELATIVE = (
    (re.compile(r"(\d+)\s*(分钟|小時|小时|天)前"), {"分钟": "minutes", "小时": "hours", "小時": "hours", "天": "days"}),
    (re.compile(r"il y a\s+(\d+)\s*(min|minutes?|h|heures?|jours?)\b", re.I),
     {"min": "minutes", "minute": "minutes", "minutes": "minutes", "h": "hours", "heure": "hours",
      "heures": "hours", "jour": "days", "jours": "days"}),
    (re.compile(r"\b(\d+)\s*(minutes?|mins?|hours?|hrs?|days?)\s+ago\b", re.I),
     {"minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
      "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours", "day": "days",
      "days": "days"}),
)  # fmt: skip
_YESTERDAY = re.compile(
    r"(昨天|hier|yesterday)(?:\s*(?:à|at)?\s*(\d{1,2})\s*[:h]\s*(\d{2}))?", re.I
)
_TODAY = re.compile(
    r"(今天|刚刚|aujourd'hui|today)(?:\s*(?:à|at)?\s*(\d{1,2})\s*[:h]\s*(\d{2}))?", re.I
)

_DATE_ELEMENTS = (
    "//time | //*[@itemprop='datePublished'] | //*[contains(@class, 'date')"
    " or contains(@class, 'time') or contains(@class, 'pub') or contains(@class, 'post_info') or contains(@class, 'artInfo')"
    " or contains(@class, 'meta') or contains(@class, 'byline') or contains(@class, 'info')"
    " or contains(@id, 'date') or contains(@id, 'time') or contains(@id, 'pub')"
    " or contains(@class, 'Date') or contains(@class, 'Time')]"
)
_SKIP_ANCESTORS = ("footer", "aside", "nav")
# containers whose dates are not the article's: comments, related stories, sidebars
_SKIP_MARKS = ("comment", "related", "recommend", "sidebar", "footer", "widget", "hot")
MAX_ELEMENT_CHARS = 240


_GERMAN_CLOCK = re.compile(r"\b(\d{1,2})\.(\d{2})\s*Uhr\b")  # "14.05 Uhr"


def date_in_text(text: str, now: datetime | None = None) -> tuple[datetime, bool] | None:
    """The first date in `text` as (naive or UTC datetime, has_time); relative dates need `now`
    (aware or naive: the result is in its zone)."""
    text = _GERMAN_CLOCK.sub(r"\1:\2 Uhr", text)
    best = None
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            found = _build(kind, match.groups())
            if found and (best is None or match.start() < best[0]):
                best = (match.start(), found)
                break
    if best:
        moment, has_time = best[1]
        if not has_time and moment.tzinfo is None:
            # "10:12pm, 4 Jul, 2021": a time written apart from the date, in the same line
            clock = _LOOSE_TIME.search(text)
            if clock:
                hour = int(clock.group(1)) % (12 if clock.group(3) else 24)
                hour += 12 if (clock.group(3) or "").lower().startswith("p") else 0
                if hour < 24 and int(clock.group(2)) < 60:
                    return moment.replace(hour=hour, minute=int(clock.group(2))), True
        return best[1]
    return _relative(text, now) if now else None


def _build(kind: str, groups: tuple) -> tuple[datetime, bool] | None:
    first, second, third, hour, minute, second_s, ampm, zone = groups
    if kind == "ymd":
        year, month, day = int(first), int(second), int(third)
    elif kind == "dmy_num":
        day, month, year = int(first), int(second), int(third)
    elif kind == "dmy":
        day, month, year = int(first), _month(second), int(third)
    else:
        month, day, year = _month(first), int(second), int(third)
    if not month or not 1990 <= year <= 2100:
        return None
    hour_n, minute_n = (int(hour), int(minute)) if hour is not None else (0, 0)
    if ampm and hour is not None:
        pm = ampm.lower().startswith("p")
        hour_n = hour_n % 12 + (12 if pm else 0)
    try:
        moment = datetime(year, month, day, hour_n, minute_n, int(second_s or 0))
    except ValueError:
        return None
    if zone:
        moment = moment.replace(tzinfo=UTC)
    return moment, hour is not None


def _month(name: str) -> int | None:
    name = name.lower().rstrip(".")
    return (
        _FR_MONTHS.get(name)
        or _DE_MONTHS.get(name)
        or (_EN_MONTHS.get(name[:3]) if name[:3] in _EN_MONTHS and _english(name) else None)
    )


def _english(name: str) -> bool:
    full = ("january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december", "sept")  # fmt: skip
    return len(name) == 3 or name in full


def _relative(text: str, now: datetime) -> tuple[datetime, bool] | None:
    for pattern, units in _RELATIVE:
        match = pattern.search(text)
        if match:
            unit = units.get(match.group(2).lower())
            if unit:
                return now - timedelta(**{unit: int(match.group(1))}), unit != "days"
    for pattern, days in ((_YESTERDAY, 1), (_TODAY, 0)):
        match = pattern.search(text)
        if match:
            day = now - timedelta(days=days)
            if match.group(2):
                return day.replace(hour=int(match.group(2)), minute=int(match.group(3)),
                                   second=0, microsecond=0), True  # fmt: skip
            if days == 0 and match.group(1) in ("刚刚",):
                return now, True
            return day.replace(hour=0, minute=0, second=0, microsecond=0), False
    return None


def visible_date(tree: HtmlElement, now: datetime | None = None) -> tuple[datetime, bool] | None:
    """The publication date shown in a date-like element, the first after the headline when
    there is one (site headers often show today's date above it)."""
    headlines = tree.xpath("(//h1)[1]")
    if headlines:
        # the headline's own block first (cheap: a small subtree), then the whole page
        block = next(headlines[0].iterancestors("article"), None)
        if block is None:
            block = _ancestor(headlines[0], 3)
        found = _first_date(_after(block, headlines[0], _DATE_ELEMENTS_BELOW(block)), now)
        if found:
            return found
        elements = _ALL_DATE_ELEMENTS(tree)
        found = _first_date(_after(tree, headlines[0], elements), now)
        if found:
            return found
    else:
        elements = _ALL_DATE_ELEMENTS(tree)
    return _first_date(elements, now)


def _ancestor(element: HtmlElement, levels: int) -> HtmlElement:
    for parent in element.iterancestors():
        element = parent
        levels -= 1
        if levels == 0 or parent.tag == "body":
            break
    return element


def _after(scope: HtmlElement, headline: HtmlElement, elements: list) -> list:
    """Those of `elements` (under `scope`) that come after `headline` in document order."""
    order = {element: i for i, element in enumerate(scope.iter())}
    start = order.get(headline, -1)
    return [el for el in elements if order.get(el, -1) > start]


# Words that introduce a publication date, in the registry's languages.
_PUBLISHED_WORDS = re.compile(
    r"(publié|publication|mis en ligne|published|posted|updated|veröffentlicht|发布|發佈|发表|時間|时间"
    r"|日期|—|–)\s*(?:le|on|am|于|:|：)?\s*$",
    re.I,
)
HEADLINE_WINDOW = 400  # characters of text after the headline where a dateline sits
DATELINE_START = 120  # a date this close after the headline needs no introducing word


def date_after_headline(tree: HtmlElement, now: datetime | None = None):
    """The date in the lines right after the headline ("2021年06月10日16:52 | 来源：人民网",
    "Washington D.C., Oct. 10, 2024 —", "Publié le 4 janv. 2022 à 7:05"), for pages whose
    date sits in no date-like element: introduced by a word like "Publié le" or "发布", or
    with a time of day, or at the very start."""
    heads = tree.xpath("(//h1)[1]")
    if not heads:
        return None
    window = ""
    for node in heads[0].xpath("following::text()"):
        parent = node.getparent()
        if (
            parent is None
            or parent.tag in ("script", "style", "noscript")
            or _outside_article(parent)
        ):
            continue
        window += " " + " ".join(str(node).split())
        if len(window) > HEADLINE_WINDOW:
            break
    window = window[:HEADLINE_WINDOW]
    candidates = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(window):
            found = _build(kind, match.groups())
            if found:
                candidates.append((match.start(), found))
    candidates.sort(key=lambda c: c[0])
    for start, found in candidates:
        if _PUBLISHED_WORDS.search(window[max(0, start - 20) : start]):
            return found
    for start, found in candidates:
        if found[1] or start <= DATELINE_START:
            return found
    return None


_ALL_DATE_ELEMENTS = etree.XPath(_DATE_ELEMENTS)
_DATE_ELEMENTS_BELOW = etree.XPath(
    " | ".join(f".{part.strip()}" for part in _DATE_ELEMENTS.split(" | "))
)


def _first_date(elements: list, now) -> tuple[datetime, bool] | None:
    seen = 0
    for element in elements:
        if _outside_article(element):
            continue
        text = " ".join(element.text_content().split())
        if not text or len(text) > MAX_ELEMENT_CHARS:
            continue
        found = date_in_text(text, now)
        if found and not found[1]:
            found = _with_time_beside(element, found, now)
        if found:
            return found
        seen += 1
        if seen > 40:
            break
    return None


def _outside_article(element: HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        if node.tag in _SKIP_ANCESTORS:
            return True
        marks = f"{node.get('class', '')} {node.get('id', '')}".lower()
        if any(mark in marks for mark in _SKIP_MARKS):
            return True
    return False


def _with_time_beside(element: HtmlElement, found, now):
    """A date shown without a time often has the time in the next element ("April 10,
    2021" | "09:30 AM"): read the parent's text when it is short."""
    parent = element.getparent()
    if parent is None:
        return found
    text = " ".join(parent.text_content().split())
    if len(text) > MAX_ELEMENT_CHARS:
        return found
    beside = date_in_text(text, now)
    if beside and beside[1] and beside[0].date() == found[0].date():
        return beside
    return found
