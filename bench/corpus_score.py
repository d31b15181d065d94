"""Extraction quality on the project's corpus (tests/corpus): P/R/F1 and deadline accuracy per kind, per construction
and in total, the extractor run in this one process.

    python bench/corpus_score.py [-v] [--shared]

-v lists every miss, every extra record and every gold date the records citing its sentence get wrong. --shared also scores the real documents beside the project when they
are there: ../shared/eval/corpus (docs + gold) and the seeds (../shared/seeds with ../shared/eval/gold).
A document counts towards each construction its gold lists, so construction rows overlap; the total counts each once.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere: import tests.*

from tests.corpus_scoring import CORPUS, SHARED, ScoredDocument, score_corpus, total, wrong_timings
from tests.scoring import Score


def row(label: str, score: Score, documents: int) -> str:
    return (f"{label:<28} {documents:>4} {score.pairs:>6} {score.precision:>6.3f} {score.recall:>6.3f} "
            f"{score.f1:>6.3f} {score.deadline_accuracy:>6.3f} {score.dated:>6}")


def header(title: str) -> str:
    return f"\n{title:<28} {'docs':>4} {'pairs':>6} {'P':>6} {'R':>6} {'F1':>6} {'dl':>6} {'dated':>6}"


def grouped(scored: list[ScoredDocument], keys) -> dict[str, tuple[Score, int]]:
    groups: dict[str, list[ScoredDocument]] = defaultdict(list)
    for document in scored:
        for key in keys(document):
            groups[key].append(document)
    return {key: (total(members), len(members)) for key, members in sorted(groups.items())}


def report(name: str, scored: list[ScoredDocument], *, verbose: bool, by_construction: bool) -> None:
    print(header(f"[{name}] kind"))
    for kind, (score, count) in grouped(scored, lambda document: [document.kind]).items():
        print(row(kind, score, count))
    if by_construction:
        print(header(f"[{name}] construction"))
        for construction, (score, count) in grouped(scored, lambda document: document.constructions).items():
            print(row(construction, score, count))
    print(row(f"[{name}] total", total(scored), len(scored)))
    if verbose:
        for document in scored:
            timings = wrong_timings(document)
            if document.score.misses or document.score.extras or timings:
                print(f"\n{document.gold['doc']} ({document.kind}): {document.score.summary()}")
                for miss in document.score.misses:
                    print(f"   miss: {miss}")
                for extra in document.score.extras:
                    print(f"   extra: {extra}")
                for timing in timings:
                    print(f"   date: {timing}")


def shared_sets() -> list[tuple[str, Path, Path]]:
    candidates = [
        ("shared corpus", SHARED / "eval" / "corpus" / "docs", SHARED / "eval" / "corpus" / "gold"),
        ("seeds", SHARED / "seeds", SHARED / "eval" / "gold"),
    ]
    return [(name, docs, gold) for name, docs, gold in candidates if docs.is_dir() and gold.is_dir()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and extras per document")
    parser.add_argument("--shared", action="store_true", help="also score ../shared/eval/corpus and the seeds")
    options = parser.parse_args()
    started = time.perf_counter()
    sets = [("corpus", CORPUS / "docs", CORPUS / "gold", True)]
    if options.shared:
        sets += [(name, docs, gold, False) for name, docs, gold in shared_sets()]
    for name, docs, gold, by_construction in sets:
        report(name, list(score_corpus(docs, gold)), verbose=options.verbose, by_construction=by_construction)
    print(f"\n{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
