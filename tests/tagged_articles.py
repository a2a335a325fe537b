"""Putting a tagged article into a test database, as the crawl and the tag stage would."""

from __future__ import annotations

import store
from nlp.classify import EventTag


def add(
    db,
    article_id: str,
    title: str,
    body: str,
    published: str,
    *,
    source: str = "wire",
    lang: str = "en",
    tag: str = "regulatory_fine",
    score: float = 0.9,
    ev: str | None = None,
) -> None:
    """Store an article and one tag on it; the evidence is `ev`, else the headline."""
    store.save_article(
        db,
        {
            "id": article_id,
            "url": f"https://{source}.example/{article_id}",
            "source": source,
            "lang": lang,
            "title": title,
            "body": body,
            "published": published,
        },
    )
    store.save_tags(db, article_id, [EventTag(tag, score, ev or title)], "test", "1")
