"""The daemon: APScheduler 3.x runs a crawl per source at its interval, the tag and event
stages, alerts and the daily digests (`riskwatch run`, or `riskwatch run --once` for cron).

Where the schedule lives: in the database, not in an APScheduler job store. Every job run is a
row of `job_runs` (started, finished, status, counts); at start the daemon schedules each job
at its last start plus its interval (now, if that has passed). A SQLAlchemy job store would
add a second file whose state can disagree with the data, and two schedulers on one store run
every job twice (shared/research/kill-anchor.md); the jobs themselves are idempotent (they
read what the store has pending), so a run repeated after a crash costs time, not data.

- One daemon per database: an exclusive lock on `<db>.lock`; a second `run` exits with a
  message naming the pid that holds it.
- coalesce on, one instance per job, a misfire grace of a whole interval: after downtime each
  job runs once, not once per missed slot.
- SIGTERM and Ctrl-C: running crawls get SIGTERM (Scrapy closes the spider and commits), the
  scheduler waits for running jobs, the lock is released, exit status 0. A job row left
  "running" by a killed daemon is marked "killed" at the next start.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

import store
from nlp.classify import load_classifier
from nlp.run import tag_pending
from riskwatch.errors import RiskwatchError
from riskwatch.events_stage import company_registry, run_event_stage
from riskwatch.settings import Settings
from spiders.launch import crawl_in_subprocess, stop_running_crawls
from spiders.sources import SourceRegistry
from store import alerts as job_store
from store.health import source_health

log = logging.getLogger("riskwatch.daemon")


class DaemonError(RiskwatchError):
    """The daemon cannot start (another one runs on this database, bad watchlists...)."""


def crawl_job(source: str, settings: Settings) -> str:
    """Crawl one source in its own process (killed at settings.crawl_timeout)."""
    db = store.open_db(settings.db)
    before = store.article_count(db, source)
    db.close()
    status = crawl_in_subprocess(
        [source], settings.db, sources_file=settings.sources_file, timeout=settings.crawl_timeout
    )
    db = store.open_db(settings.db)
    new = store.article_count(db, source) - before
    last = next(
        db.query("SELECT status, last_error FROM crawl_runs WHERE source = ? ORDER BY id DESC "
                 "LIMIT 1", [source]),
        {},
    )  # fmt: skip
    db.close()
    if status != 0:
        why = f"; {last.get('last_error')}" if last.get("last_error") else ""
        raise RiskwatchError(f"crawl {last.get('status', 'failed')} ({new} new articles){why}")
    return f"{new} new articles"


def tag_job(settings: Settings) -> int:
    """Tag everything pending, then group new tags into events; returns how many articles were
    tagged. A missed or repeated run is harmless: both stages read what the store has pending."""
    db = store.open_db(settings.db)
    try:
        classifier = load_classifier(settings.model, say=log.info)
        tagged = tag_pending(db, classifier, settings.batch_size)
        stats = run_event_stage(db, settings, classifier, log.info)
        log.info("event stage: %d facts, %d new events", stats.facts, stats.new_events)
        return tagged
    finally:
        db.close()


def alert_job(settings: Settings, watchlists) -> str:
    """Queue alerts for new or newly informative events, then send what is due."""
    from riskwatch.alerting import deliver_alerts, queue_alerts

    db = store.open_db(settings.db)
    try:
        queued = queue_alerts(db, watchlists, settings.alert_lookback_hours or None)
        stats = deliver_alerts(db, watchlists)
        return f"{queued} queued, {stats.sent} sent, {stats.failed} failed"
    finally:
        db.close()


def digest_job(settings: Settings, watchlists) -> str:
    """Yesterday's digest of every watchlist: written into settings.digest_dir, and mailed to
    the watchlist's e-mail channels when it has events."""
    from riskwatch.alerting import smtp_settings
    from riskwatch.alerts.digest import daily_digest, filter_for
    from riskwatch.alerts.mail import send_digest

    db = store.open_db(settings.db)
    day = (datetime.now(UTC) - timedelta(days=1)).date()
    mailed = 0
    try:
        for watchlist in watchlists:
            digest = daily_digest(
                db, filter_for(watchlist), day, Path(settings.digest_dir) / watchlist.name
            )
            if not digest.events:
                continue
            for channel in watchlist.channels:
                if channel.kind == "email":
                    to = list(channel.options["to"])
                    delivery = send_digest(smtp_settings(channel), to, digest)
                    mailed += delivery.ok
                    if not delivery.ok:
                        log.warning(
                            "digest %s via %s: %s", watchlist.name, channel.name, delivery.error
                        )
    finally:
        db.close()
    return f"{len(watchlists)} digests for {day}, {mailed} mailed"


@dataclass(frozen=True)
class Job:
    id: str
    every_s: float | None  # None: daily (cron)
    run: Callable[[], object]


def build_jobs(settings: Settings, registry: SourceRegistry, watchlists) -> list[Job]:
    jobs = [
        Job(
            f"crawl:{source.name}",
            source.interval * settings.interval_unit_s,
            lambda name=source.name: crawl_job(name, settings),
        )
        for source in registry
    ]
    jobs.append(Job("tag", settings.tag_interval_s, lambda: f"{tag_job(settings)} tagged"))
    if watchlists:
        alerts = Job("alerts", settings.alert_interval_s, lambda: alert_job(settings, watchlists))
        jobs.append(alerts)
        jobs.append(Job("digest", None, lambda: digest_job(settings, watchlists)))
    return jobs


def build_scheduler(
    settings: Settings, registry: SourceRegistry, watchlists=()
) -> BlockingScheduler:
    """A scheduler with every job, each starting where the database says it left off."""
    scheduler = BlockingScheduler(timezone=UTC)
    db = store.open_db(settings.db)
    last = job_store.last_job_runs(db)
    db.close()
    now = datetime.now(UTC)
    for i, job in enumerate(build_jobs(settings, registry, watchlists)):
        if job.every_s is None:
            trigger = CronTrigger(hour=settings.digest_hour_utc, minute=5, timezone=UTC)
            first = None
        else:
            trigger = IntervalTrigger(
                seconds=max(1, int(job.every_s)), jitter=min(30, int(job.every_s * 0.1)) or None
            )
            first = _next_start(last.get(job.id), job.every_s, now) + timedelta(seconds=0.2 * i)
        scheduler.add_job(
            _recorded(job, settings),
            trigger,
            id=job.id,
            name=job.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(job.every_s or 3600),
            next_run_time=first,
            replace_existing=True,
        )
    return scheduler


def _next_start(last_run: dict | None, every_s: float, now: datetime) -> datetime:
    if not last_run or not last_run.get("started"):
        return now
    started = datetime.fromisoformat(last_run["started"].replace("Z", "+00:00"))
    return max(now, started + timedelta(seconds=every_s))


MAX_BACKOFF = 8  # a source failing again and again is tried at most 8 intervals apart


def backing_off(db, job: Job, now: datetime) -> int:
    """For a crawl that failed its last runs: how many failures in a row, when it should
    still wait (0 when it may run). 2 failures: every 2nd slot, 3: every 4th, then every 8th."""
    if job.every_s is None or not job.id.startswith("crawl:"):
        return 0
    recent = list(
        db.query(
            "SELECT status, started FROM job_runs WHERE job = ? AND status IN ('ok', 'failed')"
            " ORDER BY id DESC LIMIT 4",
            [job.id],
        )
    )
    failures = 0
    for run in recent:
        if run["status"] != "failed":
            break
        failures += 1
    if failures < 2:
        return 0
    wait = job.every_s * min(MAX_BACKOFF, 2 ** (failures - 1))
    last = datetime.fromisoformat(recent[0]["started"].replace("Z", "+00:00"))
    return failures if now < last + timedelta(seconds=wait * 0.95) else 0


BLOCKED_MAX_WAIT_S = 24 * 3600  # a blocked source is probed at most once a day


def blocked_wait(db, job: Job, now: datetime, give_up_days: float) -> str | None:
    """Why a crawl of a source that refuses the crawler (401/403/451) should not run now:
    its probes thin out (2, 4, 8... intervals, at most a day apart) and stop after
    `give_up_days` of refusals, until someone runs `riskwatch crawl` for it by hand."""
    if job.every_s is None or not job.id.startswith("crawl:"):
        return None
    health = source_health(db, job.id.split(":", 1)[1])
    if health.get("kind") != "blocked":
        return None
    since = datetime.fromisoformat(health["since"].replace("Z", "+00:00"))
    if now - since >= timedelta(days=give_up_days):
        return (
            f"given up: blocked (HTTP 401/403/451) since {health['since']}; "
            f"`riskwatch crawl {job.id.split(':', 1)[1]}` tries again"
        )
    last = job_store.last_job_runs(db).get(job.id) or {}
    if not last.get("started"):
        return None
    started = datetime.fromisoformat(last["started"].replace("Z", "+00:00"))
    wait = min(BLOCKED_MAX_WAIT_S, job.every_s * 2 ** health["streak"])
    if now < started + timedelta(seconds=wait * 0.95):
        return f"blocked for {health['streak']} runs: next probe after {wait / 3600:.1f} h"
    return None


def _recorded(job: Job, settings: Settings) -> Callable[[], None]:
    """The job wrapped in a job_runs row and one log line a person can read."""

    def run() -> None:
        db = store.open_db(settings.db)
        blocked = blocked_wait(db, job, datetime.now(UTC), settings.blocked_give_up_days)
        if blocked:
            log.info("%s skipped: %s", job.id, blocked)
            db.close()
            return
        failures = backing_off(db, job, datetime.now(UTC))
        if failures:
            log.info("%s skipped: backing off after %d failed runs in a row", job.id, failures)
            db.close()
            return
        run_id = job_store.start_job_run(db, job.id, os.getpid())
        start = time.monotonic()
        try:
            detail = str(job.run() or "")
            status = "ok"
        except (RiskwatchError, OSError) as err:
            detail, status = str(err), "failed"
        except Exception as err:  # a bug in one job must not stop the daemon
            log.exception("job %s crashed", job.id)
            detail, status = f"{type(err).__name__}: {err}", "failed"
        seconds = time.monotonic() - start
        job_store.finish_job_run(db, run_id, status, detail, seconds)
        db.close()
        line = "%s %s in %.1f s: %s"
        (log.info if status == "ok" else log.error)(line, job.id, status, seconds, detail)

    return run


class DatabaseLock:
    """One daemon per database: an exclusive, non-blocking flock on `<db>.lock`."""

    def __init__(self, db_path: str):
        self.path = Path(f"{db_path}.lock")
        self.handle = None

    def __enter__(self) -> DatabaseLock:
        self.handle = open(self.path, "a+")  # noqa: SIM115 - held for the daemon's life
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            self.handle.seek(0)
            holder = self.handle.read().strip() or "another process"
            self.handle.close()
            raise DaemonError(
                f"another `riskwatch run` (pid {holder}) is running on {Path(self.path.stem)}; "
                "stop it first, or use a different --db"
            ) from err
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def run_daemon(settings: Settings, registry: SourceRegistry, watchlists=(), once=False) -> int:
    """Run until SIGTERM or Ctrl-C (or, with `once`, run every due job once); exit status."""
    with DatabaseLock(settings.db):
        db = store.open_db(settings.db)
        killed = job_store.close_dead_job_runs(db, os.getpid())
        store.sync_sources(db, [s.to_dict() for s in registry])
        db.close()
        if killed:
            log.warning("%d job runs were cut short by the previous daemon's end", killed)
        if once:
            return _run_due_once(settings, registry, watchlists)
        scheduler = build_scheduler(settings, registry, watchlists)
        stopping = []

        def stop(signum, _frame) -> None:
            if stopping:
                return
            stopping.append(signum)
            log.warning("%s: stopping (running crawls get %d s to finish)",
                        signal.Signals(signum).name, settings.stop_grace_s)  # fmt: skip
            stop_running_crawls(settings.stop_grace_s)
            scheduler.shutdown(wait=True)  # jobs that were running finish their transactions

        previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            log.info("riskwatch daemon %d: %d jobs on %s", os.getpid(),
                     len(scheduler.get_jobs()), settings.db)  # fmt: skip
            scheduler.start()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        log.info("riskwatch daemon %d stopped", os.getpid())
        return 0


def _run_due_once(settings: Settings, registry: SourceRegistry, watchlists) -> int:
    """Every job whose interval has passed since its last start, in order: crawls, then tag,
    then alerts. For cron users; the lock still guards against an overlapping daemon."""
    db = store.open_db(settings.db)
    last = job_store.last_job_runs(db)
    db.close()
    now = datetime.now(UTC)
    for job in build_jobs(settings, registry, watchlists):
        if job.every_s is None:
            continue
        if _next_start(last.get(job.id), job.every_s, now) <= now:
            _recorded(job, settings)()
    return 0


def job_schedule(settings: Settings, registry: SourceRegistry, watchlists=()) -> list[dict]:
    """What `riskwatch status` shows: every job, its period, last run and next run."""
    db = store.open_db(settings.db)
    last = job_store.last_job_runs(db)
    db.close()
    now = datetime.now(UTC)
    rows = []
    for job in build_jobs(settings, registry, watchlists):
        run = last.get(job.id) or {}
        nxt = "daily" if job.every_s is None else _next_start(run, job.every_s, now)
        rows.append(
            {
                "job": job.id,
                "every": "daily" if job.every_s is None else f"{job.every_s:.0f} s",
                "last_started": run.get("started"),
                "last_status": run.get("status"),
                "seconds": run.get("seconds"),
                "detail": run.get("detail"),
                "next_run": nxt if isinstance(nxt, str) else nxt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return rows


def load_daemon_watchlists(settings: Settings):
    """The watchlists file from settings, or ./watchlists.toml when present; none otherwise."""
    from riskwatch.watchlists import load_watchlists

    default = "watchlists.toml" if Path("watchlists.toml").exists() else None
    path = settings.watchlists_file or default
    return load_watchlists(path, company_registry(settings)) if path else []
