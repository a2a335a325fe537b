"""Exports and citable snapshots: events or tagged articles as CSV, JSON Lines or Parquet,
written atomically, and snapshot folders whose manifest of hashes `verify_snapshot` re-checks."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

from sqlite_utils import Database

from riskwatch.errors import InputError
from store.db import utc_now, where_clauses
from store.schema import SCHEMA_VERSION, migrations

FORMATS = ("csv", "jsonl", "parquet")
KINDS = ("events", "articles")
SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
MANIFEST_VERSION = 1

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
    return _described(path, query.what, fmt, count)


def check_output(path: Path, force: bool) -> Path:
    """The output path, if a file may be written there.

    Raises:
        InputError: it is a folder, it exists and force is off, or its folder is missing.
    """
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name (--snapshot DIR writes a folder)")
    if path.exists() and not force:
        raise InputError(f"{path} exists; use --force to replace it")
    _check_parent(path)
    return path


def _check_parent(path: Path) -> None:
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
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would outlive the rename
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


def _umask() -> int:
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


def _described(path: Path, what: str, fmt: str, rows: int) -> WrittenFile:
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


# --- snapshots -------------------------------------------------------------------------------


def write_snapshot(
    db: Database,
    db_path: str | Path,
    queries: list[ExportQuery],
    formats: list[str],
    directory: str | Path,
    *,
    about: dict,
    force: bool = False,
) -> dict:
    """Write each query in each format plus manifest.json and SHA256SUMS into `directory`.

    Every file is read in one transaction, from the database whose SHA-256 the manifest gives.
    The folder appears whole or not at all (built beside it, then renamed); with force, an
    earlier snapshot in its place is replaced. `about` adds what the store cannot know (tool
    version, rate table date, the command as typed) to the manifest. Returns the manifest.

    Raises:
        InputError: the folder is not empty (and not an earlier snapshot replaced by force), is
            a file, or cannot be created.
    """
    target = _check_snapshot_target(Path(directory), force)
    for fmt in formats:
        if fmt not in WRITERS:
            raise InputError(f"unknown format {fmt!r}; choose {', '.join(FORMATS)}")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as err:
        raise InputError(f"cannot write {target}: {err.strerror or err}") from err
    os.chmod(staging, 0o777 & ~_umask())
    try:
        with consistent_read(db, db_path) as database:
            files = [
                _snapshot_file(db, q, fmt, staging / f"{q.what}{SUFFIXES[fmt]}")
                for q in queries
                for fmt in formats
            ]
        manifest = build_manifest(db, queries, files, database, about, target.name)
        (staging / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        sums = [(f.sha256, f.path.name) for f in files] + [
            (file_sha256(staging / MANIFEST)[0], MANIFEST)
        ]
        (staging / SUMS).write_text("".join(f"{h}  {n}\n" for h, n in sums), encoding="utf-8")
        _swap_in(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _snapshot_file(db: Database, query: ExportQuery, fmt: str, path: Path) -> WrittenFile:
    columns, rows = export_rows(db, query)
    count = write_rows(columns, rows, path, fmt)
    return _described(path, query.what, fmt, count)


def _check_snapshot_target(target: Path, force: bool) -> Path:
    if target.exists() and not target.is_dir():
        raise InputError(f"{target} is a file; --snapshot takes a folder (new or empty)")
    _check_parent(target)
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise InputError(f"{target} is not empty; choose a new folder or --force to replace it")
        if not _is_snapshot(target):
            raise InputError(
                f"{target} holds files that are not a riskwatch snapshot; choose a new folder"
            )
    return target


def _is_snapshot(folder: Path) -> bool:
    """A folder holding only an earlier snapshot's files (what --force may replace)."""
    try:
        listed = {f["name"] for f in json.loads((folder / MANIFEST).read_text("utf-8"))["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return False
    present = {p.name for p in folder.iterdir()}
    return present <= listed | {MANIFEST, SUMS}


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    os.rename(target, old / target.name)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(old / target.name, target)  # the earlier snapshot stays as it was
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def consistent_read(db: Database, db_path: str | Path, attempts: int = 3) -> Iterator[dict]:
    """Hold one read transaction and yield the path, SHA-256 and size of the database file
    it reads; "matches_export" says whether the hashed file is exactly what was read.

    The write-ahead log is checkpointed first so that the main file holds every commit; a
    writer committing between the hash and the start of the read is seen in data_version
    and the hash is taken again (up to `attempts` times).
    """
    path = Path(db_path).resolve()
    for attempt in range(attempts):
        before = db.execute("PRAGMA data_version").fetchone()[0]
        complete = _checkpoint(db)
        digest, size = file_sha256(path)
        db.conn.execute("BEGIN")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the read starts here
        same = complete and db.execute("PRAGMA data_version").fetchone()[0] == before
        if same or attempt == attempts - 1:
            break
        db.conn.rollback()
    try:
        yield {"path": str(path), "sha256": digest, "bytes": size, "matches_export": same}
    finally:
        db.conn.rollback()


def _checkpoint(db: Database) -> bool:
    """Copy the write-ahead log into the file without waiting for readers; True when all of
    it went in (a passive checkpoint: a slow reader never holds up the export)."""
    try:
        _busy, log, done = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite3.OperationalError:
        return False
    return log == done


def build_manifest(
    db: Database,
    queries: list[ExportQuery],
    files: list[WrittenFile],
    database: dict,
    about: dict,
    folder: str,
) -> dict:
    """What a paper cites: query, counts, versions, database and file hashes, time."""
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "created_utc": utc_now(),
        "riskwatch_version": about.get("riskwatch_version"),
        "query": {
            "command": about.get("command"),
            "given": about.get("given", {}),
            "exports": [{"what": q.what, "filters": q.filters()} for q in queries],
        },
        "rows": {f.path.name: f.rows for f in files},
        "files": [f.entry() for f in files],
        "schema": {
            "version": SCHEMA_VERSION,
            "migrations": [asdict(m) for m in migrations.applied(db)],
        },
        "database": database,
        "fx_rates_as_of": about.get("fx_rates_as_of"),
    }
    manifest["how_to_cite"] = how_to_cite(manifest, folder)
    return manifest


def how_to_cite(manifest: dict, folder: str) -> str:
    """A short citation text naming the data, its filters, the database and how to check it."""
    counts = ", ".join(
        f"{f['rows']} {f['what']}"
        for f in manifest["files"]
        if f["format"] == manifest["files"][0]["format"]
    )
    filters = "; ".join(
        f"{e['what']}: " + (", ".join(f"{k}={v}" for k, v in e["filters"].items()) or "all")
        for e in manifest["query"]["exports"]
    )
    db = manifest["database"]
    return (
        f"riskwatch {manifest['riskwatch_version']} snapshot '{folder}' "
        f"({counts}; filters {filters}) "
        f"made {manifest['created_utc']} from {Path(db['path']).name} "
        f"(SHA-256 {db['sha256'][:16]}, schema version {manifest['schema']['version']}), "
        f"amounts converted at the rate table of {manifest['fx_rates_as_of']}. "
        "Cite it with the SHA-256 of its manifest.json (in SHA256SUMS) and check the files "
        f"with `riskwatch export --verify {folder}`."
    )


def verify_snapshot(directory: str | Path) -> dict:
    """Re-check every file of a snapshot against its manifest (and SHA256SUMS); return the
    manifest with "manifest_sha256" added.

    Raises:
        InputError: the folder or its manifest is missing or unreadable, or a file is missing
            or changed (each one named).
    """
    folder = Path(directory)
    manifest = _read_manifest(folder)
    expected = {f["name"]: (f["sha256"], f["bytes"]) for f in manifest["files"]}
    problems = []
    for name, (digest, size) in expected.items():
        problems += _check_file(folder / name, digest, size)
    manifest_sha = file_sha256(folder / MANIFEST)[0]
    for digest, name in _read_sums(folder):
        if name == MANIFEST and digest != manifest_sha:
            problems.append(
                f"{MANIFEST} changed (SHA-256 {manifest_sha[:16]}, {SUMS} says {digest[:16]})"
            )
        elif name in expected and digest != expected[name][0]:
            problems.append(f"{SUMS} and {MANIFEST} disagree on {name}")
    if problems:
        raise InputError(f"snapshot {folder} changed: " + "; ".join(problems))
    return {**manifest, "manifest_sha256": manifest_sha}


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; --verify takes a snapshot folder")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise InputError(f"{folder} has no {MANIFEST}; is it a riskwatch snapshot?") from err
    except ValueError as err:
        raise InputError(f"{path} is not valid JSON ({err})") from err
    files = manifest.get("files") if isinstance(manifest, dict) else None
    keys = {"name", "sha256", "bytes"}
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and keys <= f.keys() for f in files
    ):
        raise InputError(f"{path} is not a riskwatch manifest (no list of files with hashes)")
    return manifest


def _check_file(path: Path, digest: str, size: int) -> list[str]:
    if not path.is_file():
        return [f"{path.name} is missing"]
    actual, actual_size = file_sha256(path)
    if actual != digest:
        return [
            f"{path.name} changed (SHA-256 {actual[:16]}, {actual_size} bytes; "
            f"the manifest says {digest[:16]}, {size} bytes)"
        ]
    return []


def _read_sums(folder: Path) -> list[tuple[str, str]]:
    try:
        lines = (folder / SUMS).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [tuple(line.split("  ", 1)) for line in lines if "  " in line]
