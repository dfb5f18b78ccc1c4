"""Benchmark of learned calibration at 100,000 requests.

Reports: the full recount from history (target <= 2 s), the incremental update after one
request as the recorder does it (count it in the database and swap it into the in-memory
snapshot; target <= 5 ms), loading the snapshot when fresh (the fingerprint check) and the cost
of the calibrated policy stage on the keystroke path (a 4,000-character prompt, snapshot
active vs. none).

    .venv/bin/python benchmarks/bench_calibration.py [--rows 100000] [--updates 300]

The synthetic history (`store.demo`) is re-marked as imported real traffic, because demo and
Sandbox rows never count. Uses a temporary folder; the user's history is not touched.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

CATEGORIES = ("violence", "sexual", "public-figure", "copyrighted-ip", "living-artist", "minors")
PROMPT = (
    "A wide cinematic still of an old harbour town at dawn, fishing boats tied along the quay, gulls "
    "over the water, warm light on wet cobblestones, market stalls opening, a baker carrying bread, "
    "soft fog rolling in from the sea, muted teal and amber palette, 35mm film grain, shallow depth "
    "of field, rich textures on rope, wood and brass. ")


def realistic_prompt() -> str:
    """About 4,000 characters of descriptive prose with a few findings, like a long real prompt."""
    body = (PROMPT * 12)[:3880]
    return body + (" Two knights fighting in the courtyard, a rifle on the wall, in the style of Greg "
                   "Rutkowski, with a zombie in the fog.")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def line(name: str, values: list[float]) -> str:
    return (f"  {name:<52} p50 {statistics.median(values):8.2f} ms   p95 {pct(values, 0.95):8.2f} ms   "
            f"max {max(values):8.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=300, help="incremental updates to time")
    parser.add_argument("--terms", type=int, default=3000,
                        help="distinct extra terms spread over the requests (a real history is more varied than "
                             "the demo generator's handful)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wb-bench-calibration-"))
    os.environ["WORKBENCH_HOME"] = str(folder / "home")

    from workbench.core import calibration, screening
    from workbench.core.calibration import history
    from workbench.core.screening.policy_profiles import resolve
    from workbench.core.store import HistoryStore
    from workbench.core.store.demo import generate_history

    store = HistoryStore.open(folder / "history.db", images_root=folder / "images")
    started = time.perf_counter()
    generate_history(store, args.rows, seed=11)
    with store.transaction():  # real traffic for the benchmark: demo and Sandbox rows never count
        store.db.execute("UPDATE requests SET source = 'import', provider = 'openai' WHERE provider = 'sandbox'")
        store.db.execute("UPDATE requests SET source = 'import' WHERE source = 'demo'")
        rng = random.Random(5)
        pool = [(f"term{i:05d}", CATEGORIES[i % len(CATEGORIES)]) for i in range(args.terms)]
        extra = [(rid, *rng.choice(pool), "medium") for (rid,) in store.db.execute("SELECT id FROM requests")
                 for _ in range(2)]
        store.db.conn.executemany("INSERT INTO request_findings (request_id, term, category, severity) "
                                  "VALUES (?, ?, ?, ?)", extra)
    judged = store.db.execute(f"SELECT count(*) FROM requests r WHERE {history.COUNTED_SQL}", [0]).fetchone()[0]
    findings = store.db.execute("SELECT count(*) FROM request_findings").fetchone()[0]
    print(f"history: {args.rows:,} requests ({judged:,} judged, {findings:,} finding rows) "
          f"built in {time.perf_counter() - started:.1f} s")

    recount = []
    for _ in range(3):
        t = time.perf_counter()
        keys = history.recompute(store.db)
        recount.append((time.perf_counter() - t) * 1000)
    print(f"full recount: {keys:,} keys")
    print(line(f"recompute ({args.rows:,} requests -> counts)", recount))

    fresh = []
    for _ in range(5):
        t = time.perf_counter()
        snap = history.load(store.db, str(store.path))
        fresh.append((time.perf_counter() - t) * 1000)
    print(line("load when fresh (fingerprint + snapshot build)", fresh))
    calibration.set_active(snap)

    ids = [r[0] for r in store.db.execute(
        f"SELECT r.id FROM requests r WHERE {history.COUNTED_SQL} AND EXISTS "
        "(SELECT 1 FROM request_findings rf WHERE rf.request_id = r.id) ORDER BY r.id DESC LIMIT ?",
        [0, args.updates])]
    updates, swaps = [], []
    for request_id in ids:
        t = time.perf_counter()
        delta = history.record_request(store.db, request_id)
        t2 = time.perf_counter()
        calibration.add_to_active(str(store.path), delta)
        end = time.perf_counter()
        updates.append((end - t) * 1000)
        swaps.append((end - t2) * 1000)
    print(line(f"incremental update after one request (n={len(ids)})", updates))
    print(line("  of which: swap into the in-memory snapshot", swaps))

    text = realistic_prompt()
    policy = resolve(model="gpt-image-2")
    found = screening.scan(text, profile=policy).findings
    evidence = {(*calibration.key_of(f), policy.family): calibration.Counts(passes=12, blocks=1, blocks_input=1)
                for f in found}  # every finding of the prompt has evidence: the most work per scan
    with_evidence = calibration.active().with_updates(evidence)
    runs = {"none": [], "active": []}
    for _ in range(300):  # interleaved, so machine load hits both alike
        for name, active in (("none", None), ("active", with_evidence)):
            calibration.set_active(active)
            t = time.perf_counter()
            screening.scan(text, profile=policy)
            runs[name].append((time.perf_counter() - t) * 1000)
    print(f"prompt: {len(text):,} characters, {len(found)} findings (all with evidence)")
    for name, times in runs.items():
        print(line(f"scan on gpt-image-2, calibration {name}", times))
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
