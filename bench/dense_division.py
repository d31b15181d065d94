"""Extraction time on a dense labelled division plan, and how it grows when the plan doubles.

The plan is generated: N numbered tasks, each followed by 牵头单位/配合单位/完成时限 lines, the densest layout real
division plans use. Prints seconds beyond start-up for N and 2N items and their ratio, and checks that every item
gave its lead, co units and date. Targets (issue 11): 5,000 items <= 1.1 s; doubling the input <= 2.4x the time.

    python bench/dense_division.py [--items 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import time

from ingest.pipeline import extract_document
from ingest.records import LoadedDocument

BUREAUS = ("区发改局", "区财政局", "区住建局", "区交通运输局", "区水利局", "区教体局", "区卫健局", "区商务局")


def division_plan(items: int) -> str:
    lines = ["临河区落实“十四五”规划纲要重点任务分工方案", "一、重点任务"]
    for number in range(1, items + 1):
        lead, co = BUREAUS[number % len(BUREAUS)], BUREAUS[(number + 3) % len(BUREAUS)]
        lines += [
            f"{number}.推进第{number}号重点项目建设，完成年度投资{number % 90 + 10}亿元。",
            f"牵头单位：{lead}",
            f"配合单位：{co}、各镇（街道）",
            f"完成时限：{2022 + number % 4}年{number % 12 + 1}月底前",
        ]
    return "\n".join(lines) + "\n"


def seconds(text: str, rounds: int) -> tuple[float, int]:
    loaded = LoadedDocument("dense.txt", "txt", text, hashlib.sha256(text.encode()).hexdigest())
    best, records = float("inf"), 0
    for _ in range(rounds):
        started = time.perf_counter()
        document = extract_document(loaded)
        best = min(best, time.perf_counter() - started)
        records = len(document.records)
    return best, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    single, records = seconds(division_plan(options.items), options.rounds)
    double, _ = seconds(division_plan(options.items * 2), options.rounds)
    expected = options.items * 3  # one lead and two co units per item
    print(f"{options.items:,} items: {single:.2f} s, {records:,} records (expected {expected:,})")
    print(f"{options.items * 2:,} items: {double:.2f} s; doubling costs {double / single:.2f}x")
    verdict = "OK" if single <= 1.1 and double / single <= 2.4 and records == expected else "SHORT"
    print(f"target: <= 1.1 s and <= 2.4x, every item complete -> {verdict}")


if __name__ == "__main__":
    main()
