"""Which event a new fact belongs to: the same firm, type and time, and agreeing details.

Events are built incrementally and never renumbered, so an alert about an event stays about
that event. A fact joins the best compatible event:
- same type and same firm group (Taobao and Alibaba are one firm; an unknown firm matches by
  its guessed name or by near-identical text);
- action dates within WINDOW_DAYS (a past event recalled by year joins that year's event);
and among those it prefers a syndicated copy of a member (MinHash), agreeing amounts, the same
regulator, similar embeddings (when the multilingual model is present) and the nearest date.
A recalled action ("Alibaba's record fine in April") joins the event its date points to, or,
undated, that firm's latest earlier event, or nothing: it never starts an event of its own.
Contradicting amounts do not split an event: the disagreement is shown on it. With no match a
new event starts, linked to an earlier event of the same firm and type it updates (an appeal,
a reduced fine, a terminated listing after a suspension).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from nlp.action_dates import ActionDate
from nlp.dedupe import DUPLICATE_JACCARD, similarity
from nlp.events.facts import Fact

WINDOW_DAYS = 10
UPDATE_YEARS = 3
AMOUNT_TOLERANCE = 0.05
SAME_TEXT = 0.5  # MinHash similarity that ties two articles about an unknown firm
SAME_MEANING = 0.88  # cosine of evidence embeddings that does the same across languages
_UPDATE_CUES = re.compile(
    r"appeal|upheld|uphold|overturn|reduc|cut the fine|court|tribunal|recours|annul|confirm|"
    r"réduit|Berufung|Gericht|recurso|ricorso|上诉|上訴|维持|維持|撤销|撤銷|复议|復議|减少|法院|"
    r"terminat|终止|終止|withdr|撤回|resum|恢复|恢復|重启|relanc|不服|控訴|항소",
    re.I,
)


@dataclass
class EventState:
    """What clustering needs to know of a stored event."""

    id: str
    type: str
    key: str
    day: date
    precision: str
    regulators: set[str] = field(default_factory=set)
    amounts_usd: list[float] = field(default_factory=list)
    signatures: dict[str, bytes] = field(default_factory=dict)  # article id -> MinHash
    embeddings: list[np.ndarray] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # likely names of an unknown firm


@dataclass(frozen=True)
class Assignment:
    event_id: str
    new: bool
    duplicate_of: str | None = None
    follows: str | None = None


def event_id(fact: Fact) -> str:
    digest = hashlib.sha1(f"{fact.type}|{fact.key}|{fact.article_id}".encode()).hexdigest()
    return f"ev-{digest[:10]}"


def assign(
    fact: Fact,
    signature: bytes,
    embedding: np.ndarray | None,
    candidates: list[EventState],
    history: list[EventState] = (),
) -> Assignment | None:
    """The event `fact` joins among `candidates`, or a new one (maybe following `history`);
    None for an undated recalled action with no event to join."""
    best, best_score, duplicate = None, float("-inf"), None
    for event in candidates:
        if not _compatible(fact, signature, embedding, event):
            continue
        score, copy_of = _score(fact, signature, embedding, event)
        if score > best_score:
            best, best_score, duplicate = event, score, copy_of
    if best is not None:
        return Assignment(best.id, new=False, duplicate_of=duplicate)
    if fact.likely_earlier and fact.action.precision == "published":
        earlier = [e for e in history if e.type == fact.type and e.key == fact.key]
        if earlier and not fact.key.startswith("?"):
            return Assignment(max(earlier, key=lambda e: e.day).id, new=False)
    if fact.recalled:
        # a recalled action joins the firm's latest earlier event, or nothing: an old fine
        # mentioned in a new story never becomes news of its own
        undated = fact.action is None or fact.action.precision == "published"
        earlier = [e for e in history if e.type == fact.type and e.key == fact.key]
        if undated and earlier and not fact.key.startswith("?"):
            return Assignment(max(earlier, key=lambda e: e.day).id, new=False)
        return None
    if fact.date_may_be_background:
        fact.action = ActionDate(fact.published, "published")
    return Assignment(event_id(fact), new=True, follows=_follows(fact, history))


def _compatible(fact: Fact, signature, embedding, event: EventState) -> bool:
    if event.type != fact.type or not _in_window(fact, event):
        return False
    if fact.key.startswith("?") or event.key.startswith("?"):
        if fact.key != event.key:
            return False
        return bool(set(fact.names) & event.names) or _text_close(signature, embedding, event)
    return fact.key == event.key


def _in_window(fact: Fact, event: EventState) -> bool:
    action = fact.action
    near_publication = abs((fact.published - event.day).days) <= WINDOW_DAYS
    if action is None:
        return near_publication
    if not fact.recalled and action.precision in ("year", "month") and near_publication:
        return True  # the news of the day, whatever earlier date its sentence also names
    if action.precision == "year" or event.precision == "year":
        return action.day.year == event.day.year
    if action.precision == "month" or event.precision == "month":
        return (action.day.year, action.day.month) == (event.day.year, event.day.month) or abs(
            (action.day - event.day).days
        ) <= WINDOW_DAYS
    return abs((action.day - event.day).days) <= WINDOW_DAYS


def _text_close(signature, embedding, event: EventState) -> bool:
    if any(similarity(signature, s) >= SAME_TEXT for s in event.signatures.values()):
        return True
    return embedding is not None and any(
        _cosine(embedding, e) >= SAME_MEANING for e in event.embeddings
    )


def _score(fact: Fact, signature, embedding, event: EventState) -> tuple[float, str | None]:
    score = 0.0
    copy_of, copy_sim = None, 0.0
    for article_id, other in event.signatures.items():
        sim = similarity(signature, other)
        if sim > copy_sim:
            copy_of, copy_sim = article_id, sim
    if copy_sim >= DUPLICATE_JACCARD:
        score += 2.0
    else:
        copy_of = None
    if fact.amount_usd and event.amounts_usd:
        agree = any(_close(fact.amount_usd, a) for a in event.amounts_usd)
        score += 1.0 if agree else -0.5
    if fact.regulator and fact.regulator in event.regulators:
        score += 0.5
    if embedding is not None and event.embeddings:
        score += max(_cosine(embedding, e) for e in event.embeddings)
    day = fact.action.day if fact.action else fact.published
    score -= abs((day - event.day).days) / (WINDOW_DAYS + 1)
    return score, copy_of


def _follows(fact: Fact, history: list[EventState]) -> str | None:
    """The earlier event of the same firm and type a new event updates, if any."""
    if fact.key.startswith("?"):
        return None
    day = fact.action.day if fact.action else fact.published
    earlier = [
        e
        for e in history
        if e.type == fact.type
        and e.key == fact.key
        and e.day < day
        and (day - e.day).days <= 365 * UPDATE_YEARS
    ]
    if not earlier:
        return None
    if fact.type == "ipo_suspension" or _UPDATE_CUES.search(fact.evidence):
        return max(earlier, key=lambda e: e.day).id
    return None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= AMOUNT_TOLERANCE * max(abs(a), abs(b))


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    denom = float(np.linalg.norm(a) * np.linalg.norm(b)) or 1.0
    return float(np.dot(a, b) / denom)
