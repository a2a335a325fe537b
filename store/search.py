"""Full-text search over stored articles, in any language, with highlighted snippets."""

from __future__ import annotations

from sqlite_utils import Database

from store.db import where_clauses
from store.search_text import HL_END, HL_START, decode_index_text, fts_query

# BM25 is computed for every match before the best are kept (about 1.3 us each on 2 cores):
# a word in 100,000 articles costs 150 ms. Past this many matches only the newest this many
# are ranked, which keeps any search near 30 ms at a million articles (bench/query.py).
RANK_NEWEST = 20_000


def search(
    db: Database,
    text: str,
    *,
    event_type: str | None = None,
    source: str | None = None,
    lang: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    highlight: tuple[str, str] = ("[", "]"),
    any_of: list[str] | None = None,
) -> list[dict]:
    """Articles matching `text`, best first (BM25), each with a highlighted snippet.

    `text` accepts words, "phrases", AND/OR/NOT and prefix* in any script; what FTS5 would
    reject is repaired rather than raised. Returns [] when nothing in `text` is searchable.
    A text matching more than RANK_NEWEST articles is ranked among its newest RANK_NEWEST.
    any_of: names of which the article must contain at least one (a firm and its aliases).
    """
    match = fts_query(text)
    if match is None:
        return []
    if any_of:
        names = [q for q in (fts_query('"' + n.replace('"', " ") + '"') for n in any_of) if q]
        if names:
            match = f"({match}) AND ({' OR '.join(names)})"
    newest_from = _newest_bound(db, match)
    clauses, params = where_clauses(
        ("articles_fts MATCH ?", match),
        ("articles_fts.rowid >= ?", newest_from),
        ("a.source = ?", source),
        ("a.lang = ?", lang),
        ("a.published >= ?", since),
        ("a.published < ?", until),
        ("EXISTS (SELECT 1 FROM tags t WHERE t.article_id = a.id AND t.type = ?)", event_type),
    )
    # ORDER BY rank, not bm25(): with bm25() SQLite builds a snippet for every match
    sql = (
        "SELECT a.id, a.published, a.source, a.lang, a.title, a.url, "
        f"snippet(articles_fts, 1, '{HL_START}', '{HL_END}', '…', 24) AS snippet "
        "FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
        f"WHERE {' AND '.join(clauses)} ORDER BY rank LIMIT ?"
    )
    rows = list(db.query(sql, [*params, int(limit)]))
    for row in rows:
        snippet = decode_index_text(row["snippet"] or "").strip()
        row["snippet"] = snippet.replace(HL_START, highlight[0]).replace(HL_END, highlight[1])
    return rows


def _newest_bound(db: Database, match: str) -> int | None:
    """The rowid of the RANK_NEWEST-th newest match, when there are more matches than that."""
    row = db.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC "
        "LIMIT 1 OFFSET ?",
        [match, RANK_NEWEST - 1],
    ).fetchone()
    return row[0] if row else None
