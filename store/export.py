"""Exports: events or tagged articles as CSV, JSON Lines or Parquet, written atomically.
Snapshot folders built from them are in store/snapshot.py."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

from sqlite_utils import Database

from riskwatch.errors import InputError
from store.db import where_clauses

FORMATS = ("csv", "jsonl", "parquet")
KINDS = ("events", "articles")
SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"

# Columns stored as JSON text: real lists in JSON Lines and Parquet, the JSON text in CSV.
JSON_COLUMNS = {"amounts": "amounts", "languages": "list", "mentioned": "list"}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_BATCH = 10_000

# The articles export: one row per article, tag type and fact (tags without facts keep
# empty fact columns). (table alias, column, name in the export)
_ARTICLE_FIELDS = [
    ("a", "id", "article_id"), ("a", "url", None), ("a", "source", None), ("a", "lang", None),
    ("a", "published", None), ("a", "fetched_at", None), ("a", "title", None),
    ("t", "type", None), ("t", "score", None), ("t", "evidence", None), ("t", "model", None),
    ("t", "model_version", None), ("t", "tagged_at", None), ("f", "event_id", None),
    ("f", "company", None), ("f", "company_guess", None), ("f", "recalled", None),
    ("f", "mentioned", None), ("f", "regulator", None), ("f", "amount_value", None),
    ("f", "amount_currency", None), ("f", "amount_kind", None), ("f", "amount_usd", None),
    ("f", "amount_eur", None), ("f", "records_value", None), ("f", "records_unit", None),
    ("f", "action_date", None), ("f", "action_precision", None), ("f", "past_mention", None),
    ("f", "duplicate_of", None), ("f", "evidence", "fact_evidence"),
]  # fmt: skip
_TABLES = {"a": "articles", "t": "tags", "f": "article_facts"}


@dataclass(frozen=True)
class ExportQuery:
    """What to export and its filters, as `riskwatch events` takes them (registry ids resolved).

    For events, since/until bound the action date; for articles, the publication date, and
    company/regulator select the articles whose facts belong to such events.
    """

    what: str = "events"
    company: str | None = None
    event_type: str | None = None
    regulator: str | None = None
    lang: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int | None = None
    body: bool = False  # articles: include the article text

    def __post_init__(self) -> None:
        if self.what not in KINDS:
            raise InputError(f"cannot export {self.what!r}; choose {' or '.join(KINDS)}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not _DATE.match(value):
                raise InputError(f"--{name} {value!r}: give YYYY, YYYY-MM or YYYY-MM-DD")
        if self.limit is not None and self.limit < 1:
            raise InputError(f"--limit {self.limit}: give a positive number of rows")

    def filters(self) -> dict:
        """The filters that are set, named as the command's options (for the manifest)."""
        given = {k: v for k, v in asdict(self).items() if k != "what" and v not in (None, False)}
        return {("type" if k == "event_type" else k): v for k, v in given.items()}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, integer, real, list (of text) or amounts (list of amount records)


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    what: str
    format: str
    rows: int
    bytes: int
    sha256: str

    def entry(self) -> dict:
        return {"name": self.path.name, **{k: v for k, v in asdict(self).items() if k != "path"}}


# --- rows ------------------------------------------------------------------------------------


def export_rows(db: Database, query: ExportQuery) -> tuple[list[Column], Iterator[dict]]:
    """The columns and (lazily read) rows of an export query.

    Events have the columns `list_events` returns, in its order, ties broken by id so that the
    same database always gives the same file.
    """
    if query.what == "events":
        return _event_columns(db), db.query(*_events_sql(query))
    return _article_columns(db, query.body), db.query(*_articles_sql(query))


def _events_sql(query: ExportQuery) -> tuple[str, list]:
    # the clauses of store.events.list_events (tests hold the two to the same rows)
    clauses, params = where_clauses(
        ("e.type = ?", query.event_type),
        ("e.regulator = ?", query.regulator),
        ("e.action_date >= ?", query.since),
        ("e.action_date < ?", query.until),
        ("e.languages LIKE ?", f'%"{query.lang}"%' if query.lang else None),
        ("e.id IN (SELECT event_id FROM event_companies WHERE company = ?)", query.company),
    )
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"SELECT e.* FROM events e {where} ORDER BY e.action_date DESC, e.first_seen DESC, e.id"
    return sql + _limit(query), params


def _articles_sql(query: ExportQuery) -> tuple[str, list]:
    clauses, params = where_clauses(
        ("t.type = ?", query.event_type),
        ("e.regulator = ?", query.regulator),
        ("a.lang = ?", query.lang),
        ("a.published >= ?", query.since),
        ("a.published < ?", query.until),
        ("f.event_id IN (SELECT event_id FROM event_companies WHERE company = ?)", query.company),
    )
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = (
        f"SELECT {', '.join(_article_selects(query.body))} "
        "FROM tags t JOIN articles a ON a.id = t.article_id "
        "LEFT JOIN article_facts f ON f.article_id = t.article_id AND f.type = t.type "
        "AND f.tagged_at = t.tagged_at LEFT JOIN events e ON e.id = f.event_id "
        f"{where} ORDER BY a.published DESC, a.seq DESC, t.type, f.firm_key, f.recalled"
    )
    return sql + _limit(query), params


def _limit(query: ExportQuery) -> str:
    return f" LIMIT {int(query.limit)}" if query.limit else ""


def _article_fields(body: bool) -> list[tuple[str, str, str]]:
    fields = [(t, c, name or c) for t, c, name in _ARTICLE_FIELDS]
    if body:
        at = next(i for i, f in enumerate(fields) if f[2] == "title") + 1
        fields.insert(at, ("a", "body", "body"))
    return fields


def _article_selects(body: bool) -> list[str]:
    return [
        f"{t}.{c}" + (f" AS {name}" if name != c else "") for t, c, name in _article_fields(body)
    ]


def _event_columns(db: Database) -> list[Column]:
    return [Column(c.name, _kind(c.name, c.type)) for c in db["events"].columns]


def _article_columns(db: Database, body: bool) -> list[Column]:
    types = {(alias, c.name): c.type for alias, table in _TABLES.items() for c in db[table].columns}
    return [
        Column(name, _kind(name, types.get((t, c), "TEXT"))) for t, c, name in _article_fields(body)
    ]


def _kind(name: str, declared: str) -> str:
    if name in JSON_COLUMNS:
        return JSON_COLUMNS[name]
    declared = (declared or "").upper()
    if "INT" in declared:
        return "integer"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "real"
    return "text"


# --- writers ---------------------------------------------------------------------------------


def write_export(
    db: Database, query: ExportQuery, path: str | Path, fmt: str, *, force: bool = False
) -> WrittenFile:
    """Write the rows of `query` to `path` in `fmt`, atomically.

    Raises:
        InputError: unknown format; `path` is a folder, exists (without force) or cannot be
            written.
    """
    path = check_output(Path(path), force)
    columns, rows = export_rows(db, query)
    count = write_rows(columns, rows, path, fmt, force=force)
    return described(path, query.what, fmt, count)


def check_output(path: Path, force: bool) -> Path:
    """The output path, if a file may be written there.

    Raises:
        InputError: it is a folder, it exists and force is off, or its folder is missing.
    """
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name (--snapshot DIR writes a folder)")
    if path.exists() and not force:
        raise InputError(f"{path} exists; use --force to replace it")
    check_parent(path)
    return path


def check_parent(path: Path) -> None:
    if path.parent.exists() and not path.parent.is_dir():
        raise InputError(f"cannot write {path}: {path.parent} is a file, not a folder")
    if not path.parent.exists():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")


def write_rows(
    columns: list[Column], rows: Iterable[dict], path: Path, fmt: str, *, force: bool = False
) -> int:
    """Write rows to a temporary file beside `path`, then move it into place; return the count."""
    if fmt not in WRITERS:
        raise InputError(f"unknown format {fmt!r}; choose {', '.join(FORMATS)}")
    with _atomic_file(path, force) as tmp:
        return WRITERS[fmt](columns, rows, tmp)


@contextmanager
def _atomic_file(path: Path, force: bool) -> Iterator[Path]:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}") from err
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, 0o666 & ~umask())  # mkstemp's 0600 would outlive the rename
    try:
        yield tmp
        _fsync(tmp)
        _place(tmp, path, force)
    finally:
        tmp.unlink(missing_ok=True)


def _place(tmp: Path, path: Path, force: bool) -> None:
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if the name appeared meanwhile: never overwrite
    except FileExistsError as err:
        raise InputError(f"{path} exists; use --force to replace it") from err
    except OSError:  # a file system without hard links
        if path.exists():
            raise InputError(f"{path} exists; use --force to replace it") from None
        os.replace(tmp, path)


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _write_csv(columns: list[Column], rows: Iterable[dict], path: Path) -> int:
    names = [c.name for c in columns]
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if row[n] is None else row[n] for n in names])
            count += 1
    return count


def _write_jsonl(columns: list[Column], rows: Iterable[dict], path: Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(_typed(columns, row), ensure_ascii=False) + "\n")
            count += 1
    return count


def _write_parquet(columns: list[Column], rows: Iterable[dict], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(columns)
    count = 0
    rows = iter(rows)
    with pq.ParquetWriter(path, schema) as writer:
        while batch := [_typed(columns, r) for r in islice(rows, _BATCH)]:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
        if not count:
            writer.write_table(schema.empty_table())
    return count


def arrow_schema(columns: list[Column]):
    """The Parquet schema of an export: typed columns, JSON columns as lists."""
    import pyarrow as pa

    amount = pa.struct(
        [
            ("value", pa.float64()),
            ("currency", pa.string()),
            ("usd", pa.float64()),
            ("eur", pa.float64()),
            ("articles", pa.int64()),
        ]
    )
    types = {
        "text": pa.string(),
        "integer": pa.int64(),
        "real": pa.float64(),
        "list": pa.list_(pa.string()),
        "amounts": pa.list_(amount),
    }
    return pa.schema([(c.name, types[c.kind]) for c in columns])


def _typed(columns: list[Column], row: dict) -> dict:
    out = {}
    for c in columns:
        value = row[c.name]
        if c.kind in ("list", "amounts") and isinstance(value, str):
            value = json.loads(value)
        elif c.kind == "real" and isinstance(value, int):
            value = float(value)
        out[c.name] = value
    return out


WRITERS: dict[str, Callable[[list[Column], Iterable[dict], Path], int]] = {
    "csv": _write_csv,
    "jsonl": _write_jsonl,
    "parquet": _write_parquet,
}


def described(path: Path, what: str, fmt: str, rows: int) -> WrittenFile:
    digest, size = file_sha256(path)
    return WrittenFile(path, what, fmt, rows, size, digest)


def file_sha256(path: str | Path) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes of a file."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size
