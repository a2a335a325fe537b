"""Datasette for researchers: the app riskwatch serves, read-only, with the metadata, facets
and canned queries of riskwatch/datasette_metadata.py (no metadata file to drift from the
schema), SQL functions, cell rendering and the checks run before serving."""

from __future__ import annotations

import contextlib
import errno
import html
import socket
import sqlite3
import sys
import webbrowser
from functools import cache
from pathlib import Path

import uvicorn
from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm
from datasette.utils import tilde_encode
from markupsafe import Markup

import store
from nlp.entities.registry import load_registry
from riskwatch.datasette_metadata import (
    DESCRIPTION_HTML,
    HIDDEN,
    LICENSE,
    QUERIES,
    SOURCE,
    TABLES,
    TITLE,
)
from riskwatch.errors import InputError

SETTINGS = {
    "suggest_facets": False,  # a suggestion for every column buries the facets chosen above
    "truncate_cells_html": 300,  # article bodies would otherwise fill the table pages
    "sql_time_limit_ms": 5000,  # researchers' own queries over a million articles
    "facet_time_limit_ms": 1000,
}


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives the file, as in its URLs: riskwatch.db is /riskwatch."""
    return Path(db_path).stem


def metadata(db_name: str = "riskwatch") -> dict:
    """Datasette metadata for a riskwatch database served under `db_name`."""
    tables = {name: dict(spec) for name, spec in TABLES.items()}
    tables.update({name: {"hidden": True, "description": why} for name, why in HIDDEN.items()})
    return {
        "title": TITLE,
        "description_html": DESCRIPTION_HTML.format(start=_start_links(db_name)),
        "license": LICENSE,
        "source": SOURCE,
        "databases": {
            db_name: {
                "description": "Articles, tags and events collected by riskwatch.",
                "tables": tables,
                "queries": {name: dict(query) for name, query in QUERIES.items()},
            }
        },
    }


def _start_links(db_name: str) -> str:
    base = "/" + tilde_encode(db_name)
    links = [f'<a href="{base}/events">the events table</a>'] + [
        f'<a href="{base}/{name}">{html.escape(query["title"])}</a>'
        for name, query in QUERIES.items()
    ]
    return f"{links[0]}, or a canned query: " + " · ".join(links[1:])


@cache
def _regulators() -> dict[str, tuple[str, str]]:
    return {e.id: (e.name, e.country) for e in load_registry("regulator").entities.values()}


def add_sql_functions(conn: sqlite3.Connection) -> None:
    """The registry look-ups canned queries call: regulator_name(id), regulator_country(id)."""
    regulators = _regulators()
    conn.create_function(
        "regulator_name", 1, lambda rid: regulators.get(rid, (None, None))[0], deterministic=True
    )
    conn.create_function(
        "regulator_country",
        1,
        lambda rid: regulators.get(rid, (None, None))[1],
        deterministic=True,
    )


@hookimpl
def prepare_connection(conn):
    """Datasette plugin hook (this module is the plugin): riskwatch's SQL functions."""
    add_sql_functions(conn)


# Money and record counts get thousands separators on HTML pages (JSON and CSV keep numbers).
_BIG_NUMBERS = {
    "amount_value", "amount_usd", "amount_eur", "records_value", "records", "total_usd",
    "largest_usd",
}  # fmt: skip


_EVENT_LINKS = {"event_id", "follows"}  # columns holding an event id, linked to its page


@hookimpl
def render_cell(value, column, database, datasette):
    """Datasette plugin hook: 2,822,142,968 rather than 2822142967.9; event ids as links."""
    if column in _EVENT_LINKS and isinstance(value, str) and value:
        url = datasette.urls.table(database, "events") + "/" + tilde_encode(value)
        return Markup('<a href="{}">{}</a>').format(url, value)
    big = isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1000
    return f"{value:,.0f}" if column in _BIG_NUMBERS and big else None


# Table pages list every column's description above the rows; fold the list away (each
# description is still a tooltip on its column header and in the column menu). Long text
# columns get room, so a row of thirty columns is a few lines high rather than twenty.
_TABLE_PAGE_SCRIPT = """
var style = document.createElement("style");
style.textContent = "td.col-title, td.col-evidence, td.col-body {min-width: 24em}"
  + " td.col-amounts, td.col-config, td.col-mentioned {min-width: 18em}"
  + " td.col-id, td.col-action_date, td.col-first_seen, td.col-published {white-space: nowrap}";
document.head.append(style);
document.querySelectorAll("dl.column-descriptions").forEach(function (list) {
  var details = document.createElement("details");
  var summary = document.createElement("summary");
  summary.textContent = "What each column holds (" + list.querySelectorAll("dt").length + ")";
  list.replaceWith(details);
  details.append(summary, list);
});
document.querySelectorAll("th[data-column-description]").forEach(function (th) {
  th.title = th.dataset.columnDescription;
});
"""


@hookimpl
def extra_body_script(template):
    """Datasette plugin hook: the script above, on table pages."""
    return _TABLE_PAGE_SCRIPT if template == "table.html" else None


def check_database(db_path: str | Path) -> Path:
    """The database file, migrated to the current schema; it must exist already.

    Raises:
        InputError: the file is missing or is a directory.
        StoreError: it is not a riskwatch database, is corrupt or cannot be migrated.
    """
    path = Path(db_path)
    if not path.exists():
        raise InputError(
            f"{path} does not exist; crawl first (riskwatch crawl, riskwatch demo) or pass --db"
        )
    if path.is_dir():
        raise InputError(f"{path} is a directory, not a database file")
    store.open_db(path).close()  # an older schema is migrated here, never by Datasette
    return path


def check_port(host: str, port: int) -> None:
    """Fail before starting when the address cannot be listened on (in use, unknown host).

    Raises:
        InputError: the port is taken or the host cannot be bound.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise InputError(f"cannot listen on {host}: {err.strerror}") from err
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise InputError(
                    f"port {port} on {host} is already in use; "
                    "stop what uses it or choose another with --port"
                ) from err
            raise InputError(f"cannot listen on {host}:{port}: {err.strerror}") from err


def datasette_app(db_path: str | Path):
    """The ASGI app serving `db_path` read-only (mode=ro: a running crawl is never blocked)."""
    if not pm.is_registered(sys.modules[__name__]):
        pm.register(sys.modules[__name__], name="riskwatch")
    path = str(Path(db_path))
    ds = Datasette(
        files=[path],
        metadata=metadata(database_name(path)),
        settings=SETTINGS,
        version_note="riskwatch",
    )
    return ds.app()


def url_for(host: str, port: int, db_path: str | Path) -> str:
    """Where the database's page is served."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/{tilde_encode(database_name(db_path))}"


def serve(
    db_path: str | Path, host: str, port: int, open_browser: bool = False, say=lambda _: None
) -> None:
    """Serve `db_path` in Datasette until interrupted, after checking the file and the port.

    Raises:
        InputError: the file is missing, or the address cannot be listened on.
        StoreError: the file is not a riskwatch database or cannot be migrated.
    """
    path = check_database(db_path)
    check_port(host, port)
    app = datasette_app(path)
    url = url_for(host, port, path)
    say(f"Serving {path} read-only at {url} (Ctrl+C to stop)")
    if open_browser:
        webbrowser.open(url)
    # uvicorn re-raises Ctrl+C once it has shut down cleanly: a normal stop, not an abort
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="on")
