"""`workbench sandbox` standalone: the first line is the URL, and the server answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx2


def test_standalone_sandbox_prints_url_and_serves(workbench_home):
    env = {**os.environ, "WORKBENCH_HOME": str(workbench_home)}
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "sandbox", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline().rstrip("\n")
        assert first.startswith("Sandbox listening on http://127.0.0.1:") and first.endswith("/v1")
        url = first.split(" ")[-1]
        r = httpx2.post(url + "/images/generations", json={"prompt": "a pier", "size": "1024x1024"},
                        headers={"Authorization": "Bearer x"}, timeout=20)
        assert r.status_code == 200 and r.json()["data"][0]["b64_json"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "Sandbox stopped." in err


def test_bad_port_is_one_line(workbench_home):
    out = subprocess.run([sys.executable, "-m", "workbench", "sandbox", "--port", "70000"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip() == "workbench: error: --port must be from 0 to 65535, not 70000"
