"""Long articles for models with a short reading span: sentences grouped into windows.

A window is a run of whole sentences of at most `max_tokens` tokens; a sentence longer than
that is a window of its own (the model truncates it). Every window after the first starts
with the text's first sentence (the headline, when there is one): a paragraph deep in an
article ("The investigation was opened in December.") means little without it, and models
trained on headline-plus-lead items misread it. Only the first `max_windows` windows
are read: a 1 MB page must not cost minutes, and news reports its event early.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nlp.sentences import split_sentences

MAX_TOKENS = 160
MAX_WINDOWS = 24


@dataclass(frozen=True)
class Window:
    text: str
    sentences: tuple[str, ...]


def split_windows(
    text: str,
    count_tokens: Callable[[list[str]], list[int]],
    max_tokens: int = MAX_TOKENS,
    max_windows: int = MAX_WINDOWS,
) -> list[Window]:
    """Windows of consecutive sentences; no window for text without words."""
    sentences = split_sentences(text)
    if not sentences:
        return []
    # Counting tokens for sentences we will never read would be the slow part of a huge page.
    budget = max_tokens * max_windows
    kept, chars = [], 0
    for sentence in sentences:
        kept.append(sentence)
        chars += len(sentence)
        if chars > budget * 8:  # no script averages more than 8 characters per token
            break
    windows, current, used = [], [], 0
    for sentence, tokens in zip(kept, count_tokens(kept), strict=True):
        if current and used + tokens > max_tokens:
            windows.append(current)
            current, used = [], 0
        current.append(sentence)
        used += tokens
    if current:
        windows.append(current)
    headline = sentences[0]
    return [
        Window(_join(w if i == 0 else [headline, *w]), tuple(w))
        for i, w in enumerate(windows[:max_windows])
    ]


def _join(sentences: list[str]) -> str:
    # CJK sentences carry no space between them in print; a space is harmless for the model.
    return " ".join(sentences)
