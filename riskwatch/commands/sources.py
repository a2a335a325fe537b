"""`riskwatch sources`: list the registry; `riskwatch sources check [--live]`: validate it."""

from __future__ import annotations

import click

from riskwatch.cli_options import FORMATS, config_option, settings_for, user_errors
from riskwatch.output import render


def _registry(settings):
    from spiders.sources import load_registry

    with user_errors("sources"):
        return load_registry(settings.sources_file, shipped=settings.shipped_sources)


@click.group("sources", invoke_without_command=True)
@config_option
@click.option("--sources-file", default=None, metavar="FILE")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def command(ctx, config, sources_file, fmt):
    """List the source registry (shipped entries plus your sources file).

    \b
        riskwatch sources
        riskwatch sources --format json
        riskwatch sources check --live sec-press
    """
    ctx.obj = {"config": config, "sources_file": sources_file}
    if ctx.invoked_subcommand:
        return
    registry = _registry(settings_for(config, sources_file=sources_file))
    rows = [s.to_dict() for s in registry]
    if fmt == "table":
        for row in rows:
            row["entry points"] = "\n".join(
                row["feeds"] + row["sitemaps"] + row["listings"] + row["apis"]
            )
        columns = ["name", "lang", "kind", "interval", "confidence", "entry points"]
    else:
        columns = list(rows[0]) if rows else []
    click.echo(render(rows, columns, fmt, title=f"{len(rows)} sources"), nl=False)


@command.command("check")
@click.argument("names", nargs=-1)
@click.option("--live", is_flag=True, help="Fetch every entry point and parse what it answers.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
def check(ctx, names, live, fmt):
    """Validate the registry; with --live, fetch each entry point (robots.txt obeyed, your
    user agent) and say whether it answers and parses. Exits 1 when an entry cannot work.

    \b
        riskwatch sources check
        riskwatch sources check --live cnil sec-press
    """
    from riskwatch.source_check import check_live, check_registry

    settings = settings_for(ctx.obj["config"], sources_file=ctx.obj["sources_file"])
    registry = _registry(settings)
    with user_errors("sources check"):
        chosen = registry.select(list(names))
    findings = [f for f in check_registry(registry, settings) if not names or f.source in names]
    if live:
        import httpx

        with httpx.Client(
            headers={"User-Agent": settings.crawler_user_agent},
            timeout=settings.download_timeout,
            follow_redirects=True,
            max_redirects=5,
        ) as client:
            for source in chosen:
                findings += check_live(source, settings, client)
    rows = [f.to_dict() for f in findings]
    columns = ["source", "level", "entry", "what"]
    errors = sum(1 for f in findings if f.level == "error")
    click.echo(render(rows, columns, fmt, title=f"{len(chosen)} sources checked"), nl=False)
    if errors:
        raise click.ClickException(f"{errors} problem(s) that stop an entry from working")
