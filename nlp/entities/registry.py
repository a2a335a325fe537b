"""The company and regulator registries: data files users can read, edit and extend.

`nlp/registry/companies.toml` and `regulators.toml` ship with riskwatch; a user's own file in
the same format (settings `companies_file`, or a watchlist) adds firms or extends shipped ones
key by key: names and context words are added, scalar fields replaced. Units and subsidiaries
roll up into their parent (Taobao is Alibaba); affiliates are linked but stay separate (Ant
Group is not Alibaba).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from riskwatch.errors import ConfigError
from riskwatch.toml_file import read_toml

REGISTRY_DIR = Path(__file__).resolve().parent.parent / "registry"
ROLL_UP = {"unit", "subsidiary"}  # relations whose member counts as its parent
RELATION_TYPES = ROLL_UP | {"affiliate", "former_unit", "investee", "parent"}
_ENTRY_KEYS = {
    "name", "country", "sector", "kind", "tickers", "relations", "names", "disambiguation",
    "note", "website", "domains",
}  # fmt: skip
_DISAMBIGUATION_KEYS = {"ambiguous", "context", "blockers"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Relation:
    to: str
    type: str
    since: str = ""
    until: str = ""
    note: str = ""


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    names: dict[str, tuple[str, ...]]  # language -> names
    country: str = ""
    kind: str = ""  # a company's sector or a regulator's kind
    tickers: tuple[str, ...] = ()
    relations: tuple[Relation, ...] = ()
    ambiguous: frozenset[str] = frozenset()
    context: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    def all_names(self) -> list[str]:
        seen = dict.fromkeys([self.name, *(n for ns in self.names.values() for n in ns)])
        return [n for n in seen if n]


@dataclass
class Registry:
    kind: str  # "company" or "regulator"
    entities: dict[str, Entity] = field(default_factory=dict)

    def __contains__(self, entity_id: str) -> bool:
        return entity_id in self.entities

    def __getitem__(self, entity_id: str) -> Entity:
        return self.entities[entity_id]

    def __len__(self) -> int:
        return len(self.entities)

    def parent(self, entity_id: str) -> str | None:
        """The firm this one is a unit or subsidiary of (one level), if any."""
        for rel in self.entities[entity_id].relations:
            if rel.type in ROLL_UP and not rel.until:
                return rel.to
        return None

    def top(self, entity_id: str) -> str:
        """The group a unit finally rolls up into (Alipay -> Ant Group; Taobao -> Alibaba)."""
        seen = {entity_id}
        while (up := self.parent(entity_id)) and up not in seen:
            seen.add(up)
            entity_id = up
        return entity_id

    def members(self, entity_id: str) -> set[str]:
        """The firm and every unit and subsidiary below it: what `--company ID` covers."""
        found = {entity_id}
        changed = True
        while changed:
            changed = False
            for other in self.entities:
                if other not in found and self.parent(other) in found:
                    found.add(other)
                    changed = True
        return found

    def resolve(self, query: str) -> str | None:
        """An id from an id, a name or a ticker (case-insensitive); None if nothing fits."""
        key = query.strip().casefold()
        if key in self.entities:
            return key
        for entity in self.entities.values():
            if any(key == n.casefold() for n in (*entity.all_names(), *entity.tickers)):
                return entity.id
        return None

    def suggest(self, query: str, limit: int = 3) -> list[str]:
        """The ids whose id or names are nearest to `query`, for "did you mean" messages."""
        choices = {}
        for entity in self.entities.values():
            for label in (entity.id, *entity.all_names()):
                choices.setdefault(label.casefold(), entity.id)
        near = difflib.get_close_matches(query.casefold(), list(choices), n=limit * 3, cutoff=0.6)
        return list(dict.fromkeys(choices[n] for n in near))[:limit]

    def did_you_mean(self, query: str) -> str:
        """' (did you mean a, b?)' with the nearest ids, or '' when none is near."""
        near = self.suggest(query)
        return f" (did you mean {', '.join(near)}?)" if near else ""

    def search(self, text: str) -> list[Entity]:
        """Entities whose id, name or ticker contains `text` (case-insensitive)."""
        key = text.casefold()
        return [
            e
            for e in self.entities.values()
            if key in e.id
            or any(key in n.casefold() for n in (*e.all_names(), *e.tickers, e.country))
        ]


def load_registry(kind: str, extra: Iterable[str | Path] = ()) -> Registry:
    """The shipped registry of `kind` ("company" or "regulator") with users' files merged in.

    Raises:
        ConfigError: a file is unreadable or an entry is malformed (the message names it).
    """
    shipped = REGISTRY_DIR / ("companies.toml" if kind == "company" else "regulators.toml")
    return _load(kind, (str(shipped), *(str(p) for p in extra)))


@cache
def _load(kind: str, paths: tuple[str, ...]) -> Registry:
    raw: dict[str, dict] = {}
    for path in paths:
        for entity_id, entry in read_toml(path).items():
            _check_entry(path, entity_id, entry)
            raw[entity_id] = _merge(raw.get(entity_id, {}), entry)
    registry = Registry(kind, {eid: _entity(eid, entry) for eid, entry in raw.items()})
    for entity in registry.entities.values():
        for rel in entity.relations:
            if rel.to not in registry:
                raise ConfigError(
                    f"{kind} registry: {entity.id}: relation to unknown id {rel.to!r}"
                    + registry.did_you_mean(rel.to)
                )
    return registry


def _check_entry(path: str, entity_id: str, entry) -> None:
    where = f"{path}: [{entity_id}]"
    if not _ID.match(entity_id):
        raise ConfigError(f"{where}: ids are lower-case letters, digits and hyphens")
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table")
    unknown = set(entry) - _ENTRY_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    names = entry.get("names", {})
    if not isinstance(names, dict) or not all(
        isinstance(v, list) and all(isinstance(n, str) for n in v) for v in names.values()
    ):
        raise ConfigError(f'{where}: "names" must map languages to lists of strings')
    dis = entry.get("disambiguation", {})
    if set(dis) - _DISAMBIGUATION_KEYS:
        raise ConfigError(f"{where}.disambiguation: unknown key {sorted(set(dis))[0]!r}")
    for rel in entry.get("relations", []):
        if not isinstance(rel, dict) or "to" not in rel or rel.get("type") not in RELATION_TYPES:
            raise ConfigError(
                f"{where}: each relation needs `to` and a `type` among {sorted(RELATION_TYPES)}"
            )


def _merge(old: dict, new: dict) -> dict:
    """A later file adds names, context, blockers, tickers and relations; scalars replace."""
    merged = {**old, **new}
    for key in ("tickers", "relations"):
        if key in old and key in new:
            merged[key] = [*old[key], *(x for x in new[key] if x not in old[key])]
    if "names" in old and "names" in new:
        merged["names"] = {
            lang: list(dict.fromkeys([*old["names"].get(lang, []), *new["names"].get(lang, [])]))
            for lang in {*old["names"], *new["names"]}
        }
    if "disambiguation" in old and "disambiguation" in new:
        was, add = old["disambiguation"], new["disambiguation"]
        merged["disambiguation"] = {
            key: list(dict.fromkeys([*was.get(key, []), *add.get(key, [])])) for key in {*was, *add}
        }
    return merged


def _entity(entity_id: str, entry: dict) -> Entity:
    dis = entry.get("disambiguation", {})
    names = {lang: tuple(ns) for lang, ns in entry.get("names", {}).items()}
    return Entity(
        id=entity_id,
        name=entry.get("name") or next((n for ns in names.values() for n in ns), entity_id),
        names=names,
        country=entry.get("country", ""),
        kind=entry.get("sector") or entry.get("kind", ""),
        tickers=tuple(entry.get("tickers", [])),
        relations=tuple(
            Relation(**{k: str(v) for k, v in rel.items() if k in Relation.__dataclass_fields__})
            for rel in entry.get("relations", [])
        ),
        ambiguous=frozenset(dis.get("ambiguous", [])),
        context=tuple(dis.get("context", [])),
        blockers=tuple(dis.get("blockers", [])),
        domains=tuple(entry.get("domains", [])),
    )
