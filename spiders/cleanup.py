"""Boilerplate trafilatura leaves in a body, removed without touching the article's prose:

- before extraction, page blocks whose class or id names them as boilerplate ("read also"
  boxes, paywalls, newsletter and share boxes, press contacts, QR codes, copyright lines),
  unless the block holds most of the page's text;
- after it, "read also" lines anywhere, the headline repeated, a date/source line at the top,
  and editor, disclaimer, paywall, copyright, subscription and contact lines at the end.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

# Class or id fragments of blocks that are never the article (lower-cased).
_BLOCK_MARKS = ("catcher", "read-also", "readalso", "lire-aussi", "paywall", "newsletter",
                "subscri", "copyright", "contacts", "appendqr", "qrcode", "share-bar",
                "sharebar", "social-share", "related-articles", "related_articles",
                "relatedposts", "article-editor", "disclaimer", "inline-cta", "cta__")  # fmt: skip


@lru_cache(maxsize=256)
def _blocks_xpath(marks: tuple[str, ...]) -> etree.XPath:
    # class names are lower-case almost everywhere; a case-folding XPath costs 30 ms a page
    test = " or ".join(f"contains(@class, '{m}') or contains(@id, '{m}')" for m in marks)
    return etree.XPath(f"//body//*[{test}]")


MAX_BLOCK_SHARE = 0.3  # a "boilerplate" block with more of the page's text is the article
MAX_BLOCK_CHARS = 800  # ... and so is one longer than a box of links or a notice

_LEADING = re.compile(
    r"^\s*(?:\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}日?\s*\d{1,2}:\d{2}(?::\d{2})?"
    r"|(?:来源|來源|发布时间|發佈時間|时间)\s*[:：]|分享|收藏|字号|字體)[^。！？.!?]{0,60}$"
)
_TRAILING = re.compile(
    r"^\s*(?:[(（]?责编|[(（]?責編|责任编辑|責任編輯|编辑|編輯|图片编辑|校对|分享让更多人看到|分享到|分享至|本文来源|原标题|Share this|Partager"
    r"|[\d,]+\s*人参与|[\d,]+\s*條評論|[\d,]+\s*条评论|Tags?\s*:|评论\s*\(\d+\)|登录后参与评论"
    r"|新浪声明|免责声明|声明\s*[:：]|.{0,20}未经授权不得转载|.{0,12}报料|扫描二维码|.{0,12}公众号"
    r"|关注.{0,20}(?:微信|公众号)|Copyright|©|\(c\)\s*\d{4}|Tous droits réservés|All rights reserved"
    r"|Il vous reste|La suite est réservée|Cet article est réservé|Je m.abonne|Déjà abonné"
    r"|S.abonner|Subscribe|Sign up|Newsletter|Press contacts?\s*:|Contacts? presse|General public inquiries"
    r"|-\s+[A-Z][\w.-]+ [A-Z]{2,}[A-Z -]*\s+Phone).{0,160}$",
    re.IGNORECASE,
)
_READ_ALSO = re.compile(
    r"^\s*(?:À lire aussi|A lire aussi|Lire aussi|Lire également|Read also|Read more|See also"
    r"|Related\s*:|相关阅读|延伸阅读|推荐阅读|相关新闻)\s*[:：]?",
    re.IGNORECASE,
)


# The header table of Chinese government documents (索引号, 发文日期...), as trafilatura
# renders tables: rows of "| key： | value |", and the "|---|" line under the first.
_GOV_META_ROW = re.compile(
    r"^\|\s*(?:索引号|索 引 号|发文日期|发布机构|发文机关|成文日期|文号|主题词|主题分类|分类|名称)\s*[:：]"
)
_TABLE_RULE = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+\s*$")


def boilerplate_blocks(tree: HtmlElement, page: str) -> list[str]:
    """The text (whitespace-normalised) of each boilerplate block of `tree`, parsed from `page`.

    The blocks are left in place: trafilatura reads the page as it is, and body lines found in
    these texts are dropped afterwards (cheaper than re-serialising the page, same result).
    """
    marks = tuple(m for m in _BLOCK_MARKS if m in page)  # a substring scan is ~free
    if not marks:
        return []
    found = _blocks_xpath(marks)(tree)
    if not found:
        return []
    total = len(tree.text_content()) or 1
    texts = []
    for element in found:
        text = " ".join(element.text_content().split())
        if text and len(text) <= MAX_BLOCK_CHARS and len(text) <= MAX_BLOCK_SHARE * total:
            texts.append(text)
    return texts


MIN_BLOCK_LINE = 8  # shorter lines ("Share", "2021") may well be the article's own


def trim_body(text: str, title: str | None, blocks: list[str] = ()) -> str:
    """The body without lines of boilerplate `blocks`, "read also" lines, the repeated
    headline and edge boilerplate."""
    lines = [line for line in text.split("\n") if not _READ_ALSO.match(line)]
    if blocks:
        lines = [ln for ln in lines if not _in_blocks(ln, blocks)]
    if any(_GOV_META_ROW.match(line) for line in lines):
        lines = [ln for ln in lines if not (_GOV_META_ROW.match(ln) or _TABLE_RULE.match(ln))]
    while lines and (_same(lines[0], title) or _LEADING.match(lines[0])):
        lines.pop(0)
    while lines and (not lines[-1].strip() or _TRAILING.match(lines[-1])):
        lines.pop()
    return "\n".join(lines).strip()


def _in_blocks(line: str, blocks: list[str]) -> bool:
    line = " ".join(line.lstrip("-*# ").split())
    return len(line) >= MIN_BLOCK_LINE and any(line in block for block in blocks)


def _same(line: str, title: str | None) -> bool:
    return bool(title) and re.sub(r"\s+", "", line) == re.sub(r"\s+", "", title)
