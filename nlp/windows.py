"""Long articles for models with a short reading span: sentences grouped into windows.

A text that fits `max_tokens` is one window. A longer one gets a lead window (from the
headline on, as much as fits), then every run of three consecutive sentences (so no
paragraph of three is ever split between windows). Every
window after the first starts with the text's first sentence (the headline, when there is
one): a paragraph deep in an article ("The investigation was opened in December.") means
little without it, and models trained on headline-plus-lead items misread it. Only the first
`max_windows` windows are read: a 1 MB page must not cost minutes, and news reports its
event early.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nlp.sentences import split_sentences

MAX_TOKENS = 160
MAX_WINDOWS = 40
SENTENCES_PER_WINDOW = 3


@dataclass(frozen=True)
class Window:
    text: str
    sentences: tuple[str, ...]  # the window's own sentences (not the repeated headline)
    spans: tuple[tuple[int, int], ...]  # where each of them sits in `text`


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
    counts = count_tokens(kept)
    if sum(counts) <= max_tokens:
        return [_window(kept, None)]
    # The lead window: from the headline on, as much as fits.
    lead, used = [], 0
    while len(lead) < len(kept) and (not lead or used + counts[len(lead)] <= max_tokens):
        used += counts[len(lead)]
        lead.append(kept[len(lead)])
    windows = [lead]
    # Then the body in short runs, each read after the headline: the shape of
    # the headline-plus-lead items the models learn from. A long run would average a single
    # event paragraph away among ordinary ones.
    start = len(lead)
    while start < len(kept):
        run, used = [], 0
        for k in range(start, min(start + SENTENCES_PER_WINDOW, len(kept))):
            if run and used + counts[k] > max_tokens:
                break
            run.append(kept[k])
            used += counts[k]
        windows.append(run)
        if start + len(run) >= len(kept):
            break
        start += 1  # every run: an event paragraph is never split between two windows
    headline = sentences[0]
    return [_window(w, None if i == 0 else headline) for i, w in enumerate(windows[:max_windows])]


def _window(sentences: list[str], headline: str | None) -> Window:
    # CJK sentences carry no space between them in print; a space is harmless for the model.
    text = f"{headline} " if headline else ""
    spans = []
    for sentence in sentences:
        if spans or headline:
            text += " " if not text.endswith(" ") else ""
        spans.append((len(text), len(text) + len(sentence)))
        text += sentence
    return Window(text, tuple(sentences), tuple(spans))
