"""Source health from the crawl runs: which sources are failing, blocked or empty, for how
many runs in a row, and since when. `riskwatch status` shows it; the daemon backs off on it."""

from __future__ import annotations

from sqlite_utils import Database

RECENT_RUNS = 30


def _kind(run: dict) -> str:
    if run["status"] == "blocked":
        return "blocked"
    if run["status"] != "ok":
        return "failing"
    # an ok run whose entry pages gave no link at all (and none answered "not modified"):
    # a feed gone empty or a listing whose markup changed, not a quiet day
    if not run.get("links") and not run.get("not_modified") and not run.get("items"):
        return "empty"
    return "ok"


def source_health(db: Database, source: str, flag_after: int = 3) -> dict:
    """{"health": ..., "kind", "streak": runs in a row, "since": first run of the streak,
    "flagged": whether someone should look}.

    health is "ok", "never run", or "failing"/"empty"/"blocked (N runs)"; a source is flagged
    once `flag_after` runs in a row failed or were empty, and from the first run refused with
    401/403/451.
    """
    runs = list(
        db.query(
            "SELECT * FROM crawl_runs WHERE source = ? AND status != 'running' "
            f"ORDER BY id DESC LIMIT {RECENT_RUNS}",
            [source],
        )
    )
    if not runs:
        return {"health": "never run", "kind": None, "streak": 0, "since": None, "flagged": False}
    kind = _kind(runs[0])
    streak = 0
    for run in runs:
        if _kind(run) != kind:
            break
        streak += 1
    if kind == "ok":
        return {"health": "ok", "kind": None, "streak": 0, "since": None, "flagged": False}
    more = "+" if streak == RECENT_RUNS else ""
    runs_word = "run" if streak == 1 else "runs"
    return {
        "health": f"{kind} ({streak}{more} {runs_word})",
        "kind": kind,
        "streak": streak,
        "since": runs[streak - 1]["started"],
        "flagged": kind == "blocked" or streak >= flag_after,
    }
