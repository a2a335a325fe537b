"""What every command shares: --db, --config, output formats, settings, one-line errors."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import click

from riskwatch.errors import RiskwatchError
from riskwatch.settings import load_settings

FORMATS = click.Choice(["table", "json", "csv"])


@contextmanager
def user_errors(context: str = ""):
    """Turn errors a user can cause into `Error: ...` and exit 1, never a traceback."""
    try:
        yield
    except (RiskwatchError, sqlite3.DatabaseError, OSError) as err:
        prefix = f"{context}: " if context and not str(err).startswith(context) else ""
        raise click.ClickException(f"{prefix}{err}") from err


def db_option(func):
    return click.option(
        "--db",
        "db_path",
        default=None,
        metavar="PATH",
        help="Database file [default: riskwatch.db, or as configured]",
    )(func)


def config_option(func):
    return click.option(
        "--config",
        default=None,
        metavar="FILE",
        help="Settings file [default: ./riskwatch.toml if present]",
    )(func)


def settings_for(ctx_config, **flags):
    with user_errors("settings"):
        return load_settings(ctx_config, **flags)
