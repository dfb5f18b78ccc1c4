"""Load benchmark: a 100,000-prompt audit with bounded memory, and a 1,000,000-row history.

    .venv/bin/python benchmarks/bench_load.py                  # both parts (about 6-8 minutes)
    .venv/bin/python benchmarks/bench_load.py audit [--prompts 100000]
    .venv/bin/python benchmarks/bench_load.py history [--rows 1000000] [--keep DIR]

Audit: `workbench audit --json FILE` runs as a real subprocess on 1,000, 10,000 and 100,000
synthetic prompts; wall time and the child's own peak RSS (os.wait4) show whether memory grows
with the input (it must not beyond the input file itself).

History: `generate_history` fills a database with N synthetic requests (timed), then the
things a user waits for are measured against the 100,000-row bars of DESIGN.md: opening the
history (migrations check, crash recovery, first page), the History tab itself (Qt, offscreen:
construct, show, first page and count), full-text search p50/p95, a filtered page, a deep
keyset page, and the peak RSS of this process. Everything lives in a temporary folder (or
--keep DIR, which is reused if it already holds a database of at least N rows).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Synthetic prompt vocabulary, written for this benchmark.
SUBJECTS = ("a lighthouse keeper", "two knights", "a red fox", "an old fisherman", "a street musician",
            "a dragon", "a child on a swing", "a detective", "a robot chef", "a dancer", "a soldier",
            "a cat burglar", "a witch", "a pop star on stage", "a boxer after the fight")
ACTIONS = ("standing in the rain", "fighting in a courtyard", "holding a rifle", "reading by candlelight",
           "covered in blood", "laughing with friends", "aiming a pistol", "sleeping under the stars",
           "in a tense standoff", "waving from a balcony", "with a knife in hand", "drinking tea")
STYLES = ("watercolor", "cinematic still, 35mm", "photorealistic close-up", "oil painting", "pixel art",
          "in the style of a famous living painter", "studio lighting", "isometric illustration",
          "comic book panel", "charcoal sketch")
EXTRAS = ("", "", "", " at dusk", " highly detailed", " 8k", " moody lighting", " gore, dismembered",
          " k1ll", " s.h.o.o.t.i.n.g", " shoot a photo of the killer whale")
QUERIES = ("knight", "samurai dawn", "lighthouse", '"night market"', "gore", "safety system", "zzznotthere",
           "fox snow watercolor", "req_4")


def synthetic_prompts(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)}, {rng.choice(STYLES)}{rng.choice(EXTRAS)}"
            for _ in range(count)]


def run_measured(args: list[str], stdout=subprocess.DEVNULL) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB of that child alone, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.stderr.close()
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def bench_audit(max_prompts: int) -> None:
    print("audit benchmark: `workbench audit --json FILE`, peak RSS of the child process")
    folder = Path(tempfile.mkdtemp(prefix="wb-audit-"))
    sizes = sorted({1_000, 10_000, max_prompts})
    first_rss = None
    for count in sizes:
        path = folder / f"prompts-{count}.txt"
        path.write_text("\n".join(synthetic_prompts(count)) + "\n", encoding="utf-8")
        wall, rss, code = run_measured([sys.executable, "-m", "workbench", "audit", "--json", str(path)])
        assert code in (0, 1), code
        mb = path.stat().st_size / 1e6
        first_rss = first_rss or rss
        print(f"  {count:>9,} prompts ({mb:5.1f} MB file)   {wall:6.1f} s  {count / wall:8,.0f} prompts/s   "
              f"peak RSS {rss:7.1f} MB  (+{rss - first_rss:.1f} MB over {sizes[0]:,} prompts)")
    print("  results are streamed (one JSON line per prompt, nothing kept); what grows is the input")
    print("  file, which is read whole (64 MB limit): about 4x its size in memory.")


def bench_history(rows: int, keep: Path | None) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    from workbench.core.store import HistoryFilter, HistoryStore
    from workbench.core.store.demo import generate_history

    folder = keep or Path(tempfile.mkdtemp(prefix="wb-history-1m-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path, images = folder / "history.db", folder / "images"
    print(f"history benchmark: {rows:,} rows in {db_path}")
    store = HistoryStore.open(db_path, images_root=images)
    existing = store.count()
    if existing < rows:
        start = time.perf_counter()
        generate_history(store, rows - existing, seed=5, days=730, end=datetime(2026, 11, 1, tzinfo=UTC), batch=5000)
        took = time.perf_counter() - start
        print(f"  built: {rows - existing:,} rows in {took:.0f} s ({(rows - existing) / took:,.0f} rows/s)")
    else:
        print(f"  reusing {existing:,} rows")
    store.close()
    size = sum(p.stat().st_size for p in folder.glob("history.db*"))
    print(f"  database size {size / 1e6:,.0f} MB")

    opens = []
    for _ in range(5):
        start = time.perf_counter()
        opened = HistoryStore.open(db_path, images_root=images)
        first = opened.search("", limit=100)
        opens.append((time.perf_counter() - start) * 1000)
        opened.close()
    assert len(first.rows) == 100
    print(_line("open + recovery + first page of 100 (core)", opens, 300))

    store = HistoryStore.open(db_path, images_root=images)
    total = store.count()
    print(_line(f"count(*) of {total:,} rows (the tab's counter)", _timed(store.count, 10), None))
    all_fts: list[float] = []
    for query in QUERIES:
        values = _timed(lambda q=query: store.search(q, limit=50), 20)
        all_fts += values
        print(_line(f"search {query!r}, 50 newest", values, None))
    print(_line("ALL SEARCHES", all_fts, 50))
    print(_line("count of 'knight' matches (the tab's counter)", _timed(lambda: store.count("knight"), 10), None))
    flt = HistoryFilter(outcomes=("blocked_input", "blocked_output"), model="gpt-image-1")
    print(_line("blocked + model filter, first page", _timed(lambda: store.search("", flt, limit=50), 20), None))
    cursor = store.search("", limit=50, offset=500_000 if total > 500_050 else total // 2).next_before
    print(_line("keyset page deep in the history", _timed(lambda: store.search("", limit=50, before=cursor), 20), None))
    store.close()
    _bench_history_tab(db_path, folder)
    import resource

    print(f"  peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


def _bench_history_tab(db_path: Path, folder: Path) -> None:
    """The History tab over the big database: construct, show, first page and count (offscreen)."""
    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    os.environ["WORKBENCH_HOME"] = str(folder / "home")
    data = folder / "home" / "data"
    data.mkdir(parents=True, exist_ok=True)
    link = data / "history.db"
    if not link.exists():
        link.symlink_to(db_path.resolve())
    app = QApplication.instance() or QApplication(["bench"])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from workbench.ui.history import HistoryView
    from workbench.ui.operations import Operations

    times = []
    for _ in range(3):
        ops = Operations()
        start = time.perf_counter()
        view = HistoryView(ops)
        view.resize(1300, 800)
        view.show()
        app.processEvents()
        assert view.model.rowCount() > 0 and "request" in view.count_label.text()
        times.append((time.perf_counter() - start) * 1000)
        view.worker.close()
        view.close()
        view.deleteLater()
        loop.run_until_complete(ops.close())
        app.processEvents()
    print(_line("History tab: construct, show, first page, count", times, 300))


def _timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _line(name: str, values: list[float], bar: float | None) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    verdict = "" if bar is None else (f"   OK (bar {bar:g} ms)" if p95 <= bar else f"   OVER (bar {bar:g} ms)")
    return f"  {name:<50} p50 {statistics.median(values):8.1f} ms   p95 {p95:8.1f} ms{verdict}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", choices=("audit", "history", "all"), default="all")
    parser.add_argument("--prompts", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="folder for the history database (reused when big enough)")
    args = parser.parse_args()
    if args.part in ("audit", "all"):
        bench_audit(args.prompts)
    if args.part in ("history", "all"):
        bench_history(args.rows, args.keep)
    print(f"python {sys.version.split()[0]}, sqlite {__import__('sqlite3').sqlite_version}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
