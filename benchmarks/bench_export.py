"""Memory and speed of `workbench history export` (JSONL and CSV) at 100,000 requests.

Builds a synthetic history in a temporary WORKBENCH_HOME, then runs the real command in a child
process per format and reports its peak resident memory (the whole process: interpreter,
imports, SQLite cache and the export), its time and the file size. The export streams, so the
peak must stay flat as the history grows (target: <= 80 MB at 100,000 rows).

    .venv/bin/python benchmarks/bench_export.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from workbench.core.store import HistoryStore
from workbench.core.store.demo import generate_history

TARGET_MB = 80


def run_export(home: Path, *args: str) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one `workbench history export` child process."""
    env = {**os.environ, "WORKBENCH_HOME": str(home)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "history", "export", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"export failed: {proc.stderr.read().decode(errors='replace')}")
    proc.stderr.close()
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
    return usage.ru_maxrss * scale / 2**20, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wb-bench-export-") as tmp:
        home = Path(tmp)
        store = HistoryStore.open(home / "data" / "history.db", images_root=home / "data" / "images")
        start = time.perf_counter()
        generate_history(store, args.rows, seed=1, days=365, end=datetime(2026, 11, 1, tzinfo=UTC))
        store.close()
        print(f"export benchmark: {args.rows:,} requests (built in {time.perf_counter() - start:.1f} s)")
        base, _ = run_export(home, "--query", "zzznotthere")
        print(f"  baseline (same command, 0 rows): peak {base:6.1f} MB")
        worst = 0.0
        for fmt in ("jsonl", "csv"):
            out = home / f"history.{fmt}"
            peak, seconds = run_export(home, "--format", fmt, "-o", str(out))
            worst = max(worst, peak)
            print(f"  {fmt:<5} to a file: peak {peak:6.1f} MB, {seconds:5.1f} s "
                  f"({args.rows / seconds:,.0f} rows/s), {out.stat().st_size / 1e6:.0f} MB written")
        peak, seconds = run_export(home, "--format", "jsonl")
        worst = max(worst, peak)
        print(f"  jsonl to stdout: peak {peak:6.1f} MB, {seconds:5.1f} s")
        verdict = "OK" if worst <= TARGET_MB else "OVER TARGET"
        print(f"  worst peak {worst:.1f} MB (target <= {TARGET_MB} MB): {verdict}")
        print(f"python {sys.version.split()[0]}, sqlite {__import__('sqlite3').sqlite_version}")
    return 0 if worst <= TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
