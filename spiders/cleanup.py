"""Line-level boilerplate trafilatura leaves at the edges of a body: the headline repeated,
a date/source line, editor and share lines. Only edge lines are touched, never the middle."""

from __future__ import annotations

import re

_LEADING = re.compile(
    r"^\s*(?:\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}日?\s*\d{1,2}:\d{2}(?::\d{2})?"
    r"|(?:来源|來源|发布时间|發佈時間|时间)\s*[:：])[^。！？.!?]{0,60}$"
)
_TRAILING = re.compile(
    r"^\s*(?:责任编辑|責任編輯|编辑|編輯|图片编辑|分享到|分享至|本文来源|原标题|Share this|Partager"
    r"|[\d,]+\s*人参与|[\d,]+\s*條評論|[\d,]+\s*条评论|Tags?\s*:)[^。！？.!?]{0,80}$",
    re.IGNORECASE,
)


def trim_body(text: str, title: str | None) -> str:
    """The body without the repeated headline and edge boilerplate lines."""
    lines = [line for line in text.split("\n")]
    while lines and (_same(lines[0], title) or _LEADING.match(lines[0])):
        lines.pop(0)
    while lines and _TRAILING.match(lines[-1]):
        lines.pop()
    return "\n".join(lines).strip()


def _same(line: str, title: str | None) -> bool:
    return bool(title) and re.sub(r"\s+", "", line) == re.sub(r"\s+", "", title)
