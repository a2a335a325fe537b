"""`riskwatch serve`: browse and query the database in Datasette."""

from __future__ import annotations

import click

from riskwatch.cli_options import config_option, db_option, settings_for, user_errors


@click.command("serve")
@db_option
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8001, show_default=True, type=click.IntRange(1, 65535), help="Port to use."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
def command(db_path, config, host, port, open_browser):
    """Browse and query the database in Datasette, read-only, until Ctrl+C.

    Tables come with descriptions and facets; canned queries give fines by company and
    year, events by regulator, breaches by records exposed, lead times of outlets and
    events per month. A crawl can keep writing to the database meanwhile.

    \b
        riskwatch serve
        riskwatch serve --db /data/riskwatch.db --port 8080 --open
    """
    # Datasette and uvicorn load only for this command, not for every riskwatch run
    from riskwatch import datasette_site

    settings = settings_for(config, db=db_path)
    with user_errors():  # each message names the file or the address itself
        datasette_site.serve(
            settings.db, host, port, open_browser, say=lambda msg: click.echo(msg, err=True)
        )
