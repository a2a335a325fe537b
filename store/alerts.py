"""The alert outbox and the daemon's job runs: what was (to be) sent, and what ran when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from store.db import utc_now, write_txn


def queue_alert(
    db: Database,
    *,
    event_id: str,
    watchlist: str,
    channel: str,
    version: int,
    kind: str,
    fingerprint: str,
) -> bool:
    """Add an alert to the outbox unless that version was queued before; True if added."""
    key = f"{event_id}:{watchlist}:{channel}:{version}"
    with write_txn(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO alerts (event_id, watchlist, channel, version, kind, "
            "fingerprint, status, attempts, idempotency_key, created_at, next_try_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
            [event_id, watchlist, channel, version, kind, fingerprint, key, utc_now(), utc_now()],
        )
    return cursor.rowcount == 1


def latest_alerts(db: Database, watchlist: str, channel: str) -> dict[str, dict]:
    """Per event, the newest queued version for this watchlist and channel."""
    rows = db.query(
        "SELECT event_id, max(version) AS version, fingerprint FROM alerts "
        "WHERE watchlist = ? AND channel = ? GROUP BY event_id",
        [watchlist, channel],
    )
    return {r["event_id"]: r for r in rows}


def due_alerts(db: Database, now: str | None = None, limit: int = 100) -> list[dict]:
    """Alerts to send now: pending ones whose retry time has come, and any a crash left in
    "sending" (sent again with the same idempotency key)."""
    return list(
        db.query(
            "SELECT * FROM alerts WHERE (status = 'pending' AND next_try_at <= ?) "
            "OR status = 'sending' ORDER BY id LIMIT ?",
            [now or utc_now(), limit],
        )
    )


def mark_sending(db: Database, alert_id: int) -> None:
    with write_txn(db):
        db.execute(
            "UPDATE alerts SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
            [alert_id],
        )


def mark_sent(db: Database, alert_id: int) -> None:
    with write_txn(db):
        db.execute(
            "UPDATE alerts SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
            [utc_now(), alert_id],
        )


def mark_failed(db: Database, alert_id: int, error: str, give_up: bool, retry_in_s: float) -> None:
    """A failed delivery: retried later (backing off), or given up after too many attempts."""
    later = datetime.now(UTC) + timedelta(seconds=retry_in_s)
    with write_txn(db):
        db.execute(
            "UPDATE alerts SET status = ?, last_error = ?, next_try_at = ? WHERE id = ?",
            [
                "failed" if give_up else "pending",
                error[:500],
                later.strftime("%Y-%m-%dT%H:%M:%SZ"),
                alert_id,
            ],
        )


def alert_counts(db: Database) -> dict[str, int]:
    return {
        r["status"]: r["n"]
        for r in db.query("SELECT status, count(*) AS n FROM alerts GROUP BY status")
    }


def start_job_run(db: Database, job: str, pid: int) -> int:
    with write_txn(db):
        return db.execute(
            "INSERT INTO job_runs (job, started, status, pid) VALUES (?, ?, 'running', ?)",
            [job, utc_now(), pid],
        ).lastrowid


def finish_job_run(db: Database, run_id: int, status: str, detail: str, seconds: float) -> None:
    with write_txn(db):
        db.execute(
            "UPDATE job_runs SET finished = ?, status = ?, detail = ?, seconds = ? WHERE id = ?",
            [utc_now(), status, detail[:1000], round(seconds, 3), run_id],
        )


def close_dead_job_runs(db: Database, live_pid: int) -> int:
    """Runs left "running" by a daemon that was killed: marked killed, so status tells."""
    with write_txn(db):
        return db.execute(
            "UPDATE job_runs SET status = 'killed', finished = ? "
            "WHERE status = 'running' AND pid != ?",
            [utc_now(), live_pid],
        ).rowcount


def last_job_runs(db: Database) -> dict[str, dict]:
    """Per job, its latest run (any status) and its latest successful start."""
    rows = db.query(
        """
        SELECT r.*, (SELECT max(started) FROM job_runs o WHERE o.job = r.job
                     AND o.status = 'ok') AS last_ok
        FROM job_runs r JOIN (SELECT job, max(id) AS id FROM job_runs GROUP BY job) m
          ON m.id = r.id
        """
    )
    return {r["job"]: r for r in rows}
