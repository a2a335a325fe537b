"""Refuses requests to loopback, private and link-local addresses unless a source is local."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError


def is_internal_host(host: str | None) -> bool:
    """Whether `host` names this machine or a private network (by literal address or name)."""
    if not host:
        return True
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


class InternalAddressGuard:
    """Downloader middleware: a public source must not lead into the machine or the LAN.

    Redirects pass through downloader middlewares again, so a redirect to 127.0.0.1 is
    refused too.
    """

    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = spider or getattr(self.crawler, "spider", None)
        source = getattr(spider, "source", None)
        if source is not None and source.local:
            return None
        if is_internal_host(urlsplit(request.url).hostname):
            raise IgnoreRequest(f"refused internal address {request.url}")
        return None


class PublicOnlyResolver(CachingThreadedResolver):
    """DNS for crawls of public sources: a name that resolves to this machine or the LAN
    (a rebinding trick, or a stale record) is refused like a literal internal address."""

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 - Twisted's interface
        return super().getHostByName(name, timeout).addCallback(refuse_internal, name)


# Names refused this crawl, with why: the downloader reports only "DNS lookup failed".
REFUSED_NAMES: dict[str, str] = {}


def refuse_internal(address: str, name: str) -> str:
    """`address` if it is public (or `name` was itself a literal address, which the
    downloader middleware judges per source); a failed lookup otherwise."""
    if is_internal_host(address) and not _literal(name):
        REFUSED_NAMES[name.lower()] = f"refused {name}: it resolves to internal address {address}"
        raise DNSLookupError(REFUSED_NAMES[name.lower()])
    return address


def _literal(name: str) -> bool:
    host = name.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
