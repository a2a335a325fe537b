"""Labelled examples for training and measuring classifiers (`nlp/data/*.jsonl` and users' own).

One JSON object per line: title (optional), text, labels (list), and optionally id, lang,
split ("train" or "dev"; default "train"), firms, kind, note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from nlp.classify import classifier_text
from riskwatch.errors import InputError

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Example:
    id: str
    lang: str
    split: str
    text: str  # title and body as classifiers read them
    labels: frozenset[str]
    kind: str


def data_files(paths: list[Path] | None = None) -> list[Path]:
    """The JSONL files under each path (a file stands for itself); default the shipped data."""
    files = []
    for path in paths or [DATA_DIR]:
        path = Path(path)
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    if not files:
        raise InputError(f"no .jsonl files in {', '.join(str(p) for p in paths or [DATA_DIR])}")
    return files


def load_examples(paths: list[Path] | None = None) -> list[Example]:
    """Read and check every example; errors name the file and line."""
    examples = []
    for path in data_files(paths):
        for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
            if raw.strip():
                examples.append(_example(raw, f"{path.name}:{number}"))
    return examples


def _example(raw: bytes, where: str) -> Example:
    try:
        item = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise InputError(f"{where}: not valid UTF-8 ({err.reason})") from err
    except json.JSONDecodeError as err:
        raise InputError(f"{where}: not valid JSON ({err.msg})") from err
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise InputError(f'{where}: expected an object with a "text" string')
    labels = item.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise InputError(f'{where}: "labels" must be a list of strings')
    split = item.get("split", "train")
    if split not in ("train", "dev", "test"):
        raise InputError(f'{where}: "split" must be train, dev or test, not {split!r}')
    return Example(
        id=str(item.get("id", where)),
        lang=str(item.get("lang", "")),
        split=split,
        text=classifier_text(item.get("title"), item["text"]),
        labels=frozenset(labels),
        kind=str(item.get("kind", "positive" if labels else "negative")),
    )
