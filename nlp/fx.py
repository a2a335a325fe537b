"""Converting amounts to USD and EUR with the shipped table of annual average rates."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RATES_FILE = Path(__file__).resolve().parent / "registry" / "fx_rates.toml"


@dataclass(frozen=True)
class Rates:
    as_of: str
    by_year: dict[int, dict[str, float]]  # units of currency per 1 USD

    def year_for(self, year: int | None) -> int:
        years = sorted(self.by_year)
        if year is None:
            return years[-1]
        return min(max(year, years[0]), years[-1])

    def convert(self, value: float, currency: str, to: str, year: int | None) -> float | None:
        """`value` in `currency` as `to` at the year's average; None for an unknown currency."""
        table = self.by_year[self.year_for(year)]
        if currency not in table or to not in table:
            return None
        return value / table[currency] * table[to]


@cache
def load_rates(path: Path = RATES_FILE) -> Rates:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    by_year = {int(year): dict(rates) for year, rates in data["rates"].items()}
    return Rates(as_of=str(data.get("as_of", "")), by_year=by_year)
