"""Finding registry entities in text: word boundaries in Latin script, none needed in CJK.

All names and tickers go into one Aho-Corasick automaton (pyahocorasick) over a lower-cased
copy of the text, so a 1 MB article costs one pass however large the registry. Each hit is then
checked:
- Latin-script names must stand as words ("Applebee's" is not Apple, "Alibaba's" is Alibaba)
  and match the registry's case, or be written in capitals (headlines); tickers match exactly;
- CJK names need no boundary, but a registry `blockers` string covering the hit cancels it
  (京东 inside 北京东路);
- overlapping hits keep the longest (阿里巴巴集团 over 阿里巴巴 over 阿里);
- an `ambiguous` name (Apple, Amazon, 小米) counts only when the text also holds one of the
  entity's context words or an unambiguous name of the same entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from nlp.entities.registry import Registry

_LATIN = re.compile(r"[A-Za-z0-9À-ɏА-я]")
# letters that continue a Latin-script word; CJK next to a Latin name is a boundary (平台Temu在)
_WORD = re.compile(r"[A-Za-z0-9_À-ɏА-я]")


# Words that show an ambiguous capitalised Latin name is a firm in any firm's story: it is
# fined, sued, listed, hires or cuts jobs, reports results, has a CEO or a shop. Used besides
# each firm's own context words, for the company registry's Latin-script names only (a CJK
# name has no capital letter to support it, so it relies on its own context words).
CORPORATE_CONTEXT = [
    "jobs", "profit", "revenue", "results", "earnings", "quarter", "Nasdaq", "NYSE", "listing",
    "prix", "tarifs", "forfaits", "résultats", "Bourse", "bénéfice", "smartphones", "startup",
    "users", "user",
    "fined", "fine", "penalty", "sued", "lawsuit", "shares", "stock", "CEO", "chief executive",
    "Inc", "Ltd", "company", "firm", "group", "employees", "layoffs", "store", "subsidiary",
    "acquired", "regulator", "court", "amende", "condamné", "condamnée", "sanctionné",
    "sanction", "actions", "PDG", "entreprise", "société", "groupe", "filiale", "racheté",
    "salariés", "postes", "emplois", "boutique", "magasin", "justice", "tribunal", "régulateur",
    "Bußgeld", "Strafe", "Aktie", "Konzern", "Unternehmen", "Kunden", "Preise", "Festnetz",
    "Mobilfunk", "罚款", "被罚", "处罚", "罰款", "公司", "集团", "集團", "企业", "企業", "股价",
    "股價", "用户", "用戶", "과징금", "이용자", "개인정보", "회사", "罰金", "株価", "会社",
]  # fmt: skip


@dataclass(frozen=True)
class Mention:
    entity: str  # registry id
    start: int
    end: int
    text: str


def _lower(text: str) -> str:
    """Lower-case without changing the length (so offsets stay valid)."""
    return "".join(ch if len(low := ch.lower()) != 1 else low for ch in text)


class EntityMatcher:
    def __init__(self, registry: Registry):
        self.registry = registry
        self._automaton = ahocorasick.Automaton()
        patterns: dict[str, list[tuple[str, str, bool]]] = {}
        for entity in registry.entities.values():
            for name in entity.all_names():
                exact = name in entity.ambiguous
                patterns.setdefault(_lower(name), []).append((entity.id, name, exact))
            for ticker in entity.tickers:
                patterns.setdefault(_lower(ticker), []).append((entity.id, ticker, True))
        for key, owners in patterns.items():
            self._automaton.add_word(key, (len(key), owners))
        if patterns:
            self._automaton.make_automaton()
        self._has_patterns = bool(patterns)
        generic = [_lower(w) for w in CORPORATE_CONTEXT] if registry.kind == "company" else []
        self._context = {
            e.id: ([_lower(w) for w in e.context], generic)
            for e in registry.entities.values()
            if e.ambiguous
        }

    def find(
        self, text: str, context: str | None = None, known: frozenset[str] = frozenset()
    ) -> list[Mention]:
        """Every accepted mention in `text`, in order; overlapping hits keep the longest.

        context: the whole article when `text` is one sentence of it, so that "Apple" in a
        sentence counts when the article speaks of iPhones. known: entities already accepted
        elsewhere in that article, whose ambiguous names need no more proof.
        """
        if not text or not self._has_patterns:
            return []
        low = _lower(text)
        blocked = self._blocked_spans(low)
        hits = []
        for end_index, (length, owners) in self._automaton.iter(low):
            start, end = end_index - length + 1, end_index + 1
            for entity_id, name, exact in owners:
                if self._accept(text, start, end, name, exact, blocked.get(entity_id, ())):
                    hits.append((start, end, entity_id, name in self.registry[entity_id].ambiguous))
        chosen = _longest_first(hits)
        return self._with_context(text, _lower(context) if context else low, chosen, known)

    def _blocked_spans(self, low: str) -> dict[str, list[tuple[int, int]]]:
        spans: dict[str, list[tuple[int, int]]] = {}
        for entity in self.registry.entities.values():
            for blocker in entity.blockers:
                key = _lower(blocker)
                for m in re.finditer(re.escape(key), low):
                    spans.setdefault(entity.id, []).append(m.span())
        return spans

    def _accept(self, text, start, end, name, exact, blocked) -> bool:
        found = text[start:end]
        if any(b_start <= start and end <= b_end for b_start, b_end in blocked):
            return False
        if not _LATIN.match(name[0]) and not _LATIN.match(name[-1]):
            return True  # CJK, kana, hangul: no word boundaries to check
        if _LATIN.match(name[0]) and start > 0 and _WORD.match(text[start - 1]):
            return False
        if _LATIN.match(name[-1]) and end < len(text) and _WORD.match(text[end]):
            return False
        if found == name:
            return True
        if exact:
            return found.isupper() and len(found) > 3 and found == name.upper()
        # any spelling with a capital letter (DiDi, ALIBABA); all lower case is a word
        return found != found.lower()

    def _with_context(
        self, text: str, context_low: str, chosen, known=frozenset()
    ) -> list[Mention]:
        sure = {entity_id for _, _, entity_id, ambiguous in chosen if not ambiguous} | known
        mentions = []
        for start, end, entity_id, ambiguous in chosen:
            latin = _LATIN.match(text[start]) is not None
            if ambiguous and entity_id not in sure:
                # another firm named beside a capitalised name inside a sentence makes it a
                # firm too ("Xiaomi overtakes Apple"); at a sentence start capitals prove nothing.
                # A CJK name needs the other firm right next to it (阿里腾讯各被罚, 阿里、腾讯).
                firm_beside = self.registry.kind == "company" and (
                    (latin and bool(sure) and not _sentence_start(text, start))
                    or any(
                        e in sure and (0 <= s - end <= 1 or 0 <= start - e_end <= 1)
                        for s, e_end, e, _ in chosen
                    )
                )
                if not firm_beside and not self._context_in(context_low, entity_id, latin):
                    continue
            mentions.append(Mention(entity_id, start, end, text[start:end]))
        return mentions

    def _context_in(self, low: str, entity_id: str, latin: bool) -> bool:
        own, generic = self._context.get(entity_id, ([], []))
        return any(_contains_word(low, w) for w in (*own, *(generic if latin else ())))


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \"'«“(")
    return not before or before[-1] in ".!?:;\n。！？"


def _contains_word(low: str, word: str) -> bool:
    if not _LATIN.match(word[0]):
        return word in low
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", low) is not None


def _longest_first(hits):
    """Keep non-overlapping hits, longest first; the same span for two entities keeps the first
    listed. One pass over a map of taken characters, so a long text stays linear."""
    if not hits:
        return []
    taken = bytearray(max(h[1] for h in hits))
    kept = []
    for hit in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
        start, end = hit[0], hit[1]
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            kept.append(hit)
    return sorted(kept)
