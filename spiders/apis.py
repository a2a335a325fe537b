"""Reading JSON and JSONP list APIs into article links, without network.

Chinese portals list news through script endpoints rather than feeds: 163.com's
`tech_datalist.js` answers `data_callback([...])` in GBK with a trailing comma before the
closing bracket; Sina's roll API answers `{"result": {"data": [...]}}`. Whatever the wrapper,
the links are the objects of the first list that carry a URL, under a configurable key or the
usual ones; their date is read from the usual keys too (epoch seconds, ISO or
"%m/%d/%Y %H:%M:%S" in the source's time zone).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import urljoin

from spiders.charset import decode_html
from spiders.dates import parse_datetime, to_utc_iso
from spiders.feeds import Link, UnreadableFeed

URL_KEYS = ("docurl", "url", "link", "href", "wapurl", "articleUrl", "share_url")
DATE_KEYS = ("time", "ctime", "pubDate", "publishTime", "publish_time", "date", "intime",
             "mtime", "published")  # fmt: skip
_CALLBACK = re.compile(r"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.S)
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


def api_links(
    body: bytes,
    api_url: str,
    *,
    url_key: str | None = None,
    date_key: str | None = None,
    link_template: str | None = None,
    tz: str | None = None,
) -> list[Link]:
    """Article links of a JSON or JSONP list.

    `link_template` builds the URL from item keys where items carry ids, not links (CSRC:
    "http://www.csrc.gov.cn/csrc/{channelCodeName}/c{manuscriptId}/content.shtml").

    Raises:
        UnreadableFeed: not JSON (after unwrapping a callback), or no list of linked items.
    """
    text, _ = decode_html(body)
    match = _CALLBACK.match(text)
    payload = match.group(1) if match else text.strip()
    try:
        data = json.loads(payload)
    except json.JSONDecodeError:
        try:  # 163.com ends its lists with ",\n]": repair that one thing
            data = json.loads(_TRAILING_COMMA.sub(r"\1", payload))
        except json.JSONDecodeError as err:
            if "<html" in text[:1024].lower():
                raise UnreadableFeed("unreadable API: the server sent an HTML page") from err
            raise UnreadableFeed(f"unreadable API: not JSON ({err.msg})") from err
    items = _first_linked_list(data, url_key, link_template)
    if items is None:
        raise UnreadableFeed("unreadable API: no list of items with links")
    links = []
    for item in items:
        href = _url_of(item, url_key, link_template)
        if href:
            links.append(Link(urljoin(api_url, href.strip()), _date_of(item, date_key, tz)))
    return links


def _first_linked_list(data, url_key: str | None, template: str | None, depth: int = 0):
    """The first list (depth first) whose dict items carry a URL."""
    if depth > 6:
        return None
    if isinstance(data, list):
        if any(isinstance(x, dict) and _url_of(x, url_key, template) for x in data):
            return [x for x in data if isinstance(x, dict)]
        children = data
    elif isinstance(data, dict):
        children = data.values()
    else:
        return None
    for child in children:
        found = _first_linked_list(child, url_key, template, depth + 1)
        if found is not None:
            return found
    return None


def _url_of(item: dict, url_key: str | None, template: str | None = None) -> str | None:
    if template:
        try:
            return template.format_map({k: v for k, v in item.items() if v not in (None, "")})
        except (KeyError, ValueError, IndexError):
            return None
    for key in (url_key,) if url_key else URL_KEYS:
        value = item.get(key)
        if isinstance(value, str) and value.strip().startswith(("http://", "https://", "/")):
            return value
    return None


def _date_of(item: dict, date_key: str | None, tz: str | None) -> str | None:
    for key in (date_key,) if date_key else DATE_KEYS:
        value = item.get(key)
        if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
            seconds = float(value) / (1000 if float(value) > 1e11 else 1)  # ms or s
            return to_utc_iso(datetime.fromtimestamp(seconds, UTC))
        if isinstance(value, str) and value.strip():
            us = _US_DATE.match(value.strip())
            if us:
                month, day, year, hour, minute, second = us.groups()
                naive = datetime(int(year), int(month), int(day), int(hour), int(minute),
                                 int(second or 0))  # fmt: skip
                return to_utc_iso(naive, tz)
            parsed = parse_datetime(value)
            if parsed:
                return to_utc_iso(parsed, tz)
    return None
