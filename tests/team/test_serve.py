"""`workbench serve`: Datasette over HTTP, read-only, with metadata and canned queries."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytest.importorskip("datasette", reason="the 'serve' extra (Datasette) is not installed")


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def test_serve_shows_the_history_read_only(workbench_home):
    from workbench.core.api.records import ErrorRecord, GenerationResult, ImageParams
    from workbench.core.appeal.store import AppealStore
    from workbench.core.store.history import HistoryStore

    with HistoryStore.open() as store:
        blocked = store.begin_request("a knight, decapitated", ImageParams(model="gpt-image-1"))
        store.complete_request(blocked, GenerationResult(outcome="blocked_input", error=ErrorRecord(
            kind="blocked", stage="input", categories=["violence"], message="blocked")))
        child = store.begin_request("a knight resting", ImageParams(model="gpt-image-1"), parent_id=blocked)
        store.complete_request(child, GenerationResult(outcome="ok"))
        AppealStore(store).create([blocked], title="Knight")
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                dbs = _get(f"{base}/-/databases.json")
                break
            except OSError as exc:
                if time.monotonic() > deadline or proc.poll() is not None:
                    why = proc.stderr.read() if proc.poll() is not None else "serve did not start"
                    raise AssertionError(why) from exc
                time.sleep(0.2)
        (db,) = [d for d in dbs if d["name"] == "history"]
        assert db["is_mutable"] is False
        rows = _get(f"{base}/history/requests.json?_shape=array&_sort=id")
        assert [r["prompt"] for r in rows] == ["a knight, decapitated", "a knight resting"]
        by_cat = _get(f"{base}/history/blocked_by_category_and_model.json?_shape=array")
        assert by_cat == [{"category": "violence", "model": "gpt-image-1", "blocked": 1}]
        rate = _get(f"{base}/history/pass_rate_after_rewrite.json?_shape=array")
        assert rate[0]["passed"] == 1 and rate[0]["pass_rate_percent"] == 100.0
        appeals = _get(f"{base}/history/appeals_by_status.json?_shape=array")
        assert appeals[0]["status"] == "draft"
        meta = _get(f"{base}/-/metadata.json")
        assert "gid" in meta["databases"]["history"]["tables"]["requests"]["columns"]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # waits and closes the pipe


def test_team_cli_round_trip(team_url, workbench_home):
    def wb(*args):
        return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True, timeout=120)

    from workbench.core.api.records import GenerationResult, ImageParams
    from workbench.core.store.history import HistoryStore

    with HistoryStore.open() as store:
        store.complete_request(store.begin_request("one", ImageParams()), GenerationResult(outcome="ok"))
    assert wb("team", "status", "--json").returncode == 2  # no server set: one-line error
    assert wb("team", "set-url", team_url).returncode == 0
    out = json.loads(wb("team", "sync", "--json").stdout)
    assert out["pushed"]["requests"] == 1 and out["pulled"]["requests"] == 0
    again = json.loads(wb("team", "sync", "--json").stdout)
    assert again["pushed"]["requests"] == 0
    status = json.loads(wb("team", "status", "--json").stdout)
    assert status["online"] and status["remote"]["requests"] == 1 and status["local"]["unpushed_requests"] == 0
    offline = wb("team", "status", "--url", "postgresql://wb@127.0.0.1:1/none")
    assert offline.returncode == 0 and "OFFLINE" in offline.stdout
