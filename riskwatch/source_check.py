"""Checking the source registry: offline (what a registry file can get wrong beyond its
syntax) and, on request, live (does each entry point answer, with what, and does it parse)."""

from __future__ import annotations

import re
import socket
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cssselect import GenericTranslator, SelectorError
from parsel import Selector
from w3lib.html import get_base_url

from riskwatch.settings import Settings
from spiders.apis import api_links
from spiders.feeds import UnreadableFeed, feed_links, listing_links, sitemap_links
from spiders.safety import is_internal_host
from spiders.sources import Source, SourceRegistry

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@dataclass(frozen=True)
class Finding:
    source: str
    level: str  # "error" (the entry cannot work), "warning" (it may not), "ok"
    what: str
    entry: str = ""

    def to_dict(self) -> dict:
        return {"source": self.source, "level": self.level, "entry": self.entry, "what": self.what}


def check_registry(registry: SourceRegistry, settings: Settings) -> list[Finding]:
    """What can be known without fetching anything."""
    found: list[Finding] = []
    owners: dict[str, list[str]] = defaultdict(list)
    for source in registry:
        for url in source.entry_urls:
            owners[url].append(source.name)
        found += _check_source(source, settings)
    for url, names in owners.items():
        if len(names) > 1:
            found += [
                Finding(n, "warning", f"entry shared with {', '.join(names)}", url) for n in names
            ]
    return found


def _check_source(source: Source, settings: Settings) -> list[Finding]:
    out = []

    def flag(level: str, what: str) -> None:
        out.append(Finding(source.name, level, what))

    try:
        if source.timezone:
            ZoneInfo(source.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        flag("error", f"unknown timezone {source.timezone!r}")
    if source.listings and not source.article_pattern:
        flag("warning", "listings without article_pattern: every same-site link is fetched")
    for key, selector in source.hints.items():
        try:
            GenericTranslator().css_to_xpath(selector)
        except SelectorError as err:
            flag("error", f"hints.{key}: bad CSS selector ({err})")
    if source.archives and not (source.listings or source.apis):
        flag("error", "archives need listings or apis to read them")
    hosts = [urlsplit(u).hostname or "" for u in source.entry_urls]
    if any(h.endswith("sec.gov") for h in hosts) and not _EMAIL.search(settings.crawler_user_agent):
        flag("warning", "sec.gov refuses crawlers whose user agent has no e-mail: set contact")
    if source.confidence in ("low", "unverified"):
        flag("warning", f"entry points are {source.confidence}-confidence: run --live")
    if not out:
        out.append(Finding(source.name, "ok", f"{len(source.entry_urls)} entry point(s)"))
    return out


def check_live(source: Source, settings: Settings, client) -> list[Finding]:
    """Fetch each entry point as the crawler would and say what came back."""
    readers = {
        **dict.fromkeys(source.feeds, lambda b, u: feed_links(b, u)),
        **dict.fromkeys(source.sitemaps, lambda b, u: sum(sitemap_links(b, u), [])),
        **dict.fromkeys(source.apis, lambda b, u: api_links(
            b, u, url_key=source.api_url_key, date_key=source.api_date_key,
            link_template=source.api_link_template, tz=source.timezone)),
    }  # fmt: skip
    out = []
    for url in source.entry_urls:
        if not source.local and _internal(urlsplit(url).hostname):
            out.append(Finding(source.name, "error", "internal address refused", url))
            continue
        if settings.obey_robots and not _robots_allow(client, url, settings.crawler_user_agent):
            out.append(Finding(source.name, "error", "robots.txt disallows it", url))
            continue
        try:
            response = client.get(url, headers=dict(source.headers))
        except Exception as err:  # noqa: BLE001 - any network failure is a finding
            out.append(Finding(source.name, "error", f"{type(err).__name__}: {err}"[:200], url))
            continue
        kind = response.headers.get("content-type", "?").split(";")[0]
        if response.status_code >= 400:
            out.append(Finding(source.name, "error", f"HTTP {response.status_code} ({kind})", url))
            continue
        if url in source.listings:
            pattern = re.compile(source.article_pattern) if source.article_pattern else None
            base = get_base_url(response.text, str(response.url))
            links = len(listing_links(Selector(text=response.text), base, source.domains, pattern))
            level = "ok" if links else "error"
            out.append(
                Finding(source.name, level, f"HTTP 200 ({kind}), {links} article links", url)
            )
            continue
        try:
            links = readers[url](response.content, str(response.url))
        except UnreadableFeed as err:
            out.append(Finding(source.name, "error", f"HTTP 200 ({kind}) but {err}", url))
            continue
        level = "ok" if links else "warning"
        out.append(Finding(source.name, level, f"HTTP 200 ({kind}), {len(links)} links", url))
    return out


def _internal(host: str | None) -> bool:
    """The host is, or resolves to, this machine or a private network (as the crawl refuses)."""
    if is_internal_host(host):
        return True
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False  # unresolvable: the fetch reports it
    return any(is_internal_host(address) for address in addresses)


def _robots_allow(client, url: str, agent: str) -> bool:
    parts = urlsplit(url)
    robots = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        response = client.get(robots)
    except Exception:  # noqa: BLE001 - no robots.txt reachable: allowed, as crawlers treat it
        return True
    if response.status_code >= 400:
        return True
    parser = RobotFileParser()
    parser.parse(response.text.splitlines())
    return parser.can_fetch(agent, url)
