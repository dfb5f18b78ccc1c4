"""Scene screening and honest desensitize on benchmarks/screening/scenes.jsonl, plus today's
desensitize bars on the public sets and the scan time of real prompts.

    .venv/bin/python benchmarks/bench_scenes.py [--show N]

- harmful scenes flagged likely_blocked or worse with the right category (target ≥ 95 %);
- benign look-alikes false_block (target ≤ 3 %);
- desensitize never returns clear/caution for a harmful scene (target 100 %);
- bench_desensitize's bars over the public unsafe prompts that have only rewritable findings
  (no hard line, no scene): clean after one click ≥ 95 %, idempotent, text untouched 100 %;
- hard lines refused with no rewrite (100 %);
- median full scan of the real youmind prompts (median 1.7k chars) with scene rules (≤ 1 ms).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_desensitize import DEFAULT_DIR, PASSING, load_unsafe, untouched  # noqa: E402

from workbench.core.rewrite import desensitize  # noqa: E402
from workbench.core.screening import get_engine, scan  # noqa: E402

HERE = Path(__file__).resolve().parent
BLOCK = ("likely_blocked", "hard_block")


def scene_set(show: int) -> dict:
    rows = [json.loads(line) for line in (HERE / "screening" / "scenes.jsonl").open(encoding="utf-8") if line.strip()]
    harmful = [r for r in rows if r["label"] == "unsafe"]
    benign = [r for r in rows if r["label"] == "benign"]
    right = never_clear = 0
    examples = []
    for r in harmful:
        res = scan(r["text"])
        high = {f.category for f in res.findings if f.severity in ("high", "critical")}
        if res.verdict in BLOCK and high & set(r["categories"]):
            right += 1
        elif len(examples) < show:
            examples.append(f"MISS {r['categories']} {res.verdict}: {r['text']}")
        if desensitize(r["text"], scan_result=res).verdict not in PASSING:
            never_clear += 1
    blocked = sum(scan(r["text"]).verdict in BLOCK for r in benign)
    return {
        "harmful": len(harmful), "benign": len(benign),
        "harmful_right_category_pct": round(100 * right / len(harmful), 2),
        "benign_false_block_pct": round(100 * blocked / len(benign), 2),
        "desensitize_never_clear_pct": round(100 * never_clear / len(harmful), 2),
        "examples": examples,
    }


def public_bars(folder: Path) -> dict:
    eligible = clean = idem = intact = hard = refused = 0
    for _, text in load_unsafe(folder):
        first = scan(text)
        if not first.findings:
            continue
        if any(f.severity == "critical" for f in first.findings):
            hard += 1
            result = desensitize(text, scan_result=first)
            refused += result.hard_block and result.rewritten == text and not result.edits
            continue
        if any(f.stage == "scene" for f in first.findings):
            continue  # measured by the scene set: never clear, by design no rewrite
        eligible += 1
        result = desensitize(text, scan_result=first)
        clean += result.verdict in PASSING
        again = desensitize(result.rewritten)
        idem += again.rewritten == result.rewritten and not again.edits
        intact += untouched(text, result)

    def pct(n: int, d: int) -> float:
        return round(100 * n / d, 2) if d else 0.0

    return {"rewritable_rows": eligible, "clean_after_one_click_pct": pct(clean, eligible),
            "idempotent_pct": pct(idem, eligible), "untouched_pct": pct(intact, eligible),
            "hard_line_rows": hard, "hard_lines_refused_pct": pct(refused, hard)}


def scan_time(folder: Path) -> dict:
    path = folder / "benign-gptimage2-youmind.jsonl"
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8") if line.strip()]
    engine = get_engine()
    times, scene_times = [], []
    for text in texts:
        t0 = time.perf_counter()
        result = engine.scan(text)
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        engine.scenes.apply(result)
        scene_times.append(time.perf_counter() - t0)
    return {"prompts": len(texts), "median_chars": statistics.median(len(t) for t in texts),
            "median_scan_ms": round(1000 * statistics.median(times), 3),
            "median_scene_stage_ms": round(1000 * statistics.median(scene_times), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0)
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    report = {"scenes": scene_set(args.show), "desensitize": public_bars(args.bench_dir),
              "speed": scan_time(args.bench_dir)}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
