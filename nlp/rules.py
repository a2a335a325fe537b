"""The lexicon-and-pattern event tagger: explainable, torch-free, the baseline for every model."""

from __future__ import annotations

import bisect
import html
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from re import Pattern
from typing import NamedTuple

import zhconv

from nlp.classify import LABELS, EventTag
from nlp.sentences import split_sentences
from riskwatch.errors import ConfigError

LEXICON_PATH = Path(__file__).with_name("lexicon") / "rules.toml"

# Letters and digits of Latin scripts: a Latin pattern must not touch one on either side.
_LATIN = r"0-9A-Za-z\u00c0-\u024f"
_HAS_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_HAS_KANA = re.compile(r"[\u3040-\u30ff]")
_SCRIPT_BLOCK = re.compile(
    r"<(script|style|noscript)\b[^>]{0,500}>.{0,200000}?</\1\s*>", re.S | re.I
)
_BLOCK_TAG = re.compile(
    r"</?(?:br|p|div|li|ul|ol|h[1-6]|tr|td|title|section|article|blockquote)\b[^<>]{0,1000}>", re.I
)
_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,1000}>")
# A cue that ends near an event may begin further back: the longest cues are about this long.
_CUE_REACH = 30
# What the pre-pass relies on: a trigger begins (after any opening groups) with a letter,
# a digit or \d.
_TRIGGER_START = re.compile(r"(?:\(\?(?:[:!=]|-i:)|\()*(?:\\d|\w)")


def _fold_table() -> dict[int, str]:
    """Map accented Latin letters to their base letter and curly apostrophes to straight ones."""
    table = {ord("\u2019"): "'", ord("\u2018"): "'"}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFKD", chr(code))[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    return table


_FOLD = _fold_table()


@lru_cache(maxsize=1)
def _traditional_only() -> frozenset[str]:
    """Load zhconv's dictionary and return the characters only Traditional Chinese uses.

    The dictionary is loaded by path: zhconv's default loader leaves the file open, which
    pytest's warnings-as-errors turns into a failure.
    """
    zhconv.loaddict(str(Path(zhconv.__file__).with_name("zhcdict.json")))
    return zhconv.zhconv.zhcdicts["TRADONLY"]


def to_simplified(text: str) -> str:
    """Traditional Chinese to Simplified, with mainland wording (資料庫 -> 数据库)."""
    # converting text that is Simplified already costs about a millisecond per article
    if _traditional_only().isdisjoint(text):
        return text
    return zhconv.convert(text, "zh-cn")


def fold(text: str) -> str:
    """Fold text the way the lexicon is written: NFKC, no accents, Simplified Chinese."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    if _HAS_CJK.search(text) and not _HAS_KANA.search(text):
        text = to_simplified(text)
    return text


@dataclass(frozen=True)
class Cues:
    """The negation, hedge and denial cues of one language, with the distances they reach."""

    script: str
    object_window: int
    negation_gap: int
    hedge_gap: int
    after_gap: int
    negation: Pattern | None
    hedge: Pattern | None
    hedge_after: Pattern | None
    denial: Pattern | None
    clause_break: Pattern | None


@dataclass(frozen=True)
class LabelRules:
    """The patterns of one label in one language."""

    label: str
    lang: str
    any_trigger: Pattern
    strong: Pattern | None
    triggers: Pattern | None
    objects: Pattern | None
    weak: Pattern | None
    support: tuple[Pattern, ...]
    masks: Pattern | None
    vetoes: Pattern | None


@dataclass(frozen=True)
class Lexicon:
    """The compiled lexicon: scores, per-language cues, per label and language rules."""

    version: str
    scores: dict[str, float]
    cues: dict[str, Cues]
    rules: tuple[LabelRules, ...]
    labels: tuple[str, ...]
    prefilters: dict[str, Pattern]


@dataclass(frozen=True)
class Sentence:
    """One sentence as written (for evidence) and folded (for matching)."""

    original: str
    text: str


class Span(NamedTuple):
    """Where an event stands in a sentence: one part (a strong or weak phrase), or two parts
    (a trigger and its object, in either order) with text between them."""

    start: int
    first_end: int
    last_start: int
    end: int


@dataclass(frozen=True)
class Hit:
    """The best reading of one label in one sentence."""

    score: float
    start: int
    end: int


def _wrap(pattern: str, script: str) -> str:
    """Make a Latin-script pattern match whole words only."""
    if script != "latin":
        return f"(?:{pattern})"
    return f"(?<![{_LATIN}])(?:{pattern})(?![{_LATIN}])"


def compile_patterns(patterns: list[str] | None, script: str) -> Pattern | None:
    """Compile a list of lexicon patterns into one case-insensitive alternation."""
    if not patterns:
        return None
    # one boundary around the whole alternation runs several times faster than one per pattern
    joined = _join([fold(pattern) for pattern in patterns])
    return re.compile(_wrap(joined, script), re.IGNORECASE)


def _lowercase(pattern: str) -> str:
    """Lower-case the letters of a pattern, leaving escapes such as \\S and \\D alone."""
    return re.sub(r"\\.|[^\\]+", lambda part: _lower_unless_escape(part.group()), pattern)


def _lower_unless_escape(part: str) -> str:
    return part if part.startswith("\\") else part.lower()


def _prefilter(data: dict, script: str, scripts: dict[str, str]) -> Pattern:
    """Every trigger of every label in `script`, loosened to find candidate sentences fast.

    The text is lower-cased instead of matching with IGNORECASE, and a look-ahead on the
    letters the triggers spell skips most positions at once: many times faster over a whole
    article, and it finds everything the exact patterns find (every trigger starts with a
    letter or digit it spells out, or with \\d).
    """
    patterns = [
        _lowercase(fold(_checked_start(pattern)))
        for langs in data["labels"].values()
        for lang, table in langs.items()
        if scripts[lang] == script
        for key in ("strong", "triggers", "weak")
        for pattern in table.get(key, [])
    ]
    spelled = "".join(sorted({char for pattern in patterns for char in pattern if char.isalnum()}))
    left = f"(?<![{_LATIN}])" if script == "latin" else ""
    return re.compile(f"{left}(?=[{spelled}0-9])(?:{_join(patterns)})")


def _checked_start(pattern: str) -> str:
    """Return `pattern`, or raise if the pre-pass could not see where its matches begin."""
    if not _TRIGGER_START.match(pattern):
        raise ConfigError(f"rules.toml: trigger {pattern!r} must begin with a letter, digit or \\d")
    return pattern


def _join(patterns: list[str]) -> str:
    """One alternation of `patterns`, each in its own group."""
    return "|".join(f"(?:{pattern})" for pattern in patterns)


_CUE_KEYS = ("negation", "hedge", "hedge_after", "denial", "clause_break")


def _same_script(
    tables: dict[str, dict], script: str, scripts: dict[str, str], key: str
) -> list[str]:
    """Merge the `key` lists of every language written in `script`."""
    return [
        pattern
        for lang, table in tables.items()
        if scripts[lang] == script
        for pattern in table.get(key, [])
    ]


def _cues(lang: str, data: dict, scripts: dict[str, str]) -> Cues:
    """Compile one language's cues; its cue words are those of every same-script language.

    An English sentence can be matched by a French pattern ("IPO ... suspended"), so "not"
    and "denied" must block it there too.
    """
    table, script = data["cues"][lang], scripts[lang]
    merged = {key: _same_script(data["cues"], script, scripts, key) for key in _CUE_KEYS}
    compiled = {key: compile_patterns(merged[key], script) for key in _CUE_KEYS[:-1]}
    return Cues(
        script=script,
        object_window=table["object_window"],
        negation_gap=table["negation_gap"],
        hedge_gap=table["hedge_gap"],
        after_gap=table["after_gap"],
        clause_break=re.compile("|".join(merged["clause_break"]), re.IGNORECASE),
        **compiled,
    )


def _label_rules(label: str, lang: str, data: dict, scripts: dict[str, str]) -> LabelRules:
    """Compile one [labels.LABEL.LANG] table; masks and vetoes are shared within a script."""
    table, script = data["labels"][label][lang], scripts[lang]
    every_trigger = table.get("strong", []) + table.get("triggers", []) + table.get("weak", [])
    support = tuple(compile_patterns(group, script) for group in table.get("support", {}).values())
    shared = {
        key: _same_script(data["labels"][label], script, scripts, key)
        for key in ("masks", "vetoes")
    }
    return LabelRules(
        label=label,
        lang=lang,
        any_trigger=compile_patterns(every_trigger, script),
        strong=compile_patterns(table.get("strong"), script),
        triggers=compile_patterns(table.get("triggers"), script),
        objects=compile_patterns(table.get("objects"), script),
        weak=compile_patterns(table.get("weak"), script),
        support=support,
        masks=compile_patterns(shared["masks"], script),
        vetoes=compile_patterns(shared["vetoes"], script),
    )


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read and compile the lexicon at `path` (once per process and path)."""
    with open(path, "rb") as file:
        data = tomllib.load(file)
    scripts = {lang: table["script"] for lang, table in data["cues"].items()}
    cues = {lang: _cues(lang, data, scripts) for lang in data["cues"]}
    rules = tuple(
        _label_rules(label, lang, data, scripts)
        for label, langs in data["labels"].items()
        for lang in langs
    )
    return Lexicon(
        version=data["version"],
        scores=data["scores"],
        cues=cues,
        rules=rules,
        labels=tuple(data["labels"]),
        prefilters={script: _prefilter(data, script, scripts) for script in set(scripts.values())},
    )


def strip_markup(text: str) -> str:
    """Drop HTML scripts and tags (block tags become line breaks) and decode entities."""
    if "<" in text:
        text = _SCRIPT_BLOCK.sub(" ", text)
        text = _TAG.sub(" ", _BLOCK_TAG.sub("\n", text))
    if "&" in text:
        text = html.unescape(text)
    return text


def prepare(text: str) -> list[Sentence]:
    """Split a title-and-body text into sentences, each kept as written and folded."""
    sentences = []
    for piece in split_sentences(strip_markup(text)):
        original = " ".join(piece.split())
        sentences.append(Sentence(original=original, text=fold(original)))
    return sentences


def _blank(match: re.Match) -> str:
    return " " * len(match.group())


def _last_break(cues: Cues, text: str, lo: int, hi: int) -> int:
    """Return the end of the last clause break in text[lo:hi], or lo if there is none."""
    for found in cues.clause_break.finditer(text, lo, hi):
        lo = found.end()
    return lo


def _cue_before(cue: Pattern | None, cues: Cues, text: str, span: Span, gap: int) -> bool:
    """Does `cue` end within `gap` chars before the event, or stand between its two parts?

    Neither reaches across a clause break: "Ant's IPO, which could have raised $34bn, was
    suspended" is not hedged, "the ICO issued a notice of intent to fine BA" is.
    """
    if cue is None:
        return False
    lo = _last_break(cues, text, max(0, span.start - gap - _CUE_REACH), span.start)
    # searched up to the end of the first part, so a cue's look-ahead can see the event
    # ("planned" is no hedge in "the planned IPO was halted")
    for found in cue.finditer(text, lo, span.first_end):
        if span.start - gap <= found.end() <= span.start:
            return True
    if span.first_end >= span.last_start:
        return False
    lo = _last_break(cues, text, span.first_end, span.last_start)
    return cue.search(text, lo, span.last_start) is not None


def _cue_after(cues: Cues, text: str, end: int) -> bool:
    """Is a hedge found just after the event, before the clause ends?"""
    if cues.hedge_after is None:
        return False
    hi = min(len(text), end + cues.after_gap)
    found = cues.clause_break.search(text, end, hi)
    return cues.hedge_after.search(text, end, found.start() if found else hi) is not None


def is_blocked(cues: Cues, text: str, span: Span) -> bool:
    """Is the event at `span` negated or hedged?"""
    return (
        _cue_before(cues.negation, cues, text, span, cues.negation_gap)
        or _cue_before(cues.hedge, cues, text, span, cues.hedge_gap)
        or _cue_after(cues, text, span.end)
    )


def _nearest_object(
    rules: LabelRules, text: str, trigger: re.Match, window: int
) -> re.Match | None:
    """Return the object match closest to `trigger` within `window` chars, or None."""
    lo, hi = max(0, trigger.start() - window), min(len(text), trigger.end() + window)
    found = list(rules.objects.finditer(text, lo, hi))
    if not found:
        return None
    return min(found, key=lambda obj: abs(obj.start() - trigger.start()))


def _events(rules: LabelRules, cues: Cues, text: str, scores: dict):
    """Yield (base score, span) for every reading of the event in `text`, weak ones last."""
    yield from _phrases(rules.strong, text, scores["strong"])
    if rules.triggers is not None and rules.objects is not None:
        for trigger in rules.triggers.finditer(text):
            obj = _nearest_object(rules, text, trigger, cues.object_window)
            if obj is not None:
                first, last = sorted((obj, trigger), key=lambda found: found.start())
                end = max(obj.end(), trigger.end())
                yield scores["trigger"], Span(first.start(), first.end(), last.start(), end)
    yield from _phrases(rules.weak, text, scores["weak"])


def _phrases(pattern: Pattern | None, text: str, base: float):
    """Yield (base, span) for each one-part event `pattern` finds."""
    for found in pattern.finditer(text) if pattern else ():
        yield base, Span(found.start(), found.end(), found.start(), found.end())


def _overlaps(span: Span, other: Span) -> bool:
    return span.start < other.end and other.start < span.end


def score_sentence(rules: LabelRules, cues: Cues, text: str, scores: dict) -> Hit | None:
    """Score one label in one folded sentence; None when nothing unblocked fires."""
    if rules.masks is not None:
        text = rules.masks.sub(_blank, text)
    if (rules.vetoes and rules.vetoes.search(text)) or (cues.denial and cues.denial.search(text)):
        return None
    best, blocked = None, []
    for base, span in _events(rules, cues, text, scores):
        if base == scores["weak"] and any(_overlaps(span, other) for other in blocked):
            continue  # "拟对其处以…罚款": the bare 罚款 is part of the hedged event
        if is_blocked(cues, text, span):
            blocked.append(span)
        elif best is None or base > best[0]:
            best = (base, span)
    if best is None:
        return None
    support = sum(1 for group in rules.support if group.search(text)) * scores["support"]
    return Hit(score=round(min(1.0, best[0] + support), 2), start=best[1].start, end=best[1].end)


def evidence(sentence: Sentence, hit: Hit, limit: int) -> str:
    """The sentence as written, cut to about `limit` chars around the event if longer."""
    original = sentence.original
    if len(original) <= limit:
        return original
    ratio = len(original) / max(1, len(sentence.text))
    centre = int((hit.start + hit.end) / 2 * ratio)
    lo = max(0, min(centre - limit // 2, len(original) - limit))
    cut = original[lo : lo + limit].strip()
    return ("…" if lo > 0 else "") + cut + ("…" if lo + limit < len(original) else "")


def _candidates(prefilter: Pattern, doc: str, offsets: list[int]) -> set[int]:
    """Indices of the sentences of `doc` in which `prefilter` finds something."""
    return {bisect.bisect_right(offsets, found.start()) - 1 for found in prefilter.finditer(doc)}


def _offsets(texts: list[str]):
    """Start offset of each text in their newline-joined document."""
    position = 0
    for text in texts:
        yield position
        position += len(text) + 1


class RulesClassifier:
    """Tags event types with the lexicon in nlp/lexicon/rules.toml; see docs/labels.md."""

    name = "rules"
    labels = LABELS

    def __init__(self, lexicon_path: Path = LEXICON_PATH) -> None:
        self.lexicon = load_lexicon(lexicon_path)
        self.version = self.lexicon.version

    def classify(self, texts: list[str]) -> list[list[EventTag]]:
        """Tag each text; one list of tags per text, in order, empty when nothing fires.

        Args:
            texts: article texts, a title line then the body; any string, markup included.

        Returns:
            Per text, the labels scoring at least the lexicon threshold, each with the
            sentence that scored highest as evidence.
        """
        return [self.tag(text) for text in texts]

    def tag(self, text: str) -> list[EventTag]:
        """Tag one text."""
        sentences = prepare(text)
        best: dict[str, tuple[Hit, Sentence]] = {}
        for rules, index, hit in self._hits(sentences):
            current = best.get(rules.label)
            if current is None or hit.score > current[0].score:
                best[rules.label] = (hit, sentences[index])
        return self._tags(best)

    def sentence_labels(self, text: str) -> list[tuple[str, str]]:
        """(label, sentence) for every sentence of `text` where a label fires, in text order.

        The event stage uses it to find each firm's own sentence in an article that reports
        several actions ("the CNIL fined Google; Amazon was fined too").
        """
        sentences = prepare(text)
        hits = sorted((index, rules.label) for rules, index, _ in self._hits(sentences))
        return [(label, sentences[index].original) for index, label in dict.fromkeys(hits)]

    def _hits(self, sentences: list[Sentence]):
        """Yield (rules, sentence index, hit) for every sentence where a label fires."""
        lowered = [sentence.text.lower() for sentence in sentences]
        doc, offsets = "\n".join(lowered), list(_offsets(lowered))
        scripts = ["latin"] + (["cjk"] if _HAS_CJK.search(doc) else [])
        candidates = set()
        for script in scripts:
            candidates |= _candidates(self.lexicon.prefilters[script], doc, offsets)
        for index in sorted(candidates):
            yield from self._sentence_hits(index, sentences[index].text)

    def _sentence_hits(self, index: int, text: str):
        """Yield (rules, index, hit) for each label and language that fires in one sentence."""
        has_cjk = _HAS_CJK.search(text) is not None
        for rules in self.lexicon.rules:
            cues = self.lexicon.cues[rules.lang]
            if (cues.script == "cjk" and not has_cjk) or not rules.any_trigger.search(text):
                continue
            hit = score_sentence(rules, cues, text, self.lexicon.scores)
            if hit is not None and hit.score >= self.lexicon.scores["threshold"]:
                yield rules, index, hit

    def _tags(self, best: dict[str, tuple[Hit, Sentence]]) -> list[EventTag]:
        """Turn the best hit per label into tags, in lexicon label order."""
        limit = int(self.lexicon.scores["evidence_chars"])
        return [
            EventTag(
                type=label,
                score=best[label][0].score,
                evidence=evidence(best[label][1], best[label][0], limit),
            )
            for label in self.lexicon.labels
            if label in best
        ]
