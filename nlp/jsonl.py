"""The `riskwatch classify` contract: JSON Lines in, one result line per input line out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from nlp.classify import Classifier, classifier_text
from riskwatch.errors import InputError


def read_items(stream: BinaryIO) -> list[dict]:
    """Parse and check every input line first, so a bad line stops the run before any output.

    Raises:
        InputError: naming the line number of invalid UTF-8, invalid JSON or a missing "text".
    """
    items = []
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as err:
            raise InputError(f"line {number}: not valid UTF-8 ({err.reason})") from err
        except json.JSONDecodeError as err:
            raise InputError(f"line {number}: not valid JSON ({err.msg})") from err
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise InputError(f'line {number}: expected an object with a "text" string')
        if item.get("title") is not None and not isinstance(item["title"], str):
            raise InputError(f'line {number}: "title" must be a string')
        items.append(item)
    return items


def classify_jsonl(
    stream: BinaryIO, classifier: Classifier, batch_size: int = 32
) -> Iterator[dict]:
    """Results in input order: id, labels, a score for every label, evidence per label."""
    yield from classify_items(read_items(stream), classifier, batch_size)


def classify_items(
    items: list[dict], classifier: Classifier, batch_size: int = 32
) -> Iterator[dict]:
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        texts = [classifier_text(i.get("title"), i["text"]) for i in batch]
        for item, tags in zip(batch, classifier.classify(texts), strict=True):
            yield result_line(item.get("id"), tags, classifier.labels)


def result_line(item_id, tags, labels) -> dict:
    scores = dict.fromkeys(labels, 0.0)
    scores.update({t.type: round(float(t.score), 4) for t in tags})
    return {
        "id": item_id,
        "labels": [t.type for t in tags],
        "scores": scores,
        "evidence": {t.type: t.evidence for t in tags},
    }
