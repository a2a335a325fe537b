"""The daemon under SIGKILL: 20 kills at random moments during crawls and alerting.

A copy of the demo site is served on 127.0.0.1 while its English feed grows (two items every
few seconds); a webhook receiver on loopback records every delivery. `riskwatch run` (rules
tagger, crawls every 2 s) is killed with SIGKILL at random moments and restarted, 20 times;
then one last daemon runs until every article is stored and the outbox is empty, and stops
with SIGTERM. Checked afterwards: `PRAGMA integrity_check`, every article stored exactly once,
every queued alert delivered (by idempotency key) and how many deliveries were repeats after
a kill, and whether any job ran twice at the same time. Baseline in the same run: the same
workload with no kill (time to deliver everything).

Then the latency of an alert with a 1-minute crawl interval: a new article is put on the
feed and the time until its alert reaches the receiver is measured (3 rounds).

Run: python bench/faults.py [--kills 20] [--seed 7] [--latency-rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import store  # noqa: E402
from riskwatch.demo import demo_site_dir, write_demo_sources  # noqa: E402
from riskwatch.localsite import LocalSite, charsets_from_expected  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Receiver(BaseHTTPRequestHandler):
    deliveries: list[tuple[float, str, str]] = []  # (time, idempotency key, event id)
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with Receiver.lock:
            Receiver.deliveries.append(
                (time.time(), self.headers["X-Riskwatch-Idempotency-Key"], body["event"]["id"])
            )
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class GrowingFeed:
    """The demo's English feed, revealed a few items at a time."""

    def __init__(self, site: Path):
        self.path = site / "feeds" / "en.xml"
        text = self.path.read_text(encoding="utf-8")
        self.items = re.findall(r"<item>.*?</item>", text, re.S)
        self.head = text[: text.index("<item>")]
        self.tail = text[text.rindex("</item>") + len("</item>") :]
        self.shown = 0

    def show(self, count: int) -> None:
        self.shown = min(len(self.items), count)
        body = "\n    ".join(self.items[: self.shown])
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(self.head + body + self.tail, encoding="utf-8")
        tmp.replace(self.path)


def daemon(db: Path, sources: Path, watchlists: Path, log: Path, **env) -> subprocess.Popen:
    settings = {
        "RISKWATCH_MODEL": "rules",
        "RISKWATCH_INTERVAL_UNIT_S": "2",
        "RISKWATCH_TAG_INTERVAL_S": "2",
        "RISKWATCH_ALERT_INTERVAL_S": "1",
        "RISKWATCH_ALERT_LOOKBACK_HOURS": "0",
        "RISKWATCH_SHIPPED_SOURCES": "0",
        **env,
    }
    with open(log, "a") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "riskwatch.cli", "run", "--db", str(db), "--sources-file",
             str(sources), "--watchlists", str(watchlists)],
            cwd=ROOT, env={**os.environ, **settings}, stderr=stderr,
        )  # fmt: skip


def configure(work: Path, base: str, hook: str, secret: str | None = None) -> tuple[Path, Path]:
    """The demo sources crawled every interval unit, and one watchlist of every event sent to
    the receiver."""
    sources = write_demo_sources(base, work)
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("\nlocal = true\n", "\nlocal = true\ninterval = 1\n"))
    watchlists = work / "watchlists.toml"
    signed = f'secret = "{secret}"\n' if secret else ""
    watchlists.write_text(
        '[[watchlist]]\nname = "all"\nchannels = ["hook"]\n\n'
        f'[channels.hook]\nkind = "webhook"\nurl = "{hook}"\n{signed}'
    )
    return sources, watchlists


def outbox_empty(db_path: Path) -> bool:
    if not db_path.exists():
        return False
    db = store.open_db(db_path)
    try:
        waiting = db.execute(
            "SELECT count(*) FROM alerts WHERE status IN ('pending', 'sending')"
        ).fetchone()[0]
        queued = db.execute("SELECT count(*) FROM alerts").fetchone()[0]
        return queued > 0 and waiting == 0
    finally:
        db.close()


def stored(db_path: Path) -> int:
    db = store.open_db(db_path)
    try:
        return store.article_count(db)
    finally:
        db.close()


def settle(proc, db_path: Path, expected: int, log: Path, timeout: float = 240) -> float:
    """Wait until every article is stored and the outbox is empty; stop with SIGTERM."""
    start = time.monotonic()
    time.sleep(5)  # let it start and look at the outbox at least once
    while time.monotonic() - start < timeout:
        if stored(db_path) >= expected and outbox_empty(db_path):
            break
        time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    status = proc.wait(timeout=120)
    if status != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"the daemon did not stop cleanly on SIGTERM (status {status}):\n{tail}")
    return time.monotonic() - start


def check(db_path: Path, expected: int) -> dict:
    db = store.open_db(db_path)
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    urls = [r[0] for r in db.execute("SELECT url FROM articles")]
    queued = {r[0] for r in db.execute("SELECT idempotency_key FROM alerts WHERE channel='hook'")}
    runs = list(db.query("SELECT job, started, finished, status FROM job_runs ORDER BY started"))
    db.close()
    keys = [k for _, k, _ in Receiver.deliveries]
    overlaps = 0
    by_job: dict[str, list[dict]] = {}
    for run in runs:
        by_job.setdefault(run["job"], []).append(run)
    for job_runs in by_job.values():
        done = [r for r in job_runs if r["status"] in ("ok", "failed")]
        for a, b in zip(done, done[1:], strict=False):
            overlaps += b["started"] < (a["finished"] or "")
    return {
        "integrity": integrity,
        "articles": len(urls),
        "expected": expected,
        "duplicate_articles": len(urls) - len(set(urls)),
        "alerts_queued": len(queued),
        "delivered_keys": len(set(keys) & queued),
        "deliveries": len(keys),
        "repeats": len(keys) - len(set(keys)),
        "job_overlaps": overlaps,
        "killed_runs": sum(r["status"] == "killed" for r in runs),
    }


def run_workload(tmp: Path, site_dir: Path, kills: int, rng: random.Random, hook: str) -> dict:
    """Crawl the growing site with `kills` SIGKILLs on the way; returns the checks."""
    work = tmp / f"run-{kills}"
    work.mkdir()
    db, log = work / "rw.db", work / "daemon.log"
    feed = GrowingFeed(site_dir)
    feed.show(2)
    with LocalSite(site_dir, charsets=charsets_from_expected(site_dir / "expected")) as site:
        sources, watchlists = configure(work, site.base, hook, secret="bench")
        expected = 52  # every page of the demo site's three sources
        Receiver.deliveries = []
        stop = threading.Event()

        def grow() -> None:
            while not stop.wait(3):
                feed.show(feed.shown + 2)

        grower = threading.Thread(target=grow, daemon=True)
        grower.start()
        start = time.monotonic()
        for _ in range(kills):
            proc = daemon(db, sources, watchlists, log)
            time.sleep(rng.uniform(1.5, 7.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        final = daemon(db, sources, watchlists, log)
        settle(final, db, expected, log)
        stop.set()
        result = check(db, expected)
        result["seconds"] = round(time.monotonic() - start, 1)
    return result


def latency(tmp: Path, site_dir: Path, hook: str, rounds: int) -> list[float]:
    """Seconds from an article appearing on the feed to its alert, crawling every minute."""
    work = tmp / "latency"
    work.mkdir()
    db, log = work / "rw.db", work / "daemon.log"
    feed = GrowingFeed(site_dir)
    # the fine stories are the ones put on the feed during the measurement
    fines = [i for i, item in enumerate(feed.items) if re.search(r"fine|fined", item, re.I)]
    others = [i for i in range(len(feed.items)) if i not in fines[:rounds]]
    feed.items = [feed.items[i] for i in others] + [feed.items[i] for i in fines[:rounds]]
    feed.show(len(others))
    results = []
    with LocalSite(site_dir, charsets=charsets_from_expected(site_dir / "expected")) as site:
        sources, watchlists = configure(work, site.base, hook)
        proc = daemon(db, sources, watchlists, log, RISKWATCH_INTERVAL_UNIT_S="60",
                      RISKWATCH_TAG_INTERVAL_S="5", RISKWATCH_ALERT_INTERVAL_S="2")  # fmt: skip
        try:
            time.sleep(20)  # the first crawl and its alerts
            for i in range(rounds):
                seen = len(Receiver.deliveries)
                feed.show(len(others) + i + 1)
                shown_at = time.time()
                deadline = time.monotonic() + 200
                while len(Receiver.deliveries) == seen and time.monotonic() < deadline:
                    time.sleep(0.2)
                if len(Receiver.deliveries) > seen:
                    results.append(round(Receiver.deliveries[seen][0] - shown_at, 1))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=120)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency-rounds", type=int, default=3)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        results = {}
        for kills in (0, args.kills):
            site_dir = tmp / f"site-{kills}"
            shutil.copytree(demo_site_dir(), site_dir)
            results[kills] = run_workload(tmp, site_dir, kills, rng, hook)
        base, faulty = results[0], results[args.kills]
        print(f"{'':<28}{'no kill (baseline)':>20}{f'{args.kills} SIGKILLs':>16}")
        for key in base:
            print(f"{key:<28}{base[key]!s:>20}{faulty[key]!s:>16}")
        print(
            f"time to deliver everything: {faulty['seconds'] / base['seconds']:.2f}x the baseline"
        )
        ok = (
            faulty["integrity"] == "ok"
            and faulty["articles"] == faulty["expected"]
            and faulty["duplicate_articles"] == 0
            and faulty["delivered_keys"] == faulty["alerts_queued"]
            and faulty["job_overlaps"] == 0
        )
        print("every article once, every alert delivered, no overlapping job runs:", ok)
        if args.latency_rounds:
            site_dir = tmp / "site-latency"
            shutil.copytree(demo_site_dir(), site_dir)
            seconds = latency(tmp, site_dir, hook, args.latency_rounds)
            print(f"feed-to-alert latency with a 1-minute crawl interval: {seconds} s"
                  f" (the interval alone allows up to 60 s)")  # fmt: skip
    server.shutdown()


if __name__ == "__main__":
    main()
