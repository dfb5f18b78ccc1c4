"""kill -9 during a push loses nothing, and the next push resumes where it stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg

from workbench.core.store import HistoryStore
from workbench.core.store.demo import generate_history
from workbench.core.team import sync
from workbench.core.team.connection import parse_url


def test_kill_during_push_then_resume(team_url, workbench_home):
    with HistoryStore.open() as store:
        generate_history(store, 9000, seed=5)
        total = store.db.execute("SELECT count(*) FROM requests WHERE outcome != 'pending'").fetchone()[0]
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "team", "push", "--url", team_url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    with psycopg.connect(team_url, autocommit=True) as conn:
        while True:  # kill it once the first batch is on the server, before the last one
            try:
                on_server = conn.execute("SELECT count(*) FROM team_requests").fetchone()[0]
            except psycopg.errors.UndefinedTable:
                on_server = 0
            if on_server > 0 or proc.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        partial = conn.execute("SELECT count(*) FROM team_requests").fetchone()[0]
        assert 0 < partial
        done = subprocess.run([sys.executable, "-m", "workbench", "team", "push", "--url", team_url, "--json"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        after = conn.execute("SELECT count(*), count(DISTINCT gid) FROM team_requests").fetchone()
    assert after == (total, total)
    with HistoryStore.open() as store:
        assert store.integrity_check(verify_images=False).ok
        assert sync.status(store, None, parse_url(team_url)[0])["local"]["unpushed_requests"] == 0
