"""The offline demo: serve the bundled news site on 127.0.0.1, crawl it, tag it, show events."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from tempfile import TemporaryDirectory

import store
from nlp.classify import load_classifier
from nlp.run import tag_pending
from riskwatch.events_stage import run_event_stage
from riskwatch.localsite import LocalSite, charsets_from_expected
from riskwatch.settings import Settings
from spiders.launch import crawl_in_subprocess

DEMO_SOURCES = ["demo-en", "demo-fr", "demo-zh"]


def demo_site_dir() -> Path:
    return Path(str(files("riskwatch").joinpath("demo_site")))


def serve_demo_site() -> LocalSite:
    """The demo site as a LocalSite (use as a context manager)."""
    site = demo_site_dir()
    return LocalSite(site, charsets=charsets_from_expected(site / "expected"))


def write_demo_sources(base: str, folder: Path) -> Path:
    """The demo registry with the live server address filled in."""
    text = (demo_site_dir() / "sources.toml").read_text(encoding="utf-8")
    path = folder / "demo-sources.toml"
    path.write_text(text.replace("{base}", base), encoding="utf-8")
    return path


def run_demo(settings: Settings, say: Callable[[str], None] = lambda _: None) -> list[dict]:
    """Crawl, tag, group into events and store the demo site into settings.db; return the
    events its articles report (one row per event)."""
    db = store.open_db(settings.db)
    store.check_writable(db, settings.db)
    before = store.article_count(db)
    with serve_demo_site() as site, TemporaryDirectory() as tmp:
        say(f"serving the demo news site at {site.base}")
        sources_file = write_demo_sources(site.base, Path(tmp))
        say("crawling demo-en (RSS), demo-fr (Atom), demo-zh (sitemap + listing page)")
        crawl_in_subprocess(
            DEMO_SOURCES,
            settings.db,
            sources_file=str(sources_file),
            timeout=settings.crawl_timeout,
        )
    stored = store.article_count(db)
    say(f"stored {stored} articles ({stored - before} new)")
    classifier = load_classifier(settings.model, say=say)
    say(f"tagging with {classifier.name} {classifier.version}")
    tagged = tag_pending(db, classifier, settings.batch_size)
    stats = run_event_stage(db, settings, classifier, say)
    say(f"tagged {tagged} articles; {stats.facts} event facts, {stats.new_events} new events")
    rows = [e for e in store.list_events(db, limit=None) if e["first_source"] in DEMO_SOURCES]
    db.close()
    return rows
