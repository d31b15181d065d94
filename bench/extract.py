"""Extraction speed over the five seed documents (../shared/seeds), in process, start-up excluded.

Prints chars/s for the pure pipeline (normalize, structure, extract) and for load + pipeline, then the wall time of
one `planbot extract` process over all five seeds, start-up included. Targets: >= 500,000 chars/s; < 2.5 s wall.

    python bench/extract.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ingest.load import load_source
from ingest.pipeline import extract_document

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    paths = sorted(SEEDS.glob("*.txt"))
    if not paths:
        sys.exit(f"no seed documents in {SEEDS}")
    loaded = [load_source(str(path)) for path in paths]
    chars = sum(len(document.text) for document in loaded)
    extract_document(loaded[0])  # warm the OpenCC dictionary and the regex cache once

    pipeline_seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        records = sum(len(extract_document(document).records) for document in loaded)
        pipeline_seconds.append(time.perf_counter() - started)
    load_seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        for path in paths:
            extract_document(load_source(str(path)))
        load_seconds.append(time.perf_counter() - started)

    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "extract",
            *map(str, paths),
            "--format",
            "jsonl",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started

    best_pipeline = min(pipeline_seconds)
    best_load = min(load_seconds)
    print(f"documents: {len(paths)}, characters: {chars:,}, records: {records}")
    print(
        f"pipeline:        {chars / best_pipeline:>12,.0f} chars/s  (best of {rounds}; median {chars / statistics.median(pipeline_seconds):,.0f})"
    )
    print(f"load + pipeline: {chars / best_load:>12,.0f} chars/s")
    print(f"planbot extract, one process over all seeds: {wall:.2f} s wall (start-up included)")


if __name__ == "__main__":
    main()
