"""APScheduler wiring only: one crawl job per source at its interval, then the tag and event
stages.

The job functions are importable and tested without a scheduler. The daemon around this
(single-instance lock, signals, alerts) is tracked in its own issue.
"""

from __future__ import annotations

import logging

from apscheduler.events import EVENT_JOB_ERROR
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

import store
from nlp.classify import load_classifier
from nlp.run import tag_pending
from riskwatch.events_stage import run_event_stage
from riskwatch.settings import Settings
from spiders.launch import crawl_in_subprocess
from spiders.sources import SourceRegistry

log = logging.getLogger(__name__)


def crawl_job(source: str, settings: Settings) -> int:
    """Crawl one source in its own process (killed at settings.crawl_timeout)."""
    return crawl_in_subprocess(
        [source], settings.db, sources_file=settings.sources_file, timeout=settings.crawl_timeout
    )


def tag_job(settings: Settings) -> int:
    """Tag everything pending, then group new tags into events; returns how many articles were
    tagged. A missed or repeated run is harmless: both stages read what the store has pending."""
    db = store.open_db(settings.db)
    try:
        classifier = load_classifier(settings.model, say=log.info)
        log.info("tag stage: %s %s", classifier.name, classifier.version)
        tagged = tag_pending(db, classifier, settings.batch_size)
        stats = run_event_stage(db, settings, classifier, log.info)
        log.info("event stage: %d facts, %d new events", stats.facts, stats.new_events)
        return tagged
    finally:
        db.close()


def build_scheduler(settings: Settings, registry: SourceRegistry) -> BlockingScheduler:
    """A scheduler with a crawl job per source (its interval, with jitter) and the tag stage."""
    # coalesce: a restart after downtime runs each job once, not once per missed slot;
    # jobs reconcile against the store, so a skipped slot loses no work
    scheduler = BlockingScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    for source in registry:
        scheduler.add_job(
            crawl_job,
            IntervalTrigger(minutes=source.interval, jitter=30),
            args=[source.name, settings],
            id=f"crawl:{source.name}",
            name=f"crawl {source.name}",
            replace_existing=True,
        )
    scheduler.add_job(
        tag_job,
        IntervalTrigger(minutes=5),
        args=[settings],
        id="tag",
        name="tag pending articles, then group them into events",
        replace_existing=True,
    )
    scheduler.add_listener(_log_job_error, EVENT_JOB_ERROR)
    return scheduler


def _log_job_error(event) -> None:
    log.error("job %s failed: %s", event.job_id, event.exception)
