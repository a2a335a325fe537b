"""Counts of exposed data and people: "1.2 billion user records", "12亿条", "533 millions de
comptes".

`find_counts(text, lang)` returns each count with a unit: records, accounts, users, customers or
people. Records and accounts count wherever they appear; users, customers and people only in a
sentence that speaks of data, leaks or attacks ("Meituan has 700 million users" is not a
breach count, "the data of 700 million users leaked" is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.amounts import _matches
from nlp.numbers import NUMBER, SCALE, number_value, scale_value

# Unit nouns by unit, any language; Latin ones match case-insensitively at word boundaries.
UNIT_WORDS = {
    "records": [
        "records", "record", "entries", "rows", "data records", "enregistrements", "lignes",
        "données", "Datensätze", "Datensätzen", "Datensatz", "registros", "registri",
        "records di dati", "записей", "件", "건", "条", "條", "筆", "笔",
    ],
    "accounts": [
        "accounts", "account", "comptes", "compte", "Konten", "Accounts", "Kundenkonten",
        "cuentas", "account", "contas", "аккаунтов", "учетных записей", "アカウント", "계정",
        "个账户", "个账号", "个帐号", "個帳號", "個帳戶", "账户", "账号", "帐号", "帳號", "帳戶",
    ],
    "users": [
        "users", "user", "utilisateurs", "utilisateur", "internautes", "Nutzer", "Nutzern",
        "Nutzerinnen und Nutzer", "Benutzer", "usuarios", "utenti", "usuários", "gebruikers",
        "пользователей", "members", "membres", "Mitglieder", "ユーザー", "利用者", "会員",
        "사용자", "이용자", "회원", "名用户", "位用户", "个用户", "名用戶", "位用戶", "個用戶",
        "用户", "用戶", "网民", "網民",
    ],
    "customers": [
        "customers", "customer", "clients", "client", "subscribers", "abonnés", "Kunden",
        "Kundinnen und Kunden", "Abonnenten", "clientes", "clienti", "klanten", "клиентов",
        "顧客", "고객", "가입자", "名客户", "位客户", "个客户", "名客戶", "位客戶", "個客戶",
        "名顧客", "客户", "客戶", "户",
    ],
    "people": [
        "people", "individuals", "persons", "personnes", "patients", "employees", "citizens",
        "citoyens", "salariés", "Personen", "Menschen", "Bürger", "Patienten", "Mitarbeiter",
        "personas", "persone", "pessoas", "человек", "passengers", "residents", "staff",
        "workers", "voyageurs", "passagers", "Fahrgäste", "人分", "人", "名", "명",
    ],
}  # fmt: skip
_LATIN = re.compile(r"[A-Za-zÀ-ÿА-Яа-я]")
_UNIT_OF = {w.lower(): unit for unit, words in UNIT_WORDS.items() for w in words}
_WORDS = sorted(_UNIT_OF, key=len, reverse=True)
_UNIT_RE = "|".join(
    (r"(?<![\w])" + re.escape(w) + r"(?![\w])") if _LATIN.match(w) else re.escape(w) for w in _WORDS
)
# Between the number and the unit: up to three words ("Facebook", "user", "personal", "de",
# "of") or a Japanese の; never a digit or sentence punctuation.
_FILLER = (
    r"(?:[余多餘]?[名位个個](?:受影响的?|受影響的?)(?=[客用顧])"
    r"|[余多餘여]?[ \u00a0]?(?:de |d['’]|of |の|个|個)?"
    r"(?:(?!(?:le|la|les|des|du|the|a|an|of|in|on|der|die|das)\s)[^\W\d_]+[ \u00a0-]){0,3}?)"
)
COUNT = re.compile(rf"{NUMBER}{SCALE}\s?{_FILLER}(?P<unit>{_UNIT_RE})", re.IGNORECASE)
# "user records": a second unit noun right after the first is the head of the phrase
_NEXT_UNIT = re.compile(
    rf"(?:[ \u00a0-](?!and |et |und |or |ou )[^\W\d_]+){{0,2}}?[ \u00a0-]?の?(?P<unit>{_UNIT_RE})",
    re.IGNORECASE,
)
# CJK classifiers that make whatever follows a count of records: 3504万件の顧客情報
_RECORD_CLASSIFIERS = {"件", "条", "條", "筆", "笔", "건"}
# noun first, number after: 被盗游戏账户12万个
_NOUN_FIRST = re.compile(
    r"(?P<unit>账户|账号|帐号|帳號|帳戶|用户|用戶|客户|客戶|이용자|사용자|회원|고객)"
    rf"(?:数量|數量)?(?:达|達|约|約|共|超过|超過|逾)?\s?{NUMBER}[余多餘여]?\s?(?:个|個|名|条|條|명)"
)
# a firm's whole base ("its 14 million customers", "约有1500万名用户") or staff it hires
_NOT_AFFECTED = re.compile(
    r"(?:\bits|\btheir|\bses|\bleurs|\bseine[nr]?|\bihre[nr]?|擁有|拥有|"
    r"hired?|hiring|employs?|emploie|emploient|recrut\w*|recruit\w*|stellt\w*|laid off|licenci\w*)"
    r"(?:\s+\w+){0,2}\s*[约約]?\s*$",
    re.IGNORECASE,
)
_WORD_NUMBER = re.compile(
    rf"(?<!\w)(?P<num>half a|a|one)\s(?P<scale>million|billion)\s{_FILLER}(?P<unit>{_UNIT_RE})",
    re.IGNORECASE,
)
# Units that need a data context in the sentence before they count.
_NEEDS_CONTEXT = {"users", "customers", "people"}
_DATA_CONTEXT = re.compile(
    r"data|record|information|personal|leak|breach|expos|stole|theft|hack|scrap|compromis|"
    r"affect|impact|attack|ransom|donn[ée]es|fuite|piratage|vol|Daten|Leck|gestohlen|datos|"
    r"robo|filtra|dati|furto|violazione|dados|vazamento|данн|утеч|password|mot de passe|"
    r"passw|credential|identifiants|touch|betroffen|gang|ransom|files|dossiers|database|"
    r"数据|資料|信息|資訊|泄露|洩露|泄漏|窃取|竊取|黑客|駭客|攻击|攻擊|爬|个人信息|受影响|"
    r"受影響|个资|個資|外洩|密码|密碼|盜|盗|"
    r"情報|流出|漏えい|漏洩|不正アクセス|パスワード|유출|개인정보|해킹|비밀번호",
    re.IGNORECASE,
)
# a full stop after an abbreviated scale ("12,5 Mio. Kunden") does not end the sentence
_HAS_WORD_NUMBER = re.compile(r"(?<!\w)(?:a|one) (?:million|billion)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<!Mio)(?<!Mrd)(?<!Tsd)(?<!Mds)(?<!Md)[.!?](?=\s|$)|[。！？;；\n]")


@dataclass(frozen=True)
class Count:
    value: float
    unit: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return {"value": self.value, "unit": self.unit}


def find_counts(text: str, lang: str = "en") -> list[Count]:
    """Counts of records, accounts, users, customers or people, in order of appearance."""
    found = []
    matches = [*_matches(COUNT, text), *_matches(_NOUN_FIRST, text)]
    matches += _WORD_NUMBER.finditer(text) if _HAS_WORD_NUMBER.search(text) else []
    for match in sorted(matches, key=lambda m: m.start()):
        if found and match.start() < found[-1].end:
            continue  # the same count read twice (noun first and number first)
        if _is_money_or_time(text, match) or _is_year_or_ordinal(text, match):
            continue
        if _NOT_AFFECTED.search(text[max(0, match.start() - 30) : match.start()]):
            continue
        words = {"half a": 0.5, "a": 1.0, "one": 1.0}
        value = words.get(match["num"].lower()) or number_value(match["num"], lang)
        if value is None:
            continue
        unit = _UNIT_OF[match["unit"].lower()]
        head = _NEXT_UNIT.match(text, match.end())
        if head and unit != "records" and match["unit"] not in _RECORD_CLASSIFIERS:
            unit = _UNIT_OF[head["unit"].lower()]
        if unit in _NEEDS_CONTEXT and not _DATA_CONTEXT.search(_sentence(text, match.start())):
            continue
        value *= scale_value(match.groupdict().get("scale"))
        found.append(Count(round(value, 6), unit, match.start(), match.end()))
    return found


def _sentence(text: str, at: int, reach: int = 400) -> str:
    """The sentence around `at` (at most `reach` characters either side)."""
    lo = max(0, at - reach)
    starts = [m.end() for m in _SENTENCE_END.finditer(text, lo, at)]
    start = starts[-1] if starts else lo
    end = _SENTENCE_END.search(text, at, min(len(text), at + reach))
    return text[start : end.start() if end else min(len(text), at + reach)]


def _is_year_or_ordinal(text: str, match: re.Match) -> bool:
    """ "第46條" is an article of a law; "2024 le piratage" a year followed by words."""
    if text[max(0, match.start("num") - 1) : match.start("num")] in ("第", "#"):
        return True
    year = re.fullmatch(r"(?:19|20)\d\d", match["num"]) and not match.groupdict().get("scale")
    return bool(year) and match.end("num") != match.start("unit") - 1


def _is_money_or_time(text: str, match: re.Match) -> bool:
    """A number that is a sum ("$5 per user"), a year or a percentage is not a count."""
    before = text[max(0, match.start() - 3) : match.start()]
    if re.search(r"[$€£¥₩₹]\s?$|US\s?$", before):
        return True
    between = text[match.end("num") : match.start("unit")]
    return bool(re.search(r"%|％|年|月|日|元|円|원|dollars|euros|yuan", between, re.I))
