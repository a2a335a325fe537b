"""Source health from crawl runs: failing, empty and blocked streaks, shown by `riskwatch
status`, and a blocked source probed ever more rarely by the daemon, then given up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

import store
from riskwatch.cli import cli
from scheduler import Job, blocked_wait
from store.health import source_health

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def add_runs(db, source: str, *kinds: str, start: datetime = T0, every_h: float = 1) -> None:
    """Crawl runs, oldest first: ok, quiet (304), empty, failed or blocked."""
    values = {
        "ok": ("ok", 5, 3, 0, None),
        "quiet": ("ok", 0, 0, 1, None),
        "empty": ("ok", 0, 0, 0, None),
        "failed": ("failed", 0, 0, 0, "HTTP 500"),
        "blocked": ("blocked", 0, 0, 0, "HTTP 403: the site refuses this crawler (blocked)"),
    }
    for i, kind in enumerate(kinds):
        status, links, items, not_modified, error = values[kind]
        started = (start + timedelta(hours=every_h * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        db["crawl_runs"].insert(
            {
                "source": source,
                "started": started,
                "finished": started,
                "status": status,
                "pages": 1,
                "items": items,
                "errors": int(bool(error)),
                "links": links,
                "not_modified": not_modified,
                "last_error": error,
            }  # fmt: skip
        )


def test_streaks_are_flagged_after_n_runs_and_quiet_feeds_are_healthy(db_path):
    db = store.open_db(db_path)
    add_runs(db, "quiet", "ok", "quiet", "quiet", "quiet", "quiet")
    add_runs(db, "broken", "ok", "failed", "failed", "failed")
    add_runs(db, "flaky", "failed", "failed", "ok", "failed")
    add_runs(db, "emptied", "ok", "empty", "empty", "empty")
    add_runs(db, "walled", "ok", "blocked")
    health = {
        s: source_health(db, s)["health"]
        for s in ("quiet", "broken", "flaky", "emptied", "walled", "new")
    }
    assert health == {
        "quiet": "ok",
        "broken": "failing (3 runs)",
        "flaky": "failing (1 run)",
        "emptied": "empty (3 runs)",
        "walled": "blocked (1 run)",
        "new": "never run",
    }
    flagged = {s: source_health(db, s)["flagged"] for s in ("quiet", "broken", "flaky", "walled")}
    assert flagged == {"quiet": False, "broken": True, "flaky": False, "walled": True}
    assert not source_health(db, "broken", flag_after=4)["flagged"]
    assert source_health(db, "broken")["since"] == "2026-01-01T01:00:00Z"


def test_status_shows_health_and_names_sources_that_need_a_look(db_path):
    db = store.open_db(db_path)
    add_runs(db, "broken", "failed", "failed", "failed")
    store.sync_sources(db, [{"name": "broken", "lang": "en", "kind": "regulator"}])
    result = CliRunner().invoke(cli, ["status", "--db", str(db_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"health": "failing (3 runs)"' in result.output
    result = CliRunner().invoke(cli, ["status", "--db", str(db_path)])
    assert "broken failing (3 runs) since 2026-01-01T00:00:00Z" in result.output


def test_a_blocked_source_is_probed_ever_more_rarely_then_given_up(db_path):
    db = store.open_db(db_path)
    job = Job("crawl:walled", 3600, lambda: None)
    add_runs(db, "walled", "blocked", "blocked", "blocked")
    last = T0 + timedelta(hours=2)
    run_id = store.alerts.start_job_run(db, job.id, 1)
    db.execute(
        "UPDATE job_runs SET started = ? WHERE id = ?",
        [last.strftime("%Y-%m-%dT%H:%M:%SZ"), run_id],
    )
    # three refusals: the next probe waits 8 intervals
    assert "next probe after 8.0 h" in blocked_wait(db, job, last + timedelta(hours=7), 7)
    assert blocked_wait(db, job, last + timedelta(hours=8), 7) is None
    assert blocked_wait(db, Job("crawl:other", 3600, lambda: None), last, 7) is None
    assert "given up" in blocked_wait(db, job, T0 + timedelta(days=7), 7)
