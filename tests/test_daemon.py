"""The daemon, really started: a local news site, a webhook receiver on loopback, the real
scheduler with second-scale intervals, SIGTERM, a second daemon, and SIGKILL mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import store
from riskwatch.demo import serve_demo_site, write_demo_sources

ROOT = Path(__file__).resolve().parent.parent


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that records every delivery (and can be told to fail)."""

    deliveries: list[dict] = []
    fail_first: int = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.fail_first > 0:
            Receiver.fail_first -= 1
            self.send_response(500)
            self.end_headers()
            return
        Receiver.deliveries.append(
            {"key": self.headers["X-Riskwatch-Idempotency-Key"], "body": json.loads(body)}
        )
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver():
    Receiver.deliveries = []
    Receiver.fail_first = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def setup(tmp_path, receiver):
    """A served demo site, sources that crawl every 2 s, and a watchlist with a webhook."""
    with serve_demo_site() as site:
        sources = write_demo_sources(site.base, tmp_path)
        text = sources.read_text(encoding="utf-8").replace(
            "\nlocal = true\n", "\nlocal = true\ninterval = 2\n"
        )
        sources.write_text(text, encoding="utf-8")
        watchlists = tmp_path / "watchlists.toml"
        watchlists.write_text(
            '[[watchlist]]\nname = "ir"\ncompanies = ["alibaba", "Meta", "tencent"]\n'
            'channels = ["log", "hook"]\n\n'
            f'[channels.hook]\nkind = "webhook"\nurl = "{receiver}"\nsecret = "s3cret"\n',
            encoding="utf-8",
        )
        yield {"sources": sources, "watchlists": watchlists, "db": tmp_path / "rw.db"}


def daemon(setup, *extra, env=None) -> subprocess.Popen:
    """`riskwatch run` in its own process; its log goes to a file (a pipe could fill up)."""
    environment = {
        **os.environ,
        "RISKWATCH_MODEL": "rules",
        "RISKWATCH_INTERVAL_UNIT_S": "1",
        "RISKWATCH_TAG_INTERVAL_S": "2",
        "RISKWATCH_ALERT_INTERVAL_S": "1",
        "RISKWATCH_ALERT_LOOKBACK_HOURS": "0",
        "RISKWATCH_SHIPPED_SOURCES": "0",  # only the local site: the tests never go online
        **(env or {}),
    }
    setup["runs"] = setup.get("runs", 0) + 1
    log = setup["db"].parent / f"daemon-{setup['runs']}.log"
    with open(log, "w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "riskwatch.cli", "run", "--db", str(setup["db"]),
             "--sources-file", str(setup["sources"]), "--watchlists", str(setup["watchlists"]),
             *extra],
            cwd=ROOT, env=environment, stderr=stderr, text=True,
        )  # fmt: skip
    proc.log = log
    return proc


def wait_for(check, timeout: float = 90.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.5)
    return False


def alerted_events(db_path) -> set[str]:
    db = store.open_db(db_path)
    try:
        return {
            r["event_id"] for r in db.query("SELECT event_id FROM alerts WHERE channel = 'hook'")
        }
    finally:
        db.close()


def watched_events(db_path) -> set[str]:
    db = store.open_db(db_path)
    try:
        return {
            r["event_id"]
            for r in db.query(
                "SELECT DISTINCT event_id FROM event_companies "
                "WHERE company IN ('alibaba', 'meta', 'tencent')"
            )
        }
    finally:
        db.close()


def test_the_daemon_crawls_tags_and_alerts_once_then_stops_cleanly(setup):
    first = daemon(setup)
    try:
        assert wait_for(lambda: len(Receiver.deliveries) >= 3), first.log.read_text()
        # a second daemon on the same database refuses to start, in one line
        second = daemon(setup)
        assert second.wait(timeout=60) == 1
        assert "another `riskwatch run`" in second.log.read_text()
        assert wait_for(
            lambda: (
                watched_events(setup["db"])
                <= {d["body"]["event"]["id"] for d in Receiver.deliveries}
                and watched_events(setup["db"])
            )
        )
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
    log = first.log.read_text()
    assert "stopping" in log and "stopped" in log
    assert "crawl:demo-en ok in" in log and "alerts ok in" in log  # one line per job run
    keys = [d["key"] for d in Receiver.deliveries]
    assert len(keys) == len(set(keys))  # every event alerted once on this channel
    # restart: the schedule resumes, nothing is alerted again
    again = daemon(setup)
    assert wait_for(lambda: "jobs on" in again.log.read_text(), timeout=60)
    time.sleep(6)
    again.send_signal(signal.SIGINT)
    assert again.wait(timeout=60) == 0
    assert len(Receiver.deliveries) == len(keys)


def test_run_once_and_status(setup):
    once = daemon(setup, "--once")
    assert once.wait(timeout=120) == 0, once.log.read_text()
    status = subprocess.run(
        [sys.executable, "-m", "riskwatch.cli", "status", "--db", str(setup["db"]),
         "--sources-file", str(setup["sources"]), "--watchlists", str(setup["watchlists"]),
         "--format", "json"],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "RISKWATCH_MODEL": "rules", "RISKWATCH_SHIPPED_SOURCES": "0"},
    )  # fmt: skip
    jobs = {json.loads(line).get("job"): json.loads(line) for line in status.stdout.splitlines()}
    assert jobs["crawl:demo-en"]["last_status"] == "ok" and jobs["tag"]["last_status"] == "ok"
    assert jobs["alerts"]["last_status"] == "ok" and jobs["digest"]["every"] == "daily"


def test_sigkill_mid_run_loses_nothing_and_alerts_stay_once(setup):
    Receiver.fail_first = 2  # the receiver fails twice: alerts back off and retry
    for _ in range(3):
        proc = daemon(setup)
        time.sleep(5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    last = daemon(setup, env={"RISKWATCH_ALERT_INTERVAL_S": "1"})
    # up before it is asked to stop (a signal while Python still imports ends it at once)
    assert wait_for(lambda: "jobs on" in last.log.read_text(), timeout=60)
    try:
        assert wait_for(
            lambda: (
                watched_events(setup["db"])
                and watched_events(setup["db"]) <= alerted_events(setup["db"])
            )
        )
        db = store.open_db(setup["db"])
        assert wait_for(
            lambda: (
                not list(db.query("SELECT 1 FROM alerts WHERE status IN ('pending', 'sending')"))
            ),
            timeout=120,
        )
    finally:
        last.send_signal(signal.SIGTERM)
        assert last.wait(timeout=60) == 0
    db = store.open_db(setup["db"])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = [r[0] for r in db.execute("SELECT id FROM articles")]
    assert len(ids) == len(set(ids)) > 0
    killed = db.execute("SELECT count(*) FROM job_runs WHERE status = 'killed'").fetchone()[0]
    assert killed >= 1
    delivered = {d["key"] for d in Receiver.deliveries}
    queued = {r[0] for r in db.execute("SELECT idempotency_key FROM alerts WHERE channel='hook'")}
    assert delivered == queued  # every alert arrived; a repeat after a kill has the same key


def test_a_source_that_keeps_failing_is_tried_less_often(db_path):
    from datetime import UTC, datetime, timedelta

    from scheduler import Job, backing_off

    db = store.open_db(db_path)
    job = Job("crawl:flaky", 60, lambda: None)
    now = datetime.now(UTC)
    for minutes_ago, status in ((10, "ok"), (4, "failed"), (3, "failed"), (2, "failed")):
        stamp = (now - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        db["job_runs"].insert({"job": job.id, "started": stamp, "status": status})
    assert backing_off(db, job, now) == 3  # three failures: waits four intervals
    assert backing_off(db, job, now + timedelta(minutes=3)) == 0
    assert backing_off(db, Job("tag", 60, lambda: None), now) == 0  # only crawls back off


def test_the_daily_digest_is_mailed_to_a_watchlists_email_channel(tmp_path, db_path):
    from datetime import UTC, datetime, timedelta

    from aiosmtpd.controller import Controller

    from nlp.events.run import build_events
    from riskwatch.events_stage import company_registry
    from riskwatch.settings import Settings
    from riskwatch.watchlists import load_watchlists
    from scheduler import digest_job
    from tests.alert_samples import MailHandler, free_port
    from tests.tagged_articles import add

    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT10:00:00Z")
    db = store.open_db(db_path)
    add(db, "a", "China fines Alibaba 18.2 billion yuan", "SAMR fined Alibaba 18.2 billion yuan.",
        yesterday)  # fmt: skip
    build_events(db)
    handler = MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        path = tmp_path / "watchlists.toml"
        path.write_text(
            '[[watchlist]]\nname = "ir"\ncompanies = ["alibaba"]\nchannels = ["mail"]\n'
            '[channels.mail]\nkind = "email"\nto = ["ir@example.com"]\n'
            f'smtp_host = "127.0.0.1"\nsmtp_port = {controller.port}\n',
            encoding="utf-8",
        )
        settings = Settings(db=str(db_path), digest_dir=str(tmp_path / "digests"))
        watchlists = load_watchlists(path, company_registry(settings))
        assert digest_job(settings, watchlists).endswith("1 mailed")
    finally:
        controller.stop()
    (message,) = handler.messages
    assert "Alibaba" in message.get_body(("plain",)).get_content()
    assert list((tmp_path / "digests" / "ir").glob("*.png"))


def test_a_watchlist_naming_an_unknown_company_is_refused_by_name(tmp_path):
    from riskwatch.errors import ConfigError
    from riskwatch.events_stage import company_registry
    from riskwatch.settings import Settings
    from riskwatch.watchlists import load_watchlists

    path = tmp_path / "watchlists.toml"
    path.write_text('[[watchlist]]\nname = "ir"\ncompanies = ["Alibbaba"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown company 'Alibbaba' .did you mean alibaba"):
        load_watchlists(path, company_registry(Settings()))
