"""The project's own yardstick for extraction: gold files in the SCHEMA of the shared eval, scored without it.

A gold file lists items; each item names the units the sentence assigns (each unit as a set of accepted spellings)
and a key that the record's evidence must contain. A record matches an (item, unit) pair when its department is one
of that unit's spellings (any department when the item names no unit) and its evidence contains the key, both
compared after `comparable()`. Recall counts matched pairs of required items; precision counts the records whose
evidence lies inside the gold's scope and that match any item, optional ones included. Deadline accuracy is the share
of matched pairs whose gold due year, recurrence or start year the matching records agree with.

The project owns this file so that its tests run in a clone with nothing beside it; the rules are the same ones the
planning office's evaluation uses, so the figures are comparable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

# A pinyin reading such as 區(qū): lower-case latin holding a tone mark, so that (GDP) or (PPP) stay.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_PINYIN_READING = re.compile(rf"\((?=[a-zü]*[{_TONED}])[a-zü{_TONED}]+\)")
_BOOKMARK_TAG = re.compile(r"\[bookmark:[^\]]*\]")
_WHITESPACE = re.compile(r"\s+")
_BRACKETED = re.compile(r"（[^）]*）")
_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）", ":": "：", ";": "；", ",": "，"})


@cache
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def comparable(text: str | None) -> str:
    """Text as gold and records are compared: simplified, no pinyin readings or spaces, full-width punctuation."""
    if not text:
        return ""
    text = _PINYIN_READING.sub("", _BOOKMARK_TAG.sub("", text))
    # Converters differ on 著/着 (著力 stays 著 in t2s where mainland text writes 着): treat them as one character.
    text = _to_simplified().convert(text).replace("着", "著")
    return _WHITESPACE.sub("", text.translate(_HALF_TO_FULL))


def _department_forms(department: str | None) -> set[str]:
    if not department:
        return set()
    name = comparable(department)
    return {name, _BRACKETED.sub("", name)}


def _year(value: object) -> int | None:
    found = re.match(r"(\d{4})", str(value or ""))
    return int(found.group(1)) if found else None


@dataclass
class Score:
    pairs: int = 0
    hits: int = 0
    scoped: int = 0
    true_records: int = 0
    dated: int = 0
    dated_right: int = 0
    records: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    def __iadd__(self, other: Score) -> Score:
        for name in ("pairs", "hits", "scoped", "true_records", "dated", "dated_right", "records"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses
        self.extras += other.extras
        return self

    @property
    def recall(self) -> float:
        return self.hits / self.pairs if self.pairs else 0.0

    @property
    def precision(self) -> float:
        return self.true_records / self.scoped if self.scoped else 0.0

    @property
    def f1(self) -> float:
        both = self.precision + self.recall
        return 2 * self.precision * self.recall / both if both else 0.0

    @property
    def deadline_accuracy(self) -> float:
        return self.dated_right / self.dated if self.dated else 0.0

    def summary(self) -> str:
        return (f"F1={self.f1:.3f} P={self.precision:.3f} R={self.recall:.3f} "
                f"deadlines={self.deadline_accuracy:.3f} ({self.dated} dated, {self.pairs} pairs)")


def _scope_regions(gold: dict, text: str) -> list[str]:
    regions = []
    for scope in gold["scope"]:
        start = text.find(comparable(scope["from"]))
        end = text.find(comparable(scope["to"]), start) if scope.get("to") else len(text)
        regions.append(text[start:end if end >= 0 else len(text)])
    return regions


def score_document(gold: dict, document_text: str, records: Sequence[dict]) -> Score:
    """Score one document's records (the `extract --format jsonl` contract) against its gold."""
    text = comparable(document_text)
    regions = _scope_regions(gold, text)
    items = gold["items"]
    keys = [comparable(item["key"]) for item in items]
    spellings = [[{comparable(name) for name in unit} for unit in item["units"]] for item in items]
    evidences = [comparable(record.get("evidence") or record.get("task")) for record in records]
    departments = [_department_forms(record.get("department")) for record in records]

    def matches(index: int, item: int, unit: int | None = None) -> bool:
        if keys[item] not in evidences[index]:
            return False
        if not items[item]["units"]:
            return True
        units = [spellings[item][unit]] if unit is not None else spellings[item]
        return any(departments[index] & names for names in units)

    score = Score(records=len(records))
    exhaustive = gold.get("exhaustive", True)
    if exhaustive:
        for index in range(len(records)):
            evidence = evidences[index]
            if not (evidence and any(evidence in region for region in regions)):
                continue
            score.scoped += 1
            if any(matches(index, item) for item in range(len(items))):
                score.true_records += 1
            else:
                score.extras.append(f"{records[index].get('department')} | {evidence[:60]}")
    for item_index, item in enumerate(items):
        if item.get("optional"):
            continue
        for unit in range(len(item["units"])) if item["units"] else [None]:
            score.pairs += 1
            matched = [records[i] for i in range(len(records)) if matches(i, item_index, unit)]
            if not matched:
                label = "/".join(sorted(spellings[item_index][unit]))[:40] if unit is not None else "-"
                score.misses.append(f"{item['id']} {label} {item['key']}")
                continue
            score.hits += 1
            _score_timing(score, item, matched)
    return score


def _score_timing(score: Score, item: dict, matched: Iterable[dict]) -> None:
    matched = list(matched)
    if item.get("due_year"):
        score.dated += 1
        score.dated_right += any(_year(record.get("due")) == item["due_year"] for record in matched)
    if item.get("recurrence"):
        score.dated += 1
        score.dated_right += any(record.get("recurrence") == item["recurrence"] for record in matched)
    if item.get("starts_year"):
        score.dated += 1
        score.dated_right += any(_year(record.get("starts")) == item["starts_year"] for record in matched)
