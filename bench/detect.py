"""The personal-details detector against its corpus (tests/detect_corpus.json): recall and
false positives per shipped language, and its speed in microseconds per text (it runs at
every child's submission, twice: "what happened" and "what would make it better")."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from board.i18n import LANGUAGES as SHIPPED
from board.text.detect import find_personal_details

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "detect_corpus.json"
REPEAT = 20
LANGUAGES = tuple(SHIPPED)


def _found(case: dict, spans) -> tuple[int, int]:
    """(expected details, details found inside a span of the expected kind)."""
    text, found = case["text"], 0
    for kind, fragment in case["find"]:
        start = text.index(fragment)
        end = start + len(fragment)
        found += any(s.kind.value == kind and s.start <= start and end <= s.end for s in spans)
    return len(case["find"]), found


def measure(cases: list[dict]) -> dict[str, dict[str, int]]:
    """Per language: expected details, found, ordinary sentences, and those flagged."""
    rows = {lang: {"details": 0, "found": 0, "clean": 0, "flagged": 0} for lang in LANGUAGES}
    for case in cases:
        row = rows[case["lang"]]
        spans = find_personal_details(case["text"])
        if case["find"]:
            expected, found = _found(case, spans)
            row["details"] += expected
            row["found"] += found
        else:
            row["clean"] += 1
            row["flagged"] += bool(spans)
    return rows


def speed(texts: list[str]) -> tuple[float, float]:
    """Median and 95th percentile microseconds per text, over REPEAT rounds of the corpus."""
    timings = []
    for _ in range(REPEAT):
        for text in texts:
            start = time.perf_counter()
            find_personal_details(text, ["Ana", "Dritan"])
            timings.append((time.perf_counter() - start) * 1e6)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main() -> None:
    cases = json.loads(CORPUS.read_text(encoding="utf-8"))
    rows = measure(cases)
    print(f"\npersonal-details detector: {len(cases)} cases in {CORPUS.name}")
    header = (
        f"{'language':<9} {'details':>8} {'found':>6} {'recall':>7} {'ordinary':>9} {'flagged':>8}"
    )
    print(header)
    print("-" * len(header))
    total = {"details": 0, "found": 0, "clean": 0, "flagged": 0}
    for lang, row in [*rows.items(), ("all", total)]:
        if lang != "all":
            for key in total:
                total[key] += row[key]
        recall = row["found"] / row["details"] * 100 if row["details"] else 100.0
        print(
            f"{lang:<9} {row['details']:>8} {row['found']:>6} {recall:>6.1f}% "
            f"{row['clean']:>9} {row['flagged']:>8}"
        )
    texts = [case["text"] for case in cases]
    p50, p95 = speed(texts)
    longest = " ".join(texts)[:1000]  # a text at the form's limit (1,000 characters)
    p50_long, _ = speed([longest])
    print(
        f"speed: {p50:.0f} µs per text (median), {p95:.0f} µs (p95); "
        f"{p50_long:.0f} µs for 1,000 characters"
    )


if __name__ == "__main__":
    main()
