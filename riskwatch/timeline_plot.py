"""A timeline a person would put in a report: events per period by type, and fines in USD."""

from __future__ import annotations

from pathlib import Path

from riskwatch.errors import InputError

TYPE_COLOURS = {
    "data_breach": "#c0392b",
    "regulatory_fine": "#2c3e50",
    "ipo_suspension": "#d4a017",
}


def draw_timeline(rows: list[dict], path: str | Path, title: str) -> Path:
    """Write a PNG: stacked event counts per period (top), summed amounts in USD (bottom).

    rows: store.events_timeline output (period, type, events, amount_usd).
    """
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    from matplotlib import pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"{path}: the timeline is written as .png, .svg or .pdf")
    periods = _continuous(sorted({r["period"] for r in rows}))
    types = [t for t in TYPE_COLOURS if any(r["type"] == t for r in rows)]
    types += sorted({r["type"] for r in rows} - set(types))
    counts = {(r["period"], r["type"]): r["events"] for r in rows}
    usd = {p: sum(r["amount_usd"] or 0 for r in rows if r["period"] == p) for p in periods}
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(max(6.0, 0.45 * len(periods) + 3), 5.5), sharex=True,
        gridspec_kw={"height_ratios": [3, 2]},
    )  # fmt: skip
    x = range(len(periods))
    base = [0] * len(periods)
    for event_type in types:
        values = [counts.get((p, event_type), 0) for p in periods]
        top.bar(x, values, bottom=base, label=event_type.replace("_", " "),
                color=TYPE_COLOURS.get(event_type))  # fmt: skip
        base = [b + v for b, v in zip(base, values, strict=True)]
    top.set_ylabel("events")
    top.legend(frameon=False, fontsize=8, loc="upper left")
    top.set_title(title, fontsize=11)
    top.yaxis.get_major_locator().set_params(integer=True)
    bottom.bar(x, [usd[p] / 1e6 for p in periods], color="#7f8c8d")
    bottom.set_ylabel("fines, USD m")
    bottom.set_xticks(list(x), periods, rotation=60 if len(periods) > 8 else 0, fontsize=8)
    for axis in (top, bottom):
        axis.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


def _continuous(periods: list[str]) -> list[str]:
    """Every year or month from the first to the last, so quiet periods show as gaps."""
    if not periods:
        return []
    if len(periods[0]) == 4:
        return [str(y) for y in range(int(periods[0]), int(periods[-1]) + 1)]
    (y, m), end = map(int, periods[0].split("-")), tuple(map(int, periods[-1].split("-")))
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
