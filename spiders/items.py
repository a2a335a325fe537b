"""Items the spider yields; fields are named as the store's columns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ArticleItem:
    """One extracted article, ready for the store."""

    id: str  # url_key of the canonical URL
    url: str  # the canonical URL
    source: str
    lang: str | None
    title: str | None
    body: str
    published: str | None  # ISO-8601 UTC
    fetched_at: str
    link_key: str  # the frontier key of the link that led here (may differ from id)
