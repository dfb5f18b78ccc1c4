"""The GUI stall benchmark measures what it claims: its generate request and moderation checks
really go to the Sandbox (it once measured an idle loop while reporting "[Not sent.]")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_gui.py"


def test_the_stall_scenario_sends_its_request_and_checks(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKBENCH_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, str(BENCH), "--only", "stall", "--seconds", "0.3", "--slow", "0.5", "--json"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr[-2000:]
    stall = json.loads(out.stdout)["gui_stall_ms"]
    assert stall["request"].startswith("Done in"), stall
    assert stall["errors"] == [] and stall["partial_frames"] >= 1 and stall["moderation_checks"] >= 1
    assert stall["ticks"] > 0
