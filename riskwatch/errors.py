"""The error family users can cause; the CLI turns each into one line and exit 1."""


class RiskwatchError(Exception):
    """Base of every error a user can cause and fix."""


class ConfigError(RiskwatchError):
    """A settings or registry file has a bad key or value."""


class UnknownSourceError(RiskwatchError):
    """A source name that is not in the registry."""


class UnknownModelError(RiskwatchError):
    """A --model that names no classifier, directory or installed model."""


class InputError(RiskwatchError):
    """Malformed input given to a command (a JSONL line, a date)."""


class StoreError(RiskwatchError):
    """The database cannot be opened or written (corrupt, locked, unwritable)."""


class CrawlError(RiskwatchError):
    """A crawl process failed as a whole."""


class ModelError(RiskwatchError):
    """The default model cannot be built or loaded (package missing, conversion check failed)."""
