"""Starting a crawl in its own process, as the CLI and the scheduler do."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

from riskwatch.errors import CrawlError

# Crawls running now, so a daemon asked to stop can ask them to finish (SIGTERM: Scrapy closes
# the spider and commits what it has) before it exits.
_RUNNING: set[subprocess.Popen] = set()
_LOCK = threading.Lock()


def stop_running_crawls(grace: float = 30.0) -> int:
    """Ask every running crawl to finish (SIGTERM), wait up to `grace` s, then kill the rest."""
    with _LOCK:
        procs = list(_RUNNING)
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
    return len(procs)


def crawl_in_subprocess(
    source_names: list[str],
    db_path: str,
    *,
    sources_file: str | None = None,
    config: str | None = None,
    refresh: bool = False,
    since: str | None = None,
    log_level: str = "WARNING",
    timeout: float | None = 30 * 60,
) -> int:
    """Run `python -m spiders.run` and return its exit status (0 ok, 1 a crawl failed).

    Raises:
        CrawlError: bad usage reported by the crawler (unknown source, bad registry or
            database: its one-line message), or the process outlived `timeout` and was killed.
    """
    cmd = [
        sys.executable,
        "-m",
        "spiders.run",
        *source_names,
        "--db",
        str(db_path),
        "--log-level",
        log_level,
    ]
    for flag, value in (("--sources-file", sources_file), ("--config", config)):
        if value:
            cmd += [flag, str(value)]
    if refresh:
        cmd.append("--refresh")
    if since:
        cmd += ["--since", since]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    with _LOCK:
        _RUNNING.add(proc)
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as err:
        proc.kill()
        proc.communicate()
        raise CrawlError(
            f"crawl of {', '.join(source_names) or 'all sources'} killed after {timeout or 0:.0f} s"
        ) from err
    finally:
        with _LOCK:
            _RUNNING.discard(proc)
    if proc.returncode == 2:
        lines = [ln for ln in stderr.splitlines() if ln.startswith("Error: ")]
        raise CrawlError(lines[-1][len("Error: ") :] if lines else stderr.strip()[-300:])
    if proc.returncode not in (0, 1):
        raise CrawlError(
            f"crawler exited with status {proc.returncode}: "
            f"{stderr.strip().splitlines()[-1:] or ''}"
        )
    sys.stderr.write(stderr)
    return proc.returncode
