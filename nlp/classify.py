"""The classifier interface every event tagger implements, and how one is chosen by name."""

from __future__ import annotations

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

    def classify(self, texts: list[str]) -> list[list[EventTag]]: ...


def load_classifier(name: str = "rules") -> Classifier:
    """Return the classifier called `name` ("rules" is the torch-free tagger).

    Raises:
        UnknownModelError: no classifier goes by that name.
    """
    from riskwatch.errors import UnknownModelError

    if name == "rules":
        from nlp.rules import RulesClassifier

        return RulesClassifier()
    raise UnknownModelError(f"unknown model {name!r} (available: rules)")
