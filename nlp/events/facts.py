"""Event facts of one tagged article: who, which regulator, how much, how many, when.

An article tagged with a type may report that action for one firm, for several ("the CNIL
fined Google and Amazon"), and recall earlier ones ("Meituan's fine is second only to
Alibaba's in 2021"). So:
- the *primary* firms are those the evidence sentence names first or lists together with the
  first, plus those the headline also names; with none there, the headline's firms, then a
  firm named twice in the body; with none at all the fact keeps a guessed name and is flagged
  unknown, never dropped;
- every other firm named in a sentence where the rules tagger fires for the type gets a
  *recalled* fact from that sentence, with its own date, amount and evidence: the clustering
  attaches it to that firm's earlier event (never a new one unless the sentence dates it).
A firm mentioned only in passing, outside any such sentence, gets no fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from nlp.action_dates import ActionDate, action_date, dates_in
from nlp.amounts import Money, find_money
from nlp.counts import Count, find_counts
from nlp.entities.matcher import EntityMatcher, Mention
from nlp.entities.registry import Registry
from nlp.events.names import unknown_firm_names
from nlp.fx import load_rates
from nlp.rules import RulesClassifier
from nlp.sentences import split_sentences

# Between two firms of one list: "Google and Facebook", "阿里巴巴、腾讯", "Free et Orange".
_LIST_GAP = re.compile(
    r"^\s*(?:,|、|，|·|・|and|et|und|y|e|和|与|與|及|以及|&|/|와|과|및|に|と)?\s*(?:,\s*)?$", re.I
)
_FINE_WORDS = re.compile(
    r"fine|penalt|sanction|amende|Bußgeld|Strafe|multa|sanzione|罚|罰|処分|課徴金|과징금|벌금|штраф",
    re.I,
)
MAX_SENTENCES = 200  # of a long article, the sentences searched for recalled actions
# An evidence sentence that reports a ruling on an earlier action: its latest date is the news.
_UPDATE = re.compile(
    r"appeal|upheld|uphold|overturn|reduc|annul|confirm|recours|réduit|Berufung|recurso|"
    r"上诉|上訴|维持|維持|撤销|撤銷|复议|復議|减少|減少|控訴|항소",
    re.I,
)


@dataclass
class Fact:
    article_id: str
    type: str
    score: float
    evidence: str
    published: date
    company: str | None = None  # registry id of the firm (unit or group) the event is about
    group: str | None = None  # the group it rolls up into: the clustering key
    company_guess: str | None = None  # a name for a firm not in the registry
    names: list[str] = field(default_factory=list)  # its likely names, for grouping
    mentioned: list[str] = field(default_factory=list)  # every firm the article names
    regulator: str | None = None
    amount: Money | None = None
    amount_usd: float | None = None
    amount_eur: float | None = None
    records: Count | None = None
    action: ActionDate | None = None
    recalled: bool = False  # an earlier action the article mentions, not its news
    # a breach named as the reason of a fine ("fined over a 2021 leak") was reported before:
    # it joins that firm's latest breach event when there is one
    likely_earlier: bool = False
    # an old month or year in the news sentence may date a background fact, not the action
    date_may_be_background: bool = False

    @property
    def key(self) -> str:
        """What events are grouped by: the group's id, or the guessed name."""
        return self.group or "?"


@dataclass
class FactExtractor:
    companies: Registry
    regulators: Registry

    def __post_init__(self):
        self.company_matcher = EntityMatcher(self.companies)
        self.regulator_matcher = EntityMatcher(self.regulators)
        self.rules = RulesClassifier()

    def facts(self, article: dict, tag: dict) -> list[Fact]:
        """The facts of one (article, tag): its firms' actions of that type."""
        title = article.get("title") or ""
        body = article.get("body") or ""
        lang = article.get("lang") or "en"
        evidence = (tag.get("evidence") or "").strip() or title
        published = _day(article.get("published") or article.get("fetched_at"))
        article_text = f"{title}\n{body}"
        # what every fact of this article reads: split, labelled and matched once
        self._context = article_text
        self._sentences = split_sentences(body)
        headed = [title, *self._sentences[:MAX_SENTENCES]]
        self._labels = self.rules.sentence_labels("\n".join(headed))
        self._known: frozenset[str] = frozenset()
        self._known = frozenset(m.entity for m in self.company_matcher.find(article_text))
        mentioned = sorted(self._known)
        common = dict(
            article_id=article["id"],
            type=tag["type"],
            score=float(tag.get("score") or 0.0),
            published=published,
            mentioned=mentioned,
        )
        evidence = self._news_sentence(title, body, tag["type"], evidence)
        primary, guess = self._primary_firms(title, body, evidence, lang)
        facts = []
        for firm in primary or [None]:
            fact = self._fact(common, firm, evidence, [evidence, title], title, body, lang)
            if len(primary) > 1 and fact.amount is not None:
                # "150 millions à Google et 60 millions à Facebook": each firm its own sum,
                # from the news sentence or the first sentence about a fine that names it
                for sentence in (evidence, *self._sentences[:MAX_SENTENCES]):
                    own = _FINE_WORDS.search(sentence) and self._amount_beside(firm, sentence, lang)
                    if own:
                        fact.amount = own
                        break
                self._convert(fact)
            if _UPDATE.search(evidence):
                fact.action = _latest_date(evidence, published)
            breach = tag["type"] == "data_breach"
            fact.likely_earlier = breach and _FINE_WORDS.search(evidence) is not None
            # "practices that began in June 2015" in today's news: if no event of that time
            # exists to join, the news is today's
            fact.date_may_be_background = fact.action.precision in ("month", "year") and (
                (published - fact.action.day).days > 365
            )
            if firm is None:
                fact.names = guess
                fact.company_guess = _display(guess[0], article_text) if guess else None
            facts.append(fact)
        news_day = min(f.action.day for f in facts)
        recalled_groups: set[str] = set()
        taken = {self.companies.top(f) for f in primary}
        for sentence, firm in self._recalled(title, body, tag["type"], evidence):
            group = self.companies.top(firm)
            dated = action_date([sentence], published)
            # the news firm again only where the sentence dates an earlier action of it
            earlier = dated.precision != "published" and (news_day - dated.day).days > 10
            if group in taken and not (
                group in {self.companies.top(f) for f in primary}
                and earlier
                and group not in recalled_groups
            ):
                continue
            recalled_groups.add(group)
            taken.add(group)
            fact = self._fact(common, firm, sentence, [sentence], title, body, lang)
            fact.recalled = True
            facts.append(fact)
        return facts

    def _fact(self, common, firm, evidence, date_texts, title, body, lang) -> Fact:
        fact = Fact(
            **common,
            evidence=evidence,
            regulator=self._regulator(title, body, evidence),
            amount=_amount(common["type"], evidence, title, self._sentences, lang, self._context),
            records=_records(evidence, title, body, lang),
            action=action_date(date_texts, common["published"]),
        )
        if firm:
            fact.company, fact.group = firm, self.companies.top(firm)
        self._convert(fact)
        return fact

    def _news_sentence(self, title: str, body: str, event_type: str, evidence: str) -> str:
        """The sentence that reports the article's news of this type: the headline when the
        rules tagger finds the action there (headlines name the news, bodies recall the past),
        else the classifier's evidence, unless the rules find no such action in it but do
        elsewhere (a headline about a fine given as the evidence of an IPO halt)."""
        hits = [s for label, s in self._labels if label == event_type]
        if hits and hits[0].strip() == title.strip():
            return title
        if not hits or any(h.strip() == evidence.strip() for h in hits):
            return evidence
        own = [label for label, _ in self.rules.sentence_labels(evidence)]
        return evidence if event_type in own or not own and not _has_trigger(evidence) else hits[0]

    def _primary_firms(
        self, title: str, body: str, evidence: str, lang: str
    ) -> tuple[list[str], list[str]]:
        find = self._find
        in_title = find(title)
        title_firms = {m.entity for m in in_title}
        mentions = find(evidence)
        if mentions and (not title_firms or title_firms & {m.entity for m in mentions}):
            firms = _listed_together(evidence, mentions)
            if evidence.strip() != title.strip():
                firms += [m.entity for m in mentions if m.entity in title_firms]
            else:  # "100 millions pour Google et 35 millions pour Amazon": each has its sum
                firms += [m.entity for m in mentions if self._sum_next_to(m, evidence, lang)]
            return _distinct_groups(self.companies, firms), []
        if in_title:
            # the headline's firm is the news; others in the evidence are recalled
            return _distinct_groups(self.companies, _listed_together(title, in_title)), []
        counts: dict[str, int] = {}
        for mention in find(body):
            counts[mention.entity] = counts.get(mention.entity, 0) + 1
        frequent = [firm for firm, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n >= 2]
        if frequent:
            return frequent[:1], []
        return [], unknown_firm_names(title, body, self.regulator_matcher)

    def _recalled(self, title, body, event_type, evidence):
        """(sentence, firm) for each firm named where the rules tagger finds this type."""
        for label, sentence in self._labels:
            if label == event_type and sentence.strip() != evidence.strip():
                for mention in self._find(sentence):
                    yield sentence, mention.entity

    def _amount_beside(self, firm: str, sentence: str, lang: str) -> Money | None:
        """The sum nearest to where `sentence` names `firm`."""
        spots = [(m.start, m.end) for m in self._find(sentence) if m.entity == firm]
        sums = [m for m in find_money(sentence, lang, self._context) if m.kind != "cap"]
        if not spots or not sums:
            return None

        def gap(money: Money) -> float:
            # the gap of text between the name and the sum, either side; a tie goes to the
            # sum after the name ("Google $100m and Amazon $35m")
            return min(
                money.start - end if money.start >= end else (start - money.end) + 0.5
                for start, end in spots
            )

        return min(sums, key=gap)

    def _sum_next_to(self, mention: Mention, sentence: str, lang: str) -> bool:
        """A sum just before the name ("35 millions pour Amazon") or just after ("Amazon $42m")."""
        sums = find_money(sentence, lang, self._context)
        return any(
            0 <= mention.start - m.end <= 12 or 0 <= m.start - mention.end <= 3 for m in sums
        )

    def _find(self, text: str):
        return self.company_matcher.find(text, context=self._context, known=self._known)

    def _regulator(self, title: str, body: str, evidence: str) -> str | None:
        lead = " ".join(self._sentences[:3])
        for text in (evidence, title, lead):
            mentions = self.regulator_matcher.find(text, context=self._context)
            if mentions:
                return mentions[0].entity
        return None

    def _convert(self, fact: Fact) -> None:
        if fact.amount is None:
            return
        rates = load_rates()
        year = fact.action.day.year if fact.action else fact.published.year
        fact.amount_usd = rates.convert(fact.amount.value, fact.amount.currency, "USD", year)
        fact.amount_eur = rates.convert(fact.amount.value, fact.amount.currency, "EUR", year)


_TRIGGER = re.compile(
    r"fine|penalt|sanction|amende|breach|leak|hack|scrap|stole|expos|fuite|piratage|IPO|listing|"
    r"introduction en Bourse|Börsengang|罚|罰|泄露|洩露|爬|上市|流出|上場|상장|유출|과징금",
    re.IGNORECASE,
)


def _has_trigger(text: str) -> bool:
    """Any word of the three event types: the evidence is about some event."""
    return _TRIGGER.search(text) is not None


def _distinct_groups(registry: Registry, firms: list[str]) -> list[str]:
    """One firm per group, first named first (Taobao and Alibaba in one sentence: Taobao)."""
    seen, out = set(), []
    for firm in firms:
        if registry.top(firm) not in seen:
            seen.add(registry.top(firm))
            out.append(firm)
    return out


def _latest_date(text: str, published: date) -> ActionDate:
    """The ruling's own date: the last full date in the sentence, else publication."""
    days = [found for _, found in dates_in(text, published) if found.precision == "day"]
    return days[-1] if days else ActionDate(published, "published")


def _listed_together(text: str, mentions: list[Mention]) -> list[str]:
    """The first firm named, and those listed right after it ("A, B and C")."""
    firms = [mentions[0].entity]
    for before, after in zip(mentions, mentions[1:], strict=False):
        if not _LIST_GAP.match(text[before.end : after.start]):
            break
        if after.entity not in firms:
            firms.append(after.entity)
    return firms


def _amount(
    event_type: str, evidence: str, title: str, body_sentences: list[str], lang: str, context: str
) -> Money | None:
    """The sum of a fine: in the evidence, else the headline, else a sentence about a fine;
    in a sentence, the sum nearest after a fine word ("sales of 455.7bn yuan, 4% of which,
    18.228bn yuan, is the fine")."""
    if event_type != "regulatory_fine":
        return None
    sentences = [evidence, title, *(s for s in body_sentences if _FINE_WORDS.search(s))]
    for text in sentences:
        sums = [m for m in find_money(text, lang, context) if m.kind != "cap"]
        if sums:
            return _nearest_fine_word(text, sums)
    return None


def _nearest_fine_word(text: str, sums: list[Money]) -> Money:
    words = [m.start() for m in _FINE_WORDS.finditer(text)]
    if not words:
        return sums[0]

    def distance(money: Money) -> int:
        # a sum right after a fine word, or just before it ("a 50m fine"), is the fine
        return min((money.start - w) if money.start >= w else 3 * (w - money.end) for w in words)

    # the first sum right next to a fine word: later ones are often the executives' fines
    close = [m for m in sums if distance(m) <= 6]
    return close[0] if close else min(sums, key=distance)


def _records(evidence: str, title: str, body: str, lang: str) -> Count | None:
    for text in (evidence, title, body):
        counts = find_counts(text, lang)
        if counts:
            return max(counts, key=lambda c: c.value)
    return None


def _display(name: str, text: str) -> str:
    """A casefolded name as the article writes it."""
    match = re.search(re.escape(name), text, re.IGNORECASE)
    return match[0] if match else name


def _day(stamp: str | None) -> date:
    if stamp:
        try:
            return date.fromisoformat(stamp[:10])
        except ValueError:
            pass
    return date.today()
