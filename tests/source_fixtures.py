"""Per-source fixtures: for every registry entry, an entry page (feed, API, listing or sitemap)
and article pages written for riskwatch in that site's shape, with what must come out of them.

Layout, one folder per source name under tests/fixtures/sources/:

    fixture.toml    entry = "feed.xml", entry_content_type, entry_url (default: the first
                    entry URL of the source), and one [[article]] per page: url (as linked from
                    the entry), file, content_type, title, published (ISO UTC), precision
                    ("minute" or "day": what the page itself states), body_contains,
                    body_excludes, canonical (optional: the URL the article is stored under),
                    fetched (optional: ISO UTC fetch time, for pages with relative dates)

bench/extraction.py scores the same pages, which is why this is a module and not a conftest.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

SOURCE_FIXTURES = Path(__file__).parent / "fixtures" / "sources"


@dataclass(frozen=True)
class FixtureArticle:
    url: str
    path: Path
    content_type: str
    title: str
    published: str
    precision: str
    body_contains: tuple[str, ...]
    body_excludes: tuple[str, ...]
    canonical: str | None
    fetched: str | None  # when the page was fetched, for pages that say "昨天" or "2 hours ago"

    def published_matches(self, found: str | None, tz: str | None = None) -> bool:
        """Whether `found` (ISO UTC) states the same time, to the precision the page gives.

        For a day, either the day as written (a bare date is kept as "T00:00:00Z") or the day
        of the instant in the source's zone `tz` (a feed's time of day, evening in New York,
        is the next day in UTC)."""
        if not found:
            return False
        if self.precision != "day":
            return found[:16] == self.published[:16]
        if found[:10] == self.published[:10]:
            return True
        if not tz:
            return False
        instant = datetime.fromisoformat(found.replace("Z", "+00:00"))
        return instant.astimezone(ZoneInfo(tz)).date().isoformat() == self.published[:10]


@dataclass(frozen=True)
class SourceFixture:
    name: str
    entry_path: Path
    entry_content_type: str
    entry_url: str | None
    articles: tuple[FixtureArticle, ...]


def load_fixture(name: str) -> SourceFixture:
    folder = SOURCE_FIXTURES / name
    data = tomllib.loads((folder / "fixture.toml").read_text(encoding="utf-8"))
    articles = tuple(
        FixtureArticle(
            url=a["url"],
            path=folder / a["file"],
            content_type=a.get("content_type", "text/html; charset=utf-8"),
            title=a["title"],
            published=a["published"],
            precision=a.get("precision", "minute"),
            body_contains=tuple(a.get("body_contains", ())),
            body_excludes=tuple(a.get("body_excludes", ())),
            canonical=a.get("canonical"),
            fetched=a.get("fetched"),
        )
        for a in data.get("article", [])
    )
    return SourceFixture(
        name=name,
        entry_path=folder / data["entry"],
        entry_content_type=data.get("entry_content_type", "application/xml"),
        entry_url=data.get("entry_url"),
        articles=articles,
    )


def fixture_names() -> list[str]:
    return sorted(p.parent.name for p in SOURCE_FIXTURES.glob("*/fixture.toml"))
