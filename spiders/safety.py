"""Refuses requests to loopback, private and link-local addresses unless a source is local."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest


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
