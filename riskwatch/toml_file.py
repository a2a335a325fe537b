"""Reading a TOML file a user edits (settings, sources, registries, watchlists)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from riskwatch.errors import ConfigError


def read_toml(path: str | Path) -> dict:
    """The file's data; a missing, unreadable or invalid file is a one-line ConfigError."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from err
