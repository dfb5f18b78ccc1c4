"""History view speed over a large history: opening the History tab, full-text search through
the UI path, paging while scrolling, and the dashboard's statistics off the GUI thread.

    .venv/bin/python benchmarks/bench_history_view.py [--rows 100000] [--keep DIR] [--json]

Runs offscreen in a temporary WORKBENCH_HOME (never the user's). The synthetic history comes
from `workbench.core.store.demo.generate_history` (deterministic); with `--keep DIR` it is
generated once into DIR and reused by later runs.

Measured (wall clock, `time.perf_counter`):
- open: a fresh `Operations` (opens, migrates and recovers the database) + `HistoryView`
  construction + show + first page + count + details of the newest request + a full paint.
  Target (DESIGN.md): <= 300 ms at 100,000 rows.
- search: typing a query and pressing Enter (`HistoryFilterBar.apply_now`): FTS page, count,
  selection and details, then a repaint; per query, p50 and p95 over repeats.
- fetch_more: the next page of 200 rows when the table is scrolled to its end.
- dashboard: `DashboardView.refresh()` (statistics on the history worker thread) and the
  longest GUI-thread stall measured by a 5 ms timer while it ran.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

QUERIES = (
    ("common word", "knights"),
    ("two words", "lighthouse watercolor"),
    ("phrase", '"night market"'),
    ("request ID prefix", "req_0a"),
    ("no match", "zeppelin"),
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def prepare_home(rows: int, keep: str | None) -> tuple[str, float | None]:
    """A WORKBENCH_HOME with `rows` synthetic requests; returns it and the generation time."""
    home = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bench-history-view-"))
    marker = home / f".generated-{rows}"
    os.environ["WORKBENCH_HOME"] = str(home)
    if marker.exists():
        return str(home), None
    if home.exists() and keep:
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    from workbench.core.store import HistoryStore
    from workbench.core.store.demo import generate_history

    started = time.perf_counter()
    store = HistoryStore.open()
    generate_history(store, rows)
    store.close()
    marker.write_text("ok")
    return str(home), time.perf_counter() - started


async def measure(args) -> dict:
    from PySide6.QtCore import QTimer

    from workbench.ui.dashboard import DashboardView
    from workbench.ui.history import HistoryView
    from workbench.ui.operations import Operations

    results: dict = {}

    # --- open ----------------------------------------------------------------------------
    opens = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        ops = Operations()
        view = HistoryView(ops)
        view.resize(1400, 860)
        view.show()  # showEvent loads the first page, the count and the newest request
        view.repaint()
        opens.append((time.perf_counter() - started) * 1000)
        rows_loaded = view.model.rowCount()
        total = view.model.total()
        view.close()
        view.worker.close()
        view.deleteLater()
        await ops.close()
        await asyncio.sleep(0.05)
    results["open_ms"] = {"first": opens[0], "median": statistics.median(opens), "min": min(opens), "max": max(opens),
                          "runs": len(opens), "rows_loaded": rows_loaded, "total": total}

    # --- search through the UI path ---------------------------------------------------------
    ops = Operations()
    view = HistoryView(ops)
    view.resize(1400, 860)
    view.show()
    view.repaint()
    searches = {}
    for label, query in QUERIES:
        times, matches = [], 0
        for _ in range(args.search_repeat):
            view.filters.search.setText(query)
            started = time.perf_counter()
            view.filters.apply_now()
            view.repaint()
            times.append((time.perf_counter() - started) * 1000)
            matches = view.model.total()
        searches[label] = {"query": query, "matches": matches, "p50": statistics.median(times),
                           "p95": percentile(times, 0.95)}
    view.filters.search.setText("knights")
    view.filters.outcome.setCurrentIndex(1)  # blocked, input or output
    times = []
    for _ in range(args.search_repeat):
        started = time.perf_counter()
        view.filters.apply_now()
        view.repaint()
        times.append((time.perf_counter() - started) * 1000)
    searches["common word + blocked filter"] = {"query": "knights", "matches": view.model.total(),
                                                 "p50": statistics.median(times), "p95": percentile(times, 0.95)}
    results["search_ms"] = searches

    # --- paging --------------------------------------------------------------------------
    view.filters.clear()
    pages = []
    for _ in range(20):
        started = time.perf_counter()
        view.model.fetchMore()
        pages.append((time.perf_counter() - started) * 1000)
    results["fetch_more_ms"] = {"p50": statistics.median(pages), "max": max(pages),
                                "rows_loaded": view.model.rowCount()}
    view.close()
    view.worker.close()

    # --- dashboard -----------------------------------------------------------------------
    dashboard = DashboardView(ops)
    dashboard.resize(1400, 1200)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer(interval=5)
    timer.timeout.connect(tick)
    timer.start()
    started = time.perf_counter()
    stats = await dashboard.refresh()
    refresh_ms = (time.perf_counter() - started) * 1000
    timer.stop()
    results["dashboard"] = {"refresh_ms": refresh_ms, "longest_gui_stall_ms": max(gaps) if gaps else None,
                            "requests": stats.total if stats else None,
                            "violation_rate": stats.violation.rate if stats else None}
    dashboard.worker.close()
    await ops.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", metavar="DIR", help="generate the history into DIR once and reuse it")
    parser.add_argument("--repeat", type=int, default=7, help="how many times the view is opened")
    parser.add_argument("--search-repeat", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home, generated = prepare_home(args.rows, args.keep)
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # the views are opened and closed repeatedly
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        results = loop.run_until_complete(measure(args))
    results = {"rows": args.rows, "generate_s": generated, **results}
    if not args.keep:
        shutil.rmtree(home, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    o = results["open_ms"]
    print(f"history rows: {args.rows:,}" + (f" (generated in {generated:.1f} s)" if generated else " (reused)"))
    print(f"open History view: first {o['first']:.1f} ms (includes first imports), then median "
          f"{o['median']:.1f} ms (min {o['min']:.1f}, max {o['max']:.1f}, {o['runs']} runs; "
          f"{o['rows_loaded']} rows loaded of {o['total']:,})   target <= 300 ms")
    for label, s in results["search_ms"].items():
        print(f"search {label:<30} {s['query']!r:<26} {s['matches']:>7,} matches  "
              f"p50 {s['p50']:6.1f} ms  p95 {s['p95']:6.1f} ms")
    f = results["fetch_more_ms"]
    print(f"next page (200 rows) while scrolling: p50 {f['p50']:.2f} ms, max {f['max']:.2f} ms")
    d = results["dashboard"]
    print(f"dashboard statistics (worker thread): {d['refresh_ms']:.0f} ms; longest GUI stall meanwhile "
          f"{d['longest_gui_stall_ms']:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
