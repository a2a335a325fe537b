"""Text for the full-text index: CJK runs become overlapping bigrams, and back again.

unicode61 treats a whole run of Chinese characters as one token, so 罚款 would never match
inside 被处以罚款. Indexing 被处 处以 以罚 罚款 and querying the phrase of the query's bigrams
gives substring semantics for CJK while Latin text keeps word tokens with folded accents
(measured design (d) in shared/research/fts-anchor.md).
"""

from __future__ import annotations

import re

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{_CJK}]+")
# \x1f separates bigrams: unicode61 splits on it, and it never occurs in real text.
SEP = "\x1f"
HL_START, HL_END = "\x02", "\x03"


def cjk_bigrams(run: str) -> list[str]:
    """The overlapping bigrams of a CJK run (a single character stays itself)."""
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str | None) -> str:
    """Text as it goes into the index: CJK runs replaced by their bigrams."""
    if not text:
        return ""
    return CJK_RUN.sub(lambda m: " " + SEP.join(cjk_bigrams(m.group())) + " ", text)


_TOKEN_RUN = re.compile(f"[{_CJK}{HL_START}{HL_END}]+(?:{SEP}[{_CJK}{HL_START}{HL_END}]+)+")


def _decode_run(run: str) -> str:
    out: list[str] = []  # one character or marker per element
    for i, token in enumerate(run.split(SEP)):
        if i == 0:
            out.extend(token)
            continue
        chars = token.replace(HL_START, "").replace(HL_END, "")
        if token.startswith(HL_START):
            # the highlight starts at this bigram's first char, which the previous one emitted
            last_char = max(k for k, c in enumerate(out) if c not in (HL_START, HL_END))
            out.insert(last_char, HL_START)
        out.append(chars[-1:])
        if token.endswith(HL_END):
            out.append(HL_END)
    return "".join(out)


def decode_index_text(text: str) -> str:
    """Undo index_text on a snippet, keeping highlight markers in place."""
    text = _TOKEN_RUN.sub(lambda m: _decode_run(m.group()), text)
    return re.sub(f" ?([{_CJK}{HL_START}{HL_END}]+) ?", r"\1", text)


_QUERY_TOKEN = re.compile(r'"([^"]*)"?|(\()|(\))|([^\s()"]+)')
_OPERATORS = {"AND", "OR", "NOT"}


def _phrase(words: str) -> str | None:
    """One FTS5 phrase for user words, CJK turned into bigrams; None when nothing to search."""
    parts = []
    for piece in re.split(f"([{_CJK}]+)", words):
        if CJK_RUN.fullmatch(piece):
            parts.extend(cjk_bigrams(piece))
        else:
            parts.extend(re.findall(r"\w+", piece))
    if not parts:
        return None
    return '"' + " ".join(parts) + '"'


def fts_query(user_query: str) -> str | None:
    """Translate what a person typed into a valid FTS5 MATCH expression.

    Words and "quoted phrases" are ANDed; AND, OR, NOT and parentheses pass through; a
    trailing * makes a prefix search. Unbalanced quotes and stray punctuation never raise.
    Returns None when the query has nothing searchable in it.
    """
    out: list[str] = []
    depth = 0
    for quoted, opening, closing, word in _QUERY_TOKEN.findall(user_query):
        if opening:
            out.append("(")
            depth += 1
        elif closing and depth:
            out.append(")")
            depth -= 1
        elif word in _OPERATORS:
            out.append(word)
        elif quoted or word:
            phrase = _phrase(quoted or word)
            if phrase:
                # a lone CJK character is indexed only inside bigrams: search them by prefix
                lone_cjk = CJK_RUN.fullmatch(phrase.strip('"')) and len(phrase) == 3
                out.append(phrase + ("*" if word.endswith("*") or lone_cjk else ""))
    out.extend(")" * depth)
    return _clean_operators(out)


def _clean_operators(tokens: list[str]) -> str | None:
    """Drop operators with no operand on one side and empty groups, so FTS5 never errors."""
    cleaned: list[str] = []
    for tok in tokens:
        if tok in _OPERATORS and (not cleaned or cleaned[-1] in _OPERATORS or cleaned[-1] == "("):
            continue
        if tok == ")" and cleaned and cleaned[-1] in _OPERATORS:
            cleaned.pop()
        if tok == ")" and cleaned and cleaned[-1] == "(":
            cleaned.pop()
            continue
        cleaned.append(tok)
    while cleaned and cleaned[-1] in _OPERATORS:
        cleaned.pop()
    return " ".join(cleaned) or None
