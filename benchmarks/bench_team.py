"""Team sync benchmark against a real PostgreSQL server (started here as in the tests).

Two homes with N requests each (default 10,000) push and pull to the same set: the checksums
must be equal and a second sync must move 0 rows. Then a first push of 100,000 requests is
timed (bar: <= 30 s on a 2-core machine).

    .venv/bin/python benchmarks/bench_team.py [--rows 10000] [--big 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.team.conftest import pg_server  # noqa: E402  the same server start-up as the tests
from workbench.core.store import HistoryStore  # noqa: E402
from workbench.core.store.demo import generate_history  # noqa: E402
from workbench.core.team import sync  # noqa: E402
from workbench.core.team.connection import connect  # noqa: E402


def home(root: Path, name: str, rows: int, seed: int) -> HistoryStore:
    os.environ["WORKBENCH_HOME"] = str(root / name)
    store = HistoryStore.open(root / name / "history.db")
    generate_history(store, rows, seed=seed)
    return store


def run(store: HistoryStore, name: str, root: Path, url: str, action: str) -> tuple[sync.SyncReport, float]:
    os.environ["WORKBENCH_HOME"] = str(root / name)
    conn, server = connect(url)
    start = time.perf_counter()
    with conn:
        report = (sync.push if action == "push" else sync.pull)(store, conn, server)
    return report, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--big", type=int, default=100_000)
    args = ap.parse_args()
    import psycopg

    server = pg_server.__wrapped__()  # the fixture's generator, driven by hand
    base = next(server)
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE bench_pair")
            c.execute("CREATE DATABASE bench_big")
        url = f"{base}/bench_pair"
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            a, b = home(root, "a", args.rows, 1), home(root, "b", args.rows, 2)
            for name, store, action in (("a", a, "push"), ("b", b, "push"), ("b", b, "pull"), ("a", a, "pull")):
                report, seconds = run(store, name, root, url, action)
                moved = report.pushed.requests if action == "push" else report.pulled.requests
                print(f"{name} {action}: {moved} requests in {seconds:.2f} s")
            print("checksums equal:", sync.checksum(a) == sync.checksum(b))
            second = [run(s, n, root, url, act)[0] for n, s in (("a", a), ("b", b)) for act in ("push", "pull")]
            print("second sync moves:", sum(r.pushed.requests + r.pulled.requests for r in second), "rows")
            big = home(root, "big", args.big, 3)
            report, seconds = run(big, "big", root, f"{base}/bench_big", "push")
            print(f"first push of {report.pushed.requests} requests: {seconds:.1f} s (bar 30 s)")
    finally:
        next(server, None)


if __name__ == "__main__":
    main()
