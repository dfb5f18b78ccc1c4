"""`workbench compare`: grid JSON, rewrites, bad input."""

from __future__ import annotations

import json
import subprocess
import sys


def workbench(*args):
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True, timeout=120)


def test_compare_three_models_with_a_rewrite():
    res = workbench("compare", "--json", "--model", "gpt-image-1", "--model", "gpt-image-1-mini",
                    "--model", "gpt-image-2", "--rewrite", "auto", "--param", "quality=low",
                    "A gory knight on the battlefield")
    assert res.returncode == 0, res.stderr
    grid = json.loads(res.stdout)
    assert len(grid["prompts"]) == 2 and grid["prompts"][1] != grid["prompts"][0]
    assert [t["model"] for t in grid["targets"]] == ["gpt-image-1", "gpt-image-1-mini", "gpt-image-2"]
    assert [c["outcome"] for c in grid["cells"][0]] == ["blocked_input"] * 3
    assert grid["summary"]["cells"] == 6 and grid["max_in_flight"]["Sandbox"] <= 2
    listed = [json.loads(line) for line in workbench("history", "list", "--json").stdout.splitlines()]
    assert len(listed) == 6


def test_compare_bad_input():
    for args in (["compare", "x", "--profile", "Nope"], ["compare", "x", "--rewrite", " "],
                 ["compare", "x", "--concurrency", "0"]):
        res = workbench(*args)
        assert res.returncode == 2, (args, res.stderr)
        assert "Traceback" not in res.stderr
