"""Desensitize quality on the public screening benchmarks: pass rate, idempotence, untouched text.

    .venv/bin/python benchmarks/bench_desensitize.py [--json] [--framing] [--show N]
        [--bench-dir ../shared/benchmarks/screening]

Over every unsafe prompt of the benchmark files (read at run time, measured only) whose scan
has at least one rewritable finding and no hard line (hard lines are returned unchanged by
design, and counted separately), it reports:
- pass rate: the rewritten prompt's verdict is `clear` or `caution` (target ≥ 95 %);
- idempotence: desensitizing the rewritten prompt changes nothing (target 100 %);
- untouched text: the edits, applied to the original, give exactly the rewritten text, each
  edit's `before` is the original's text at its offsets, and edits do not overlap — so text
  outside the edited spans is byte-for-byte the original (target 100 %);
- exceptions raised (target 0), and the rules of the findings left at `likely_blocked`, by
  count, which name the gaps (in the lexicon or the rewrite table) to fix next.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from workbench.core.rewrite import apply_edits, best_framing, desensitize, suggest_framings
from workbench.core.screening import ScanResult, scan

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT.parent / "shared" / "benchmarks" / "screening"
PASSING = ("clear", "caution")


def load_unsafe(folder: Path) -> list[tuple[str, str]]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    if row.get("label") == "unsafe" and isinstance(row.get("text"), str):
                        rows.append((f"{path.stem}:{row.get('id', '?')}", row["text"]))
    return rows


def untouched(original: str, result) -> bool:
    edits = sorted(result.edits, key=lambda e: e.start)
    for a, b in zip(edits, edits[1:], strict=False):
        if a.end > b.start:
            return False
    if any(original[e.start : e.end] != e.before for e in edits):
        return False
    try:
        return apply_edits(original, edits) == result.rewritten
    except ValueError:
        return False


def measure(rows: list[tuple[str, str]], *, framing: bool, show: int) -> dict:
    eligible = hard = no_findings = passed = clear = idempotent = intact = errors = 0
    left: Counter[str] = Counter()
    failures: list[str] = []
    started = time.perf_counter()
    for row_id, text in rows:
        try:
            first = scan(text)
            if not first.findings:
                no_findings += 1
                continue
            if any(f.severity == "critical" for f in first.findings):
                hard += 1
                continue
            eligible += 1
            result = desensitize(text, scan_result=first)
            if framing:
                result = best_framing(result, suggest_framings(ScanResult(text, result.findings)))
            if result.verdict in PASSING:
                passed += 1
                clear += result.verdict == "clear"
            else:
                for f in result.remaining:
                    if f.severity in ("high", "critical"):
                        left[f"{f.category} · {f.rule.split('+')[0]}"] += 1
                if len(failures) < show:
                    failures.append(f"{row_id}\n    {text!r}\n  → {result.rewritten!r}")
            again = desensitize(result.rewritten)
            if again.rewritten == result.rewritten and not again.edits:
                idempotent += 1
            elif len(failures) < show:
                failures.append(f"NOT IDEMPOTENT {row_id}\n    {result.rewritten!r}\n  → {again.rewritten!r}")
            if untouched(text, result):
                intact += 1
            elif len(failures) < show:
                failures.append(f"TOUCHED {row_id}")
        except Exception as exc:  # measured, not hidden: reported as a count and an example
            errors += 1
            if len(failures) < show:
                failures.append(f"ERROR {row_id}: {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - started

    def rate(n: int) -> float:
        return round(100.0 * n / eligible, 2) if eligible else 0.0

    return {
        "unsafe_rows": len(rows),
        "without_findings": no_findings,
        "hard_line_rows": hard,
        "eligible_rows": eligible,
        "pass_rate_pct": rate(passed),
        "clear_pct": rate(clear),
        "idempotence_pct": rate(idempotent),
        "untouched_text_pct": rate(intact),
        "exceptions": errors,
        "framing": framing,
        "seconds": round(elapsed, 2),
        "left_likely_blocked_by_rule": dict(left.most_common(25)),
        "examples": failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--framing", action="store_true", help="also add the best framing (as --framing auto)")
    parser.add_argument("--show", type=int, default=0, help="print up to N failing examples")
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    rows = load_unsafe(args.bench_dir)
    if not rows:
        print(f"no unsafe rows found in {args.bench_dir}", file=sys.stderr)
        return 2
    report = measure(rows, framing=args.framing, show=args.show)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"unsafe rows: {report['unsafe_rows']}  (no findings: {report['without_findings']}, "
          f"hard lines left unchanged: {report['hard_line_rows']})")
    print(f"eligible (rewritable findings, no hard line): {report['eligible_rows']}"
          f"{'  [with auto framing]' if args.framing else ''}")
    print(f"  rewritten verdict clear/caution: {report['pass_rate_pct']:6.2f} %   (target ≥ 95 %)")
    print(f"    of which clear:                {report['clear_pct']:6.2f} %")
    print(f"  idempotent:                      {report['idempotence_pct']:6.2f} %   (target 100 %)")
    print(f"  text outside edits untouched:    {report['untouched_text_pct']:6.2f} %   (target 100 %)")
    print(f"  exceptions:                      {report['exceptions']}")
    print(f"  time: {report['seconds']} s")
    if report["left_likely_blocked_by_rule"]:
        print("findings still high after rewrite, by rule:")
        for rule, n in report["left_likely_blocked_by_rule"].items():
            print(f"  {n:5d}  {rule}")
    for example in report["examples"]:
        print(example)
    return 0


if __name__ == "__main__":
    sys.exit(main())
