"""`workbench trigger`: by history ID and by prompt, JSON contract, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.core.trigger.test_search import prompt_with


def workbench(*args, input_text=None):
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True,
                          input=input_text, timeout=120)


def test_trigger_a_blocked_history_entry_by_id():
    text = prompt_with(5, count=8)
    gen = workbench("generate", "--json", "--out", "out", text)
    assert gen.returncode == 3  # the Sandbox blocks it
    listed = workbench("history", "list", "--json")
    parent = json.loads(listed.stdout.splitlines()[0])["id"]
    res = workbench("trigger", str(parent), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["status"] == "narrowed" and out["parent_id"] == parent
    assert any("decapitated" in s["text"] for s in out["spans"])
    assert out["plan"]["clauses"] == 8 and out["probe_count"] == len(out["probes"])
    lineage = workbench("history", "lineage", str(parent))
    assert lineage.returncode == 0 and lineage.stdout.count("#") >= out["probe_count"]


def test_trigger_with_a_budget_prints_the_plan_first():
    res = workbench("trigger", "--prompt", prompt_with(2, count=4), "--image", "--budget", "0.03")
    assert "image probes: about $" in res.stderr
    assert res.returncode in (0, 1)


def test_bad_input_is_one_line():
    for args in (["trigger"], ["trigger", "1", "--prompt", "x"], ["trigger", "--prompt", "x", "--image"],
                 ["trigger", "--prompt", "x", "--budget", "-1"], ["trigger", "999"]):
        res = workbench(*args)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
