"""Decoding page bytes the way a careful browser would, including undeclared GBK and Big5."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
# Superset codecs: pages labelled gb2312 routinely use GBK characters, big5 pages HKSCS ones.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "iso8859_1": "cp1252",  # WHATWG: iso-8859-1 and ascii labels mean windows-1252
    "ascii": "cp1252",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_WESTERN = {"cp1252", "utf_8"}
# What undeclared pages on the sources we crawl are written in, in order of likelihood.
_SNIFF_CANDIDATES = ["gb18030", "big5hkscs", "cp1252", "cp932", "euc_jp", "cp949", "utf_16"]


def normalise_encoding(label: str | None) -> str | None:
    """The codec for a declared charset label, widened to its superset; None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("'\"")).name.replace("-", "_")
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def declared_meta_charset(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag within its first 4 KB."""
    match = _META_CHARSET.search(data[:4096])
    return normalise_encoding(match.group(1).decode("ascii", "ignore")) if match else None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns (text, codec used).

    Order: BOM; then the declarations (HTTP header, then <meta>), each only if the bytes
    really decode with it — except that a Western single-byte label never overrides a
    different <meta> label or bytes that are valid UTF-8, because servers send
    iso-8859-1 by default; then valid UTF-8; then statistical sniffing.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf_8"),
        (codecs.BOM_UTF16_LE, "utf_16"),
        (codecs.BOM_UTF16_BE, "utf_16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace").lstrip("\ufeff"), codec
    declared = [c for c in (normalise_encoding(http_charset), declared_meta_charset(data)) if c]
    for codec in dict.fromkeys(declared):
        if codec == "cp1252" and (len(set(declared)) > 1 or _is_utf8(data) or _looks_cjk(data)):
            continue
        text = _strict(data, codec)
        if text is not None:
            return text, codec
    if _is_utf8(data):
        return data.decode("utf-8"), "utf_8"
    codec = _sniff_codec(data)
    return data.decode(codec, errors="replace"), codec


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_utf8(data: bytes) -> bool:
    return _strict(data, "utf-8") is not None


def _looks_cjk(data: bytes) -> bool:
    """A page labelled Western whose bytes a sniffer reads as CJK (a server's default label)."""
    return sum(b > 0x7F for b in data) > 32 and _sniff_codec(data) not in _WESTERN


# cached: a page served as iso-8859-1 whose bytes are GBK is sniffed by _looks_cjk and
# then again as the fallback; charset detection is the costly step
@lru_cache(maxsize=4)
def _sniff_codec(data: bytes) -> str:
    best = from_bytes(data, cp_isolation=_SNIFF_CANDIDATES).best()
    codec = normalise_encoding(best.encoding) if best else None
    if codec is None:
        codec = "gb18030" if _strict(data, "gb18030") is not None else "cp1252"
    return codec
