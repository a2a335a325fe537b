"""Small shared pieces of the benchmarks: locating shared/ data, timing, peak memory."""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """../shared beside the checkout (override with RISKWATCH_SHARED)."""
    path = Path(os.environ.get("RISKWATCH_SHARED", ROOT.parent / "shared"))
    if not path.is_dir():
        sys.exit(f"error: {path} not found; set RISKWATCH_SHARED to the shared/ folder")
    return path


class Timer:
    """Context manager measuring wall seconds."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its waited-for children), in MB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024
