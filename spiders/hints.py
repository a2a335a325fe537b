"""A source's extraction hints: CSS selectors for the title, body and date where the generic
reading fails on that site, and for boilerplate to remove first. Used only when set."""

from __future__ import annotations

from cssselect import SelectorError
from lxml.html import HtmlElement


def apply_hints(tree: HtmlElement, hints: dict) -> dict[str, str]:
    """Remove what `hints["remove"]` selects from `tree`, and read title, body and date text
    where their selectors match (a selector matching nothing leaves that field generic)."""
    for element in _select(tree, hints.get("remove")):
        element.drop_tree()
    found = {}
    titles = _select(tree, hints.get("title"))
    if titles:
        found["title"] = " ".join(titles[0].text_content().split())
    bodies = _select(tree, hints.get("body"))
    if bodies:
        found["body"] = "\n".join(filter(None, (_paragraphs(el) for el in bodies)))
    dates = _select(tree, hints.get("date"))
    if dates:
        node = dates[0]
        found["date"] = node.get("datetime") or node.get("content") or node.text_content()
    return {k: v.strip() for k, v in found.items() if v and v.strip()}


def _select(tree: HtmlElement, selector: str | None) -> list[HtmlElement]:
    if not selector:
        return []
    try:
        return tree.cssselect(selector)
    except SelectorError:
        return []  # `riskwatch sources check` reports bad selectors


def _paragraphs(element: HtmlElement) -> str:
    paragraphs = [" ".join(p.text_content().split()) for p in element.iter("p")]
    paragraphs = [p for p in paragraphs if p]
    return "\n".join(paragraphs) if paragraphs else " ".join(element.text_content().split())
