"""Starting a crawl in its own process, as the CLI and the scheduler do."""

from __future__ import annotations

import subprocess
import sys

from riskwatch.errors import CrawlError


def crawl_in_subprocess(
    source_names: list[str],
    db_path: str,
    *,
    sources_file: str | None = None,
    config: str | None = None,
    refresh: bool = False,
    log_level: str = "WARNING",
    timeout: float = 30 * 60,
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
    try:
        proc = subprocess.run(cmd, timeout=timeout, stderr=subprocess.PIPE, text=True)
    except subprocess.TimeoutExpired as err:
        raise CrawlError(
            f"crawl of {', '.join(source_names) or 'all sources'} killed after {timeout:.0f} s"
        ) from err
    if proc.returncode == 2:
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("Error: ")]
        raise CrawlError(lines[-1][len("Error: ") :] if lines else proc.stderr.strip()[-300:])
    if proc.returncode not in (0, 1):
        raise CrawlError(
            f"crawler exited with status {proc.returncode}: "
            f"{proc.stderr.strip().splitlines()[-1:] or ''}"
        )
    sys.stderr.write(proc.stderr)
    return proc.returncode
