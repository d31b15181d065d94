"""Responsible units: recognising them in text and canonicalizing their many spellings.

Placeholder interface; the recogniser is filled in with the extraction engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path


@dataclass
class AliasTable:
    """Maps every known spelling of a unit to its canonical name (per jurisdiction-free form, e.g. 区发展改革局)."""

    canonical_by_alias: dict[str, str] = field(default_factory=dict)

    def canonical(self, name: str) -> str:
        return self.canonical_by_alias.get(name, name)

    def aliases_of(self, canonical: str) -> set[str]:
        return {alias for alias, target in self.canonical_by_alias.items() if target == canonical} | {canonical}

    def add(self, canonical: str, *aliases: str) -> None:
        for alias in (canonical, *aliases):
            self.canonical_by_alias[alias] = canonical

    def extended_from_file(self, path: Path) -> AliasTable:
        """A copy with the aliases of a user's TSV file (canonical<TAB>alias<TAB>alias…) added."""
        table = AliasTable(dict(self.canonical_by_alias))
        for line in path.read_text(encoding="utf-8").splitlines():
            names = [part.strip() for part in line.split("\t") if part.strip()]
            if names and not names[0].startswith("#"):
                table.add(names[0], *names[1:])
        return table


@lru_cache(maxsize=1)
def default_alias_table() -> AliasTable:
    table = AliasTable()
    shipped = resources.files("ingest").joinpath("data/aliases.tsv")
    if shipped.is_file():
        for line in shipped.read_text(encoding="utf-8").splitlines():
            names = [part.strip() for part in line.split("\t") if part.strip()]
            if names and not names[0].startswith("#"):
                table.add(names[0], *names[1:])
    return table
