"""The Python API for notebooks: open a database, get events and articles as dicts or frames.

    import riskwatch
    rw = riskwatch.open("riskwatch.db")
    fines = rw.events(company="alibaba", type="regulatory_fine", since="2020")
    frame = rw.events_frame(type="data_breach")     # needs pandas

Every method returns plain dicts (JSON columns decoded) so results serialise as they are.
Company and regulator filters take registry ids, names or tickers, like the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import store
from nlp.entities.registry import load_registry
from riskwatch.errors import InputError
from riskwatch.event_views import company_names, resolve
from riskwatch.events_stage import company_registry
from riskwatch.settings import Settings

_JSON_COLUMNS = ("amounts", "languages", "mentioned", "name_tokens")


class Riskwatch:
    """A riskwatch database opened for reading (and for the stages, if you run them)."""

    def __init__(self, path: str | Path, settings: Settings | None = None):
        path = Path(path)
        if not path.exists():
            raise InputError(f"{path}: no such database (run `riskwatch demo` or a crawl first)")
        self.path = path
        self.settings = settings or Settings(db=str(path))
        self.db = store.open_db(path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Riskwatch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def events(
        self,
        *,
        company: str | None = None,
        type: str | None = None,  # noqa: A002 - the name users know from the CLI
        regulator: str | None = None,
        lang: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
    ) -> list[dict]:
        """Events, newest action first, one dict per event (amounts and languages as lists)."""
        if company:
            company = resolve(company_registry(self.settings), company, "company")
        if regulator:
            regulator = resolve(load_registry("regulator"), regulator, "regulator")
        rows = store.list_events(
            self.db,
            company=company,
            event_type=type,
            regulator=regulator,
            lang=lang,
            since=since,
            until=until,
            limit=limit,
        )
        return [_decoded(r) for r in rows]

    def event(self, event_id: str) -> dict:
        """One event with its articles (a timeline, earliest first)."""
        found = store.get_event(self.db, event_id)
        if found is None:
            raise InputError(f"no event {event_id!r}")
        found["articles"] = [_decoded(a) for a in found["articles"]]
        return _decoded(found)

    def articles(
        self,
        *,
        type: str | None = None,  # noqa: A002
        source: str | None = None,
        lang: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
    ) -> list[dict]:
        """Tagged articles, newest first: one dict per (article, event type)."""
        return store.tagged_articles(
            self.db, event_type=type, source=source, lang=lang, since=since, until=until,
            limit=limit,
        )  # fmt: skip

    def search(self, text: str, *, company: str | None = None, **filters) -> list[dict]:
        """Full-text search in any language; `company` keeps articles naming that firm."""
        names = company_names(self.settings, company) if company else None
        return store.search(self.db, text, any_of=names, **filters)

    def timeline(self, *, company: str | None = None, by: str = "month", **filters) -> list[dict]:
        """Events per month or year and type, with counts and summed USD/EUR amounts."""
        if company:
            company = resolve(company_registry(self.settings), company, "company")
        if "type" in filters:
            filters["event_type"] = filters.pop("type")
        return store.events_timeline(self.db, company=company, by=by, **filters)

    def events_frame(self, **filters):
        """`events()` as a pandas DataFrame (dates parsed)."""
        pandas = _pandas()
        frame = pandas.DataFrame(self.events(**filters))
        if not frame.empty:
            for column in ("action_date", "first_seen"):
                frame[column] = pandas.to_datetime(frame[column], errors="coerce", utc=True)
        return frame

    def articles_frame(self, **filters):
        """`articles()` as a pandas DataFrame."""
        return _pandas().DataFrame(self.articles(**filters))


def open(path: str | Path = "riskwatch.db") -> Riskwatch:  # noqa: A001 - like sqlite3.connect
    """Open a riskwatch database for analysis."""
    return Riskwatch(path)


def _decoded(row: dict) -> dict:
    for column in _JSON_COLUMNS:
        if isinstance(row.get(column), str):
            row[column] = json.loads(row[column])
    return row


def _pandas():
    try:
        import pandas
    except ImportError as err:
        raise InputError("pandas is not installed: pip install pandas") from err
    return pandas
