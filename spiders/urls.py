"""Canonical URLs and the keys derived from them, so one page is one row however it was linked."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import tldextract
from w3lib.url import canonicalize_url, url_query_cleaner

# The public-suffix list shipped inside tldextract: never fetched at run time.
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

# Query parameters that only say where a click came from.
TRACKING_PARAMS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "utm_id",
    "fbclid",
    "gclid",
    "mc_cid",
    "mc_eid",
    "spm",
    "from",
    "ref",
    "share_token",
    "xtor",
)


def canonical_url(url: str) -> str:
    """Lower-cased scheme and host, no fragment, no tracking parameters, sorted query."""
    cleaned = url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=False)
    return canonicalize_url(cleaned)


def url_key(url: str, local_source: str | None = None) -> str:
    """The stable id of a page: a hash of its canonical URL.

    A local source (the demo, the tests) is served on a new port each run, so its pages are
    keyed by source name and path instead of host and port.
    """
    canonical = canonical_url(url)
    if local_source:
        parts = urlsplit(canonical)
        canonical = f"local://{local_source}{parts.path}" + (
            f"?{parts.query}" if parts.query else ""
        )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def same_site(url: str, domains: list[str] | tuple[str, ...]) -> bool:
    """Whether `url`'s host is one of `domains` or a subdomain of one."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def registrable_domain(host: str | None) -> str | None:
    """The domain a host belongs to (news.sina.com.cn gives sina.com.cn); IPs and bare names as
    they are."""
    if not host:
        return None
    parts = _SUFFIXES(host.lower())
    return parts.top_domain_under_public_suffix or host.lower()
