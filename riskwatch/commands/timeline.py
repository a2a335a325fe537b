"""`riskwatch timeline`: events over time for a firm, regulator or type, as a table or a plot."""

from __future__ import annotations

import click

import store
from nlp.entities.registry import load_registry
from riskwatch.cli_options import FORMATS, config_option, db_option, settings_for, user_errors
from riskwatch.event_views import resolve
from riskwatch.events_stage import company_registry
from riskwatch.output import money, render


@click.command("timeline")
@db_option
@config_option
@click.option("--company", default=None, help="Registry id, name or ticker (units included).")
@click.option("--type", "event_type", default=None, help="Only this event type.")
@click.option("--regulator", default=None, help="Registry id, name or abbreviation.")
@click.option("--since", default=None, metavar="DATE")
@click.option("--until", default=None, metavar="DATE")
@click.option("--by", type=click.Choice(["month", "year"]), default="year", show_default=True)
@click.option("--out", "out", default=None, metavar="FILE.png", help="Draw the timeline here.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def command(db_path, config, company, event_type, regulator, since, until, by, out, fmt):
    """Events over time: counts per period and type, with summed fines in USD and EUR.

    \b
        riskwatch timeline --company alibaba --out alibaba.png
        riskwatch timeline --regulator cnil --by month --format csv
    """
    from riskwatch.timeline_plot import draw_timeline

    settings = settings_for(config, db=db_path)
    with user_errors(settings.db):
        firm = resolve(company_registry(settings), company, "company") if company else None
        body = resolve(load_registry("regulator"), regulator, "regulator") if regulator else None
        rows = store.events_timeline(
            store.open_db(settings.db),
            company=firm,
            event_type=event_type,
            regulator=body,
            since=since,
            until=until,
            by=by,
        )
        label = " / ".join(x for x in (firm, body, event_type) if x) or "all events"
        if out:
            path = draw_timeline(rows, out, f"riskwatch: {label}, by {by}")
            click.echo(f"wrote {path} ({sum(r['events'] for r in rows)} events)", err=True)
            return
    if fmt == "table":
        for row in rows:
            row["usd"] = money(row["amount_usd"], "USD")
        columns = ["period", "type", "events", "articles", "usd"]
    else:
        columns = ["period", "type", "events", "articles", "amount_usd", "amount_eur"]
    click.echo(render(rows, columns, fmt, title=f"Timeline: {label}"), nl=False)
