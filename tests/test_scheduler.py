"""scheduler.py: jobs are built from the registry and run directly, without a scheduler."""

from __future__ import annotations

import store
from riskwatch.settings import Settings
from scheduler import build_scheduler, crawl_job, tag_job
from spiders.sources import load_registry


def test_one_job_per_source_plus_tag_stage(sources_file):
    registry = load_registry(sources_file, shipped=False)
    scheduler = build_scheduler(Settings(), registry)
    ids = {job.id for job in scheduler.get_jobs()}
    assert ids == {f"crawl:{s.name}" for s in registry} | {"tag"}


def test_crawl_then_tag_jobs_fill_the_store(db_path, sources_file):
    settings = Settings(db=str(db_path), sources_file=str(sources_file), crawl_timeout=120)
    assert crawl_job("fixture-listing", settings) == "2 new articles"
    assert tag_job(settings) == 2
    assert tag_job(settings) == 0  # nothing left pending: a repeated run is harmless
    db = store.open_db(db_path)
    assert {r["status"] for r in db.query("SELECT status FROM articles")} == {"tagged"}
    tagged = {r["article_id"] for r in db.query("SELECT article_id FROM tags")}
    grouped = {r["article_id"] for r in db.query("SELECT article_id FROM article_facts")}
    assert tagged == grouped  # the event stage ran after the tag stage
