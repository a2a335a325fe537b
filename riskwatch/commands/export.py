"""`riskwatch export`: events or tagged articles as CSV, JSON Lines or Parquet files, and
citable snapshot folders (data plus a manifest of hashes) that `--verify` re-checks."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
from click.core import ParameterSource

from riskwatch.cli_options import config_option, db_option, settings_for, user_errors
from riskwatch.errors import InputError
from store.export import FORMATS, KINDS, SUFFIXES, ExportQuery


@click.command("export")
@db_option
@config_option
@click.option(
    "--what",
    "kinds",
    multiple=True,
    type=click.Choice(KINDS),
    help="events (default), or articles: tagged articles with their tags and facts. "
    "Repeat in a snapshot for both.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS, case_sensitive=False),
    help="csv, jsonl or parquet [default: from the --output suffix; csv for a snapshot]. "
    "Repeat in a snapshot for several.",
)
@click.option(
    "--output", metavar="PATH", help="The file to write (not overwritten without --force)."
)
@click.option("--snapshot", metavar="DIR", help="Write a citable folder: data + manifest.json.")
@click.option("--verify", metavar="DIR", help="Re-check a snapshot's files against its manifest.")
@click.option("--force", is_flag=True, help="Replace an existing file or earlier snapshot.")
@click.option("--company", default=None, help="Registry id, name or ticker (units included).")
@click.option(
    "--type", "event_type", default=None, help="data_breach, regulatory_fine or ipo_suspension"
)
@click.option("--regulator", default=None, help="Registry id, name or abbreviation.")
@click.option("--lang", default=None, help="Reported in this language.")
@click.option(
    "--since",
    default=None,
    metavar="DATE",
    help="e.g. 2021 or 2021-04-01: action date of events, publication date of articles.",
)
@click.option("--until", default=None, metavar="DATE", help="Before this date.")
@click.option("--limit", default=None, type=click.IntRange(min=1), help="At most this many rows.")
@click.option("--body", is_flag=True, help="Articles: include each article's text.")
def command(db_path, config, kinds, formats, output, snapshot, verify, force, body, **filters):
    """Export events or tagged articles with the filters of `riskwatch events`.

    JSON columns (amounts, languages, mentioned) are lists in jsonl and parquet and JSON text
    in csv. A snapshot folder holds the data, manifest.json (query, row counts, versions,
    database and file SHA-256, time, how to cite) and SHA256SUMS.

    \b
        riskwatch export --type regulatory_fine --format csv --output fines.csv
        riskwatch export --what articles --company alibaba --output alibaba.parquet
        riskwatch export --snapshot paper-2025 --since 2020 --what events --what articles \\
            --format csv --format parquet
        riskwatch export --verify paper-2025
    """
    if verify:
        with user_errors():
            _no_export_options(output, snapshot)
            _say_verified(verify)
        return
    settings = settings_for(config, db=db_path)
    with user_errors():
        kinds = _dedupe(kinds) or ["events"]
        formats = _dedupe(f.lower() for f in formats)
        if output and not snapshot:
            _export_file(settings, kinds, formats, Path(output), force, body, filters)
        elif snapshot and not output:
            _export_snapshot(settings, kinds, formats or ["csv"], snapshot, force, body, filters)
        elif output:
            raise InputError("give --output FILE or --snapshot DIR, not both")
        else:
            raise InputError("give --output FILE, --snapshot DIR or --verify DIR")


def _export_file(settings, kinds, formats, output: Path, force, body, filters) -> None:
    from store.export import check_output, write_export

    if len(kinds) > 1 or len(formats) > 1:
        raise InputError("--output writes one file: give one --what and one --format (or use "
                         "--snapshot DIR for several)")  # fmt: skip
    check_output(output, force)
    fmt = formats[0] if formats else _format_from_suffix(output)
    db = _open(settings)
    query = _query(settings, kinds[0], body, filters)
    written = write_export(db, query, output, fmt, force=force)
    note = _empty_note(written.format) if not written.rows else ""
    click.echo(
        f"{written.rows} {written.what} -> {output} ({fmt}, {written.bytes:,} bytes, "
        f"SHA-256 {written.sha256}){note}"
    )


def _export_snapshot(settings, kinds, formats, snapshot: str, force, body, filters) -> None:
    from nlp.fx import load_rates
    from riskwatch import __version__
    from store.export import MANIFEST, file_sha256
    from store.snapshot import write_snapshot

    db = _open(settings)
    queries = [_query(settings, kind, body, filters) for kind in kinds]
    about = {
        "riskwatch_version": __version__,
        "fx_rates_as_of": load_rates().as_of,
        "command": _command_line(),
        "given": _given(),
    }
    manifest = write_snapshot(db, settings.db, queries, formats, snapshot, about=about, force=force)
    for f in manifest["files"]:
        note = _empty_note(f["format"]) if not f["rows"] else ""
        click.echo(f"{f['rows']} {f['what']} -> {Path(snapshot) / f['name']}{note}")
    if not manifest["database"]["matches_export"]:
        click.echo("note: the database was being written; its SHA-256 is of the file before")
    click.echo(f"{MANIFEST} SHA-256 {file_sha256(Path(snapshot) / MANIFEST)[0]}")
    click.echo(f"How to cite: {manifest['how_to_cite']}")


def _say_verified(folder: str) -> None:
    from store.snapshot import verify_snapshot

    manifest = verify_snapshot(folder)
    names = ", ".join(f["name"] for f in manifest["files"])
    click.echo(
        f"snapshot {folder} ok: {len(manifest['files'])} files match its manifest ({names}); "
        f"made {manifest.get('created_utc')} by riskwatch {manifest.get('riskwatch_version')}; "
        f"manifest.json SHA-256 {manifest['manifest_sha256']}"
    )


def _no_export_options(output, snapshot) -> None:
    if output or snapshot:
        raise InputError("--verify DIR only checks a snapshot; run it without --output/--snapshot")


def _open(settings):
    import store

    if not Path(settings.db).exists():
        raise InputError(f"no database at {settings.db}; give --db PATH")
    return store.open_db(settings.db)


def _query(settings, kind: str, body: bool, filters: dict) -> ExportQuery:
    from nlp.entities.registry import load_registry
    from riskwatch.event_views import resolve
    from riskwatch.events_stage import company_registry

    resolved = dict(filters)
    if filters["company"]:
        resolved["company"] = resolve(company_registry(settings), filters["company"], "company")
    if filters["regulator"]:
        registry = load_registry("regulator")
        resolved["regulator"] = resolve(registry, filters["regulator"], "regulator")
    return ExportQuery(what=kind, body=body and kind == "articles", **resolved)


def _format_from_suffix(output: Path) -> str:
    for fmt, suffix in SUFFIXES.items():
        if output.suffix.lower() == suffix:
            return fmt
    raise InputError(
        f"cannot tell the format of {output.name!r}; give --format csv, jsonl or parquet"
    )


def _empty_note(fmt: str) -> str:
    kept = {"csv": "the header", "parquet": "the schema", "jsonl": "no lines"}[fmt]
    return f": 0 rows match the filters, the file holds {kept} only"


def _dedupe(values) -> list[str]:
    return list(dict.fromkeys(values))


def _given() -> dict:
    """The options the user typed (the query as given, before names became registry ids)."""
    ctx = click.get_current_context()
    flags = {p.name: p.opts[-1].lstrip("-") for p in ctx.command.params}
    return {
        flags[name]: value
        for name, value in ctx.params.items()
        if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT
        and name not in ("force", "verify")
    }


def _command_line() -> str:
    words = ["riskwatch", "export"]
    for flag, value in _given().items():
        for item in value if isinstance(value, tuple) else [value]:
            words += [f"--{flag}"] if item is True else [f"--{flag}", str(item)]
    return shlex.join(words)
