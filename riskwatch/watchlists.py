"""Watchlists: who should hear about which events, and through which channels (a TOML file).

    [[watchlist]]
    name = "alibaba-ir"
    companies = ["alibaba", "Tencent", "9988.HK"]   # ids, names or tickers; units included
    types = ["regulatory_fine", "data_breach"]       # default: every type
    min_score = 0.5
    languages = []                                   # default: any
    channels = ["log", "ir-webhook", "ir-mail"]

    [channels.ir-webhook]
    kind = "webhook"
    url = "https://hooks.example.com/riskwatch"
    secret_env = "RISKWATCH_WEBHOOK_SECRET"          # or secret = "..."

    [channels.ir-mail]
    kind = "email"
    to = ["ir@example.com"]
    smtp_host = "smtp.example.com"
    smtp_port = 587
    sender = "riskwatch@example.com"
    starttls = true
    user_env = "RISKWATCH_SMTP_USER"
    password_env = "RISKWATCH_SMTP_PASSWORD"
    language = "en"                                  # the readers' language (translation hint)

`log` (one line per alert in the daemon's log) needs no definition. A company the registry
does not know is an error that names it, with the nearest names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from nlp.entities.registry import Registry
from riskwatch.errors import ConfigError
from riskwatch.toml_file import read_toml

CHANNEL_KINDS = {"webhook", "email", "log"}
_WATCHLIST_KEYS = {"name", "companies", "types", "min_score", "languages", "channels"}


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str
    options: dict = field(default_factory=dict, compare=False)

    def secret(self, key: str) -> str | None:
        """A setting given directly or through an environment variable (`key_env`)."""
        if self.options.get(key) is not None:
            return str(self.options[key])
        env = self.options.get(f"{key}_env")
        return os.environ.get(env) if env else None


@dataclass(frozen=True)
class Watchlist:
    name: str
    companies: frozenset[str]  # registry ids with every unit below them
    types: frozenset[str]  # empty: every type
    min_score: float
    languages: frozenset[str]  # empty: any
    channels: tuple[Channel, ...]


def load_watchlists(path: str | Path, companies: Registry) -> list[Watchlist]:
    """Read and check a watchlists file.

    Raises:
        ConfigError: unreadable file, unknown key, unknown company or channel (named).
    """
    path = Path(path)
    data = read_toml(path)
    channels = {"log": Channel("log", "log")}
    for name, options in data.get("channels", {}).items():
        kind = options.get("kind") if isinstance(options, dict) else None
        if kind not in CHANNEL_KINDS:
            raise ConfigError(f"{path}: channels.{name}.kind must be one of webhook, email, log")
        if kind == "webhook" and not str(options.get("url", "")).startswith(
            ("http://", "https://")
        ):
            raise ConfigError(f"{path}: channels.{name}.url must be an http(s) address")
        if kind == "email" and not (options.get("to") and options.get("smtp_host")):
            raise ConfigError(f"{path}: channels.{name} needs `to` and `smtp_host`")
        channels[name] = Channel(name, kind, dict(options))
    watchlists = []
    for i, entry in enumerate(data.get("watchlist", [])):
        where = f"{path}: watchlist[{i}]"
        unknown = set(entry) - _WATCHLIST_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        if not entry.get("name"):
            raise ConfigError(f"{where}: needs a name")
        firms = set()
        for query in entry.get("companies", []):
            firm = companies.resolve(str(query))
            if firm is None:
                hint = companies.did_you_mean(str(query))
                raise ConfigError(f"{where}: unknown company {query!r}{hint}")
            firms |= companies.members(firm)
        names = entry.get("channels", ["log"])
        missing = [n for n in names if n not in channels]
        if missing:
            raise ConfigError(
                f"{where}: unknown channel {missing[0]!r} (define [channels.{missing[0]}])"
            )
        watchlists.append(
            Watchlist(
                name=str(entry["name"]),
                companies=frozenset(firms),
                types=frozenset(entry.get("types", [])),
                min_score=float(entry.get("min_score", 0.0)),
                languages=frozenset(entry.get("languages", [])),
                channels=tuple(channels[n] for n in names),
            )
        )
    if len({w.name for w in watchlists}) != len(watchlists):
        raise ConfigError(f"{path}: two watchlists share a name")
    return watchlists
