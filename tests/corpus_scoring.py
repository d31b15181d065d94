"""Runs the extractor in process over a folder of documents with gold files and scores each with tests/scoring.py.

A corpus is a `docs/` folder beside a `gold/` folder (tests/corpus, ../shared/eval/corpus), or two folders given
apart (the seeds in ../shared/seeds with their gold in ../shared/eval/gold). Every gold file names its document in
`doc`; gold of the project's own corpus also says the document's `kind` and the `constructions` it exercises, so
that figures can be summed per kind and per construction, not only in total.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.load import load_source
from ingest.pipeline import extract_document
from tests.scoring import Score, comparable, score_document

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT / "tests" / "corpus"
SHARED = REPO_ROOT.parent / "shared"


@dataclass(frozen=True)
class ScoredDocument:
    gold: dict
    text: str  # the document as ingest.load read it: the text the records' evidence comes from
    records: list[dict]  # the extractor's records in the `extract --format jsonl` contract
    score: Score

    @property
    def kind(self) -> str:
        return self.gold.get("kind") or "unlabelled"

    @property
    def constructions(self) -> list[str]:
        return list(self.gold.get("constructions") or [])


def read_gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def gold_files(gold_dir: Path) -> list[Path]:
    return sorted(gold_dir.glob("*.json"))


def score_corpus(docs_dir: Path, gold_dir: Path) -> Iterator[ScoredDocument]:
    """Each gold file's document loaded, extracted and scored, in the order of the gold file names."""
    for gold_path in gold_files(gold_dir):
        gold = read_gold(gold_path)
        loaded = load_source(str(docs_dir / gold["doc"]))
        records = [record.as_contract() for record in extract_document(loaded).records]
        yield ScoredDocument(gold, loaded.text, records, score_document(gold, loaded.text, records))


def total(scored: list[ScoredDocument]) -> Score:
    summed = Score()
    for document in scored:
        summed += document.score
    return summed


def wrong_timings(document: ScoredDocument) -> list[str]:
    """Required gold items whose key some record cites but whose due year, recurrence or start no such record has.

    The scorer counts these only as a lower deadline accuracy; listing them tells which dates the extractor reads
    wrong. Records are matched on the key alone here, whatever their unit, since the date belongs to the sentence.
    """
    evidences = [comparable(record.get("evidence")) for record in document.records]
    wrong = []
    for item in document.gold["items"]:
        if item.get("optional"):
            continue
        key = comparable(item["key"])
        cited = [record for record, evidence in zip(document.records, evidences, strict=True) if key in evidence]
        if not cited:
            continue
        expected = {"due": item.get("due_year"), "recurrence": item.get("recurrence"), "starts": item.get("starts_year")}
        for field, value in expected.items():
            if not value:
                continue
            found = sorted({str(record.get(field)) for record in cited})
            if not any(str(record.get(field) or "").startswith(str(value)) for record in cited):
                wrong.append(f"{item['id']} {field} {value} != {'/'.join(found)} {key}")
    return wrong
