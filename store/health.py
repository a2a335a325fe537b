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
    """{"health": ..., "streak": runs in a row, "since": first run of the streak}.

    health is "ok", "never run", "running", or "failing"/"empty" once `flag_after` runs in a row
    were so, or "blocked" from the first run refused with 401/403/451.
    """
    runs = list(
        db.query(
            "SELECT * FROM crawl_runs WHERE source = ? AND status != 'running' "
            f"ORDER BY id DESC LIMIT {RECENT_RUNS}",
            [source],
        )
    )
    if not runs:
        return {"health": "never run", "streak": 0, "since": None}
    kind = _kind(runs[0])
    streak = 0
    for run in runs:
        if _kind(run) != kind:
            break
        streak += 1
    since = runs[streak - 1]["started"]
    if kind == "ok" or (kind != "blocked" and streak < flag_after):
        return {"health": "ok", "streak": 0, "since": None}
    more = "+" if streak == RECENT_RUNS else ""
    return {"health": f"{kind} ({streak}{more} runs)", "kind": kind, "streak": streak,
            "since": since}  # fmt: skip
