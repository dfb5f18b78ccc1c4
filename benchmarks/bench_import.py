"""Benchmark of `workbench import` on a long request log (issue 15: 1M lines, <= 3 min, <= 150 MB).

Writes a JSONL proxy log of `--lines` requests (one in three blocked, with real-looking error
bodies, headers and request IDs; the rest successful with usage), then runs the real CLI in a
child process against a fresh WORKBENCH_HOME and reports wall time, lines per second and the
child's peak resident memory (ru_maxrss). The import screens every new prompt; the screening
engine's cache is built once per installation (the first scan, the app's first start), so that
is done first, in its own child, and reported apart (`--cold` leaves it to the import).

    .venv/bin/python benchmarks/bench_import.py [--lines 1000000] [--keep DIR] [--cold]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BLOCK = {"message": "Your request was rejected by the safety system. If you believe this is an error, contact us at "
                    "help.openai.com and include the request ID {rid}. safety_violations=[violence].",
         "type": "image_generation_user_error", "param": None, "code": "moderation_blocked",
         "moderation_details": {"moderation_stage": "input", "categories": ["violence"]}}
PROMPTS = ("two knights fighting at dawn", "a lighthouse in a storm, oil painting", "a fox in the snow, watercolor",
           "a night market in the rain", "portrait of an astronaut, studio light")


def write_log(path: Path, lines: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            rid = f"req_{i:012x}"
            record = {"timestamp": 1777331753 + i, "prompt": PROMPTS[i % len(PROMPTS)] + f" #{i}",
                      "model": "gpt-image-1.5", "quality": "medium", "size": "1024x1024",
                      "headers": {"x-request-id": rid}}
            if i % 3 == 0:
                error = dict(BLOCK, message=BLOCK["message"].format(rid=rid))
                record.update(status=400, error=error)
            else:
                record.update(status=200, usage={"input_tokens": 12, "output_tokens": 4160, "total_tokens": 4172},
                              latency_ms=12000 + i % 5000)
            fh.write(json.dumps(record) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the log and the database in this folder")
    parser.add_argument("--cold", action="store_true", help="do not build the screening cache before the import")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "proxy.jsonl"
    started = time.perf_counter()
    write_log(log, args.lines)
    size_mb = log.stat().st_size / 1e6
    print(f"log: {args.lines:,} lines, {size_mb:.0f} MB (written in {time.perf_counter() - started:.0f} s)")

    env = {**os.environ, "WORKBENCH_HOME": str(folder / "home")}
    if not args.cold:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "workbench", "scan", "a fox in the snow"], env=env,
                       capture_output=True, check=True)
        print(f"screening cache built (once per installation): {time.perf_counter() - started:.1f} s wall")
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, "-m", "workbench", "import", str(log), "--no-progress"],
                                env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own usage (not the warm-up's)
        wall = time.perf_counter() - started
        out.seek(0)
        print(out.read().strip()[:500])
    code = os.waitstatus_to_exitcode(status)
    peak_mb, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    print(f"import: {wall:.1f} s wall, {cpu:.1f} s CPU, {args.lines / wall:,.0f} lines/s, "
          f"peak RSS {peak_mb:.0f} MB, exit {code}")
    if args.lines < 1_000_000:  # the machine is shared: CPU time is the steadier yardstick
        print(f"at 1,000,000 lines: about {cpu * 1_000_000 / args.lines:.0f} s CPU")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
