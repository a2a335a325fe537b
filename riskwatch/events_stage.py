"""Running the event stage from the CLI, the demo and the scheduler with the user's settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nlp.entities.registry import load_registry
from riskwatch.settings import Settings

if TYPE_CHECKING:
    from nlp.events.run import EventStats


def company_registry(settings: Settings):
    """The shipped company registry with the user's companies file merged in."""
    return load_registry("company", [settings.companies_file] if settings.companies_file else [])


def run_event_stage(
    db, settings: Settings, classifier=None, say: Callable[[str], None] = lambda _: None
) -> EventStats:
    """Facts and events for every new tag.

    Embeddings come from the classifier's own encoder when it has one; run on its own (no
    classifier), the stage loads the default encoder when that is the configured model. With
    `--model rules` it stays torch-free and groups by firm, type, date, amounts and text.
    """
    # loaded here, not at import: every command reads the company registry from this module,
    # and the stage's MinHash (datasketch, scipy) and pinyin tables cost ~0.6 s to import
    from nlp.events.run import build_events, load_embedder

    embed = None
    if settings.event_embeddings:
        encoder = getattr(classifier, "encoder", None)
        if encoder is not None:
            embed = encoder.embed
        elif classifier is None and settings.model == "default":
            embed = load_embedder(say)
    return build_events(db, companies=company_registry(settings), embed=embed)
