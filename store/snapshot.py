"""Citable snapshots: a folder of exports read in one transaction, with manifest.json (the
query, counts, versions, the database's SHA-256) and SHA256SUMS, which `verify_snapshot`
re-checks."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from sqlite_utils import Database

from riskwatch.errors import InputError
from store.db import utc_now
from store.export import (
    FORMATS,
    MANIFEST,
    SUFFIXES,
    SUMS,
    WRITERS,
    ExportQuery,
    WrittenFile,
    check_parent,
    described,
    export_rows,
    file_sha256,
    umask,
    write_rows,
)
from store.schema import SCHEMA_VERSION, migrations

MANIFEST_VERSION = 1


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
    os.chmod(staging, 0o777 & ~umask())
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
    return described(path, query.what, fmt, count)


def _check_snapshot_target(target: Path, force: bool) -> Path:
    if target.exists() and not target.is_dir():
        raise InputError(f"{target} is a file; --snapshot takes a folder (new or empty)")
    check_parent(target)
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
