"""Benchmark of the history store at 100,000 requests.

Reports: insert throughput (the live path - a pending row before the call, completed after, each
its own durable commit - and the bulk path used by imports), full-text search p50/p95 (target
<= 50 ms), filtered page queries (first page, deep offset, keyset), counting, opening the
database plus its first page (the history view), and the dashboard statistics.

    .venv/bin/python benchmarks/bench_history.py [--rows 100000] [--keep DIR]

Uses a temporary WORKBENCH-independent folder; nothing in the user's history is touched.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from workbench.core.api.records import ErrorRecord, GenerationResult, ImageParams, Usage
from workbench.core.store import HistoryFilter, HistoryStore
from workbench.core.store.demo import generate_history
from workbench.core.store.stats import compute_stats

QUERIES = ("knight", "samurai dawn", "lighthouse", '"night market"', "gore", "safety system", "zzznotthere",
           "fox snow watercolor", "req_4")


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def line(name: str, values: list[float]) -> str:
    return (f"  {name:<44} p50 {statistics.median(values):7.2f} ms   p95 {pct(values, 0.95):7.2f} ms   "
            f"max {max(values):7.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--live", type=int, default=500, help="requests through the live path")
    parser.add_argument("--keep", type=Path, help="write the database here instead of a temp folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="wb-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path, images = folder / "history.db", folder / "images"
    for old in folder.glob("history.db*"):
        old.unlink()
    print(f"history benchmark: {args.rows:,} rows in {db_path}  (SQLite via sqlite-utils, WAL, synchronous=FULL)")

    store = HistoryStore.open(db_path, images_root=images)
    start = time.perf_counter()
    generate_history(store, args.rows, seed=1, days=365, end=datetime(2026, 11, 1, tzinfo=UTC))
    bulk = time.perf_counter() - start
    print(f"insert (bulk path, 2,000 rows per transaction): {args.rows / bulk:,.0f} rows/s  ({bulk:.1f} s)")

    error = ErrorRecord(kind="blocked", stage="input", categories=["violence"], code="moderation_blocked",
                        http_status=400, message="Your request was rejected by the safety system.",
                        raw_body='{"error": {"code": "moderation_blocked"}}', request_ids=["req_live"])
    start = time.perf_counter()
    for n in range(args.live):
        rid = store.begin_request(f"live request {n}: a knight on a bridge", ImageParams(model="gpt-image-1"),
                                  profile="OpenAI", findings=[{"start": 0, "end": 4, "text": "live", "term": "live",
                                                               "category": "violence", "severity": "low",
                                                               "message": "", "replacements": []}])
        if n % 10 == 0:
            store.complete_request(rid, GenerationResult(outcome="blocked_input", error=error))
        else:
            store.complete_request(rid, GenerationResult(outcome="ok", usage=Usage(10, 272, 282), actual_cost=0.011))
    live = time.perf_counter() - start
    print(f"insert (live path, begin + complete = 2 durable commits each): {args.live / live:,.0f} requests/s "
          f"({live / args.live * 1000:.2f} ms per request)")
    store.close()

    start = time.perf_counter()
    store = HistoryStore.open(db_path, images_root=images)
    first_page = store.search("", limit=100)
    open_ms = (time.perf_counter() - start) * 1000
    total = store.count()
    print(f"open + migrations check + crash recovery + first page of 100: {open_ms:.1f} ms  ({total:,} rows)")
    assert len(first_page.rows) == 100

    print("full-text search, 50 newest matches (each query 30x):")
    all_fts: list[float] = []
    for query in QUERIES:
        values = timed(lambda q=query: store.search(q, limit=50), 30)
        all_fts += values
        print(line(f"{query!r} ({store.count(query):,} matches)", values))
    print(line("ALL QUERIES", all_fts) + ("   OK (<= 50 ms)" if pct(all_fts, 0.95) <= 50 else "   OVER TARGET"))
    rel = timed(lambda: store.search("knight", limit=50, order="relevance"), 30)
    print(line("'knight' by relevance", rel))
    flt = HistoryFilter(outcomes=("blocked_input", "blocked_output"), model="gpt-image-2")
    print(line("'knight' + blocked + model filter", timed(lambda: store.search("knight", flt, limit=50), 30)))

    print("filtered page queries (each 30x):")
    flt = HistoryFilter(outcomes=("blocked_input", "blocked_output"), model="gpt-image-1",
                        since="2026-03-01T00:00:00.000Z", until="2026-09-30T23:59:59.999Z")
    print(line(f"blocked + model + 7 months, page 1 ({store.count('', flt):,} rows)",
               timed(lambda: store.search("", flt, limit=50), 30)))
    print(line("category=violence, page 1", timed(lambda: store.search("", HistoryFilter(category="violence"),
                                                                        limit=50), 30)))
    print(line("no filter, page at offset 50,000", timed(lambda: store.search("", limit=50, offset=50_000), 30)))
    cursor = store.search("", limit=50, offset=49_950).next_before
    print(line("no filter, keyset page after row 50,000", timed(lambda: store.search("", limit=50, before=cursor), 30)))
    print(line("count(*) with blocked + model filter", timed(lambda: store.count("", flt), 30)))

    stats_ms = timed(lambda: compute_stats(store, trend="week"), 5)
    print(line("dashboard statistics (all rows, weekly trend)", stats_ms))
    s = compute_stats(store)
    print(f"  -> violation rate {s.violation.rate * 100:.1f} % ({s.violation.band}), "
          f"{len(s.calibration):,} calibration rows, {len(s.trend)} days")
    last_month = HistoryFilter(since="2026-10-01T00:00:00.000Z")
    print(line("dashboard statistics (last month)", timed(lambda: compute_stats(store, last_month), 5)))
    size = sum(p.stat().st_size for p in folder.glob("history.db*"))
    print(f"database size: {size / 1e6:.1f} MB")
    store.close()
    print(f"python {sys.version.split()[0]}, sqlite {__import__('sqlite3').sqlite_version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
