"""The source registry: sources are data, shipped in sources.toml and extended by a user file."""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field, fields
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from riskwatch.errors import ConfigError, UnknownSourceError
from riskwatch.toml_file import read_toml
from spiders.urls import registrable_domain

KINDS = ("portal", "trade_press", "regulator", "exchange", "demo")
CONFIDENCE = ("live", "high", "med", "low", "unverified")
HINT_KEYS = ("title", "body", "date", "remove")
LANGS = ("en", "zh", "fr", "de", "es", "ja", "ko", "it", "pt", "nl")
_LANG_MISTAKES = {
    "cn": "zh",
    "zh-cn": "zh",
    "chs": "zh",
    "jp": "ja",
    "kr": "ko",
    "gr": "de",
    "eng": "en",
    "fra": "fr",
    "fre": "fr",
    "ger": "de",
    "sp": "es",
}


@dataclass(frozen=True)
class Source:
    """One place articles come from, and how to find them there."""

    name: str
    lang: str
    kind: str = "trade_press"
    feeds: tuple[str, ...] = ()  # RSS/Atom URLs
    sitemaps: tuple[str, ...] = ()  # (news) sitemaps or sitemap indexes
    listings: tuple[str, ...] = ()  # HTML pages that link to articles
    apis: tuple[str, ...] = ()  # JSON or JSONP list endpoints (163.com, Sina roll)
    api_url_key: str | None = None  # the item key holding the article URL (default: usual ones)
    api_date_key: str | None = None  # the item key holding its date
    api_link_template: str | None = None  # build the URL from item keys ("/c{manuscriptId}/...")
    archives: tuple[str, ...] = ()  # numbered older pages for backfill: "...list_{page}.html"
    archive_start: int = 2  # the number of the first archive page (page 1 is often the entry)
    headers: dict = field(default_factory=dict)  # sent with every request (e.g. a Referer)
    hints: dict = field(default_factory=dict)  # CSS for title/body/date where generic fails
    article_pattern: str | None = None  # regex an article URL on a listing page matches
    allowed_domains: tuple[str, ...] = ()  # beyond the hosts of the entry URLs
    interval: int = 60  # minutes between crawls
    timezone: str | None = None  # for dates a page gives without one
    local: bool = False  # may fetch loopback and private addresses (demo and tests only)
    homepage: str = ""
    confidence: str = "unverified"  # how sure the entry points are: high, med, low, unverified
    notes: str = ""  # what was verified about the entry points, and how

    @property
    def entry_urls(self) -> tuple[str, ...]:
        return self.feeds + self.sitemaps + self.listings + self.apis

    @property
    def domains(self) -> list[str]:
        """The site's own domains (of its entry URLs: www.x.com gives x.com) and declared ones."""
        hosts = {registrable_domain(urlsplit(u).hostname) for u in self.entry_urls}
        return sorted(h.lower() for h in hosts | set(self.allowed_domains) if h)

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def __hash__(self) -> int:
        return hash(self.name)


_FIELDS = {f.name: f for f in fields(Source)}
_DEFAULT_TZ = {
    "zh": "Asia/Shanghai",
    "fr": "Europe/Paris",
    "de": "Europe/Berlin",
    "ja": "Asia/Tokyo",
    "ko": "Asia/Seoul",
    "es": "Europe/Madrid",
}


@dataclass
class SourceRegistry:
    """Sources by name, in registry order."""

    sources: dict[str, Source] = field(default_factory=dict)

    def get(self, name: str) -> Source:
        try:
            return self.sources[name]
        except KeyError:
            near = difflib.get_close_matches(name, self.sources, n=3)
            hint = f" (did you mean {', '.join(near)}?)" if near else " (see: riskwatch sources)"
            raise UnknownSourceError(f"unknown source {name!r}{hint}") from None

    def select(self, names: list[str] | tuple[str, ...]) -> list[Source]:
        return [self.get(n) for n in names] if names else list(self.sources.values())

    def __iter__(self):
        return iter(self.sources.values())

    def __len__(self) -> int:
        return len(self.sources)


def shipped_registry_path() -> Path:
    return Path(str(files("spiders").joinpath("sources.toml")))


def load_registry(user_file: str | Path | None = None, *, shipped: bool = True) -> SourceRegistry:
    """The shipped registry, then `user_file` entries added or merged key by key over it.

    Raises:
        ConfigError: a file is unreadable or an entry has an unknown key or a bad value.
    """
    raw: dict[str, dict] = {}
    paths = ([shipped_registry_path()] if shipped else []) + (
        [Path(user_file)] if user_file else []
    )
    for path in paths:
        for entry in _read_entries(path):
            raw[entry["name"]] = {**raw.get(entry["name"], {}), **entry}
    return SourceRegistry({name: _build(entry, name) for name, entry in raw.items()})


def _read_entries(path: Path) -> list[dict]:
    data = read_toml(path)
    extra = set(data) - {"source"}
    if extra:
        raise ConfigError(
            f"{path}: unknown top-level key {sorted(extra)[0]!r} (entries go in [[source]])"
        )
    entries = data.get("source", [])
    for i, entry in enumerate(entries):
        where = f"{path}: source[{i}]"
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise ConfigError(f"{where}: missing 'name'")
        _check_keys(f"{where} ({entry['name']})", entry)
    return entries


def _check_keys(where: str, entry: dict) -> None:
    for key in entry:
        if key not in _FIELDS:
            near = difflib.get_close_matches(key, _FIELDS, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")


def _build(entry: dict, name: str) -> Source:
    where = f"source {name!r}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", name):
        raise ConfigError(f"{where}: name must be lower-case letters, digits, '-', '_' or '.'")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}
    _check_lang(where, values.get("lang"))
    if values.get("kind", "trade_press") not in KINDS:
        raise ConfigError(f"{where}: kind: {values['kind']!r} is not one of {', '.join(KINDS)}")
    for key in ("feeds", "sitemaps", "listings", "apis", "archives", "allowed_domains"):
        if not isinstance(values.get(key, ()), tuple):
            raise ConfigError(f"{where}: {key}: expected a list of strings")
    _check_tables(where, values)
    if values.get("confidence", "unverified") not in CONFIDENCE:
        raise ConfigError(f"{where}: confidence: one of {', '.join(CONFIDENCE)}")
    for template in values.get("archives", ()):
        try:
            if template.format(page=2) == template:
                raise ValueError
        except (ValueError, KeyError, IndexError):
            raise ConfigError(
                f"{where}: archives: {template!r} needs one {{page}} placeholder and no other"
            ) from None
    _check_urls(where, values)
    if values.get("article_pattern"):
        try:
            re.compile(values["article_pattern"])
        except re.error as err:
            raise ConfigError(f"{where}: article_pattern: not a valid regex ({err})") from err
    if not isinstance(values.get("interval", 60), int) or values.get("interval", 60) < 1:
        raise ConfigError(f"{where}: interval: minutes between crawls, a whole number >= 1")
    values.setdefault("timezone", _DEFAULT_TZ.get(values["lang"]))
    return Source(**values)


def _check_tables(where: str, values: dict) -> None:
    for key in ("headers", "hints"):
        table = values.get(key, {})
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise ConfigError(f"{where}: {key}: expected a table of strings")
    for key in values.get("hints", {}):
        if key not in HINT_KEYS:
            raise ConfigError(f"{where}: hints: {key!r} is not one of {', '.join(HINT_KEYS)}")


def _check_lang(where: str, lang) -> None:
    if lang in LANGS:
        return
    if not isinstance(lang, str):
        raise ConfigError(f"{where}: missing 'lang' (one of {', '.join(LANGS)})")
    guess = _LANG_MISTAKES.get(lang.lower()) or next(
        iter(difflib.get_close_matches(lang, LANGS, 1)), None
    )
    hint = f" (did you mean {guess!r}?)" if guess else ""
    raise ConfigError(f"{where}: lang: {lang!r} is not a language code{hint}")


def _check_urls(where: str, values: dict) -> None:
    urls = [u for key in ("feeds", "sitemaps", "listings", "apis") for u in values.get(key, ())]
    if not urls:
        raise ConfigError(f"{where}: needs at least one of feeds, sitemaps, listings or apis")
    for url in urls:
        if urlsplit(str(url)).scheme not in ("http", "https"):
            raise ConfigError(f"{where}: {url!r} is not an http(s) URL")
