"""`riskwatch run`: the daemon (crawl, tag, group, alert on schedule), or `--once` for cron."""

from __future__ import annotations

import logging
import signal
import sys

import click

from riskwatch.cli_options import config_option, db_option, settings_for, user_errors


@click.command("run")
@db_option
@config_option
@click.option("--sources-file", default=None, metavar="FILE", help="Your sources registry.")
@click.option(
    "--watchlists",
    "watchlists_file",
    default=None,
    metavar="FILE",
    help="Watchlists and alert channels [default: ./watchlists.toml if present]",
)
@click.option("--once", is_flag=True, help="Run every due job once and exit (for cron).")
def command(db_path, config, sources_file, watchlists_file, once):
    """Run riskwatch by itself: crawls at each source's interval, tagging, events, alerts.

    One daemon per database. SIGTERM or Ctrl-C stops it cleanly (running crawls finish);
    the next start resumes the schedule from the database. Logs one line per job run.

    \b
        riskwatch run --watchlists watchlists.toml
        riskwatch run --once          # from cron, every 15 minutes
    """
    # a stop request before the daemon is up (while it loads) is a clean stop too
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: sys.exit(0))
    from scheduler import load_daemon_watchlists, run_daemon
    from spiders.sources import load_registry

    settings = settings_for(
        config, db=db_path, sources_file=sources_file, watchlists_file=watchlists_file
    )
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    with user_errors(settings.db):
        registry = load_registry(settings.sources_file, shipped=settings.shipped_sources)
        watchlists = load_daemon_watchlists(settings)
        status = run_daemon(settings, registry, watchlists, once=once)
    sys.exit(status)
