"""Settings: safe defaults < riskwatch.toml < RISKWATCH_* environment < command-line flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from riskwatch.errors import ConfigError
from riskwatch.toml_file import read_toml

CONFIG_FILE = "riskwatch.toml"


@dataclass(frozen=True)
class Settings:
    """Everything a run needs, resolved once and passed down."""

    db: str = "riskwatch.db"
    model: str = "default"  # the e5 head; "rules" without torch
    sources_file: str | None = None  # a user registry that adds to or overrides the shipped one
    shipped_sources: bool = True  # false: only the sources of sources_file
    companies_file: str | None = None  # firms added to (or extending) the shipped registry
    event_embeddings: bool = True  # cluster events with the multilingual model when present
    user_agent: str = "riskwatch/0.1 (+https://github.com/riskwatch/riskwatch)"
    contact: str | None = (
        None  # your e-mail, added to the user agent (SEC refuses crawlers without)
    )
    crawl_timeout: int = 30 * 60  # seconds before a crawl process is killed
    download_timeout: int = 30
    max_response_mb: int = 10
    concurrent_per_domain: int = 2
    obey_robots: bool = True
    retry_after_max_s: int = 120  # a longer Retry-After skips the entry until then instead
    backfill_max_pages: int = 200  # numbered or "next" pages one `crawl --since` walks at most
    health_runs: int = 3  # `status` flags a source failing or empty this many runs in a row
    blocked_give_up_days: int = 7  # the daemon stops crawling a source blocked (403) this long
    batch_size: int = 32
    lock_wait_ms: int = 10_000  # how long a writer waits for another writer's lock
    log_level: str = "INFO"
    # the daemon (`riskwatch run`)
    watchlists_file: str | None = None  # default ./watchlists.toml when it exists
    alert_lookback_hours: float = 72.0  # alert on events first seen this recently (0: any)
    tag_interval_s: int = 300  # tag and group new articles this often
    alert_interval_s: int = 60  # queue and send alerts this often
    interval_unit_s: int = 60  # seconds in one unit of a source's `interval` (minutes)
    stop_grace_s: int = 30  # on SIGTERM, how long running crawls get to finish
    digest_hour_utc: int = 7  # when the daily digests are written
    digest_dir: str = "digests"
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def crawler_user_agent(self) -> str:
        """The user agent sent: `user_agent` with the contact address when one is set."""
        if not self.contact or self.contact in self.user_agent:
            return self.user_agent
        if self.user_agent.endswith(")"):
            return f"{self.user_agent[:-1]}; {self.contact})"
        return f"{self.user_agent} ({self.contact})"


_TYPES = {f.name: f.type for f in fields(Settings) if f.name != "extra"}


def load_settings(config: str | Path | None = None, env: dict | None = None, **flags) -> Settings:
    """Resolve settings from the layers; flags that are None do not override.

    Raises:
        ConfigError: the file is unreadable or names an unknown key or a bad value.
    """
    settings = Settings()
    path = Path(config) if config else Path(CONFIG_FILE)
    if config or path.exists():
        settings = replace(settings, **_from_file(path))
    settings = replace(settings, **_from_env(os.environ if env is None else env))
    return replace(settings, **{k: v for k, v in flags.items() if v is not None})


def _from_file(path: Path) -> dict:
    data = read_toml(path)
    section = data.get("riskwatch", data)
    return {
        key: _coerce(f"{path}: {key}", key, value)
        for key, value in section.items()
        if key != "sources"
    }


def _from_env(env: dict) -> dict:
    prefix = "RISKWATCH_"
    return {
        key[len(prefix) :].lower(): _coerce(key, key[len(prefix) :].lower(), value)
        for key, value in env.items()
        if key.startswith(prefix) and key[len(prefix) :].lower() in _TYPES
    }


def _coerce(where: str, key: str, value):
    if key not in _TYPES:
        raise ConfigError(f"{where}: unknown setting (known: {', '.join(sorted(_TYPES))})")
    kind = _TYPES[key]
    try:
        if "bool" in kind and isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        if "int" in kind:
            return int(value)
        if "float" in kind:
            return float(value)
        if "bool" in kind:
            return bool(value)
        return value if value is None else str(value)
    except ValueError as err:
        raise ConfigError(f"{where}: {value!r} is not a valid {kind}") from err
