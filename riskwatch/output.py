"""Rendering rows for people (rich tables) and for scripts (JSON Lines, CSV)."""

from __future__ import annotations

import csv
import io
import json

from rich.console import Console
from rich.table import Table


def render(rows: list[dict], columns: list[str], fmt: str, title: str | None = None) -> str:
    """Rows as a table, JSON Lines or CSV text (only `columns`, in that order)."""
    if fmt == "json":
        return "".join(
            json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False) + "\n" for r in rows
        )
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    return table_text(rows, columns, title)


def table_text(rows: list[dict], columns: list[str], title: str | None = None) -> str:
    table = Table(title=title, show_lines=False, header_style="bold")
    widths = {"title": 48, "evidence": 60, "snippet": 60, "last_error": 40}
    for col in columns:
        table.add_column(col, overflow="fold", max_width=widths.get(col))
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console = Console(file=io.StringIO(), width=200, force_terminal=False, color_system=None)
    console.print(table)
    return console.file.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def money(value: float | None, currency: str | None) -> str:
    """18228000000, "CNY" -> "18.23bn CNY"; empty when there is no amount."""
    if value is None:
        return ""
    for size, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix} {currency or ''}".strip()
    return f"{value:,.0f} {currency or ''}".strip()
