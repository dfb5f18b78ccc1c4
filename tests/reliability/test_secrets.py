"""Secrets: a whole session with a recognisable fake key, then every byte it left is searched.

The key is deliberately NOT shaped like an OpenAI key (`sk-…`), so pattern-based scrubbing
cannot hide a missing redaction: only tracking the actual key keeps it out. The Sandbox only
accepts this key, and one request asks it to echo the whole key back in a 401 body, as a
careless proxy would.

Session: the GUI's operations layer (key saved through Settings into the keyring, moderation,
generate ok / input block / output block / key echo, add to appeal), then the CLI in separate
processes with the key in the environment (generate, block, echo, history list/show/search/
export/backup, import of a log that contains the key, stats, appeal export in every format).
Searched: every file under WORKBENCH_HOME (data, config, cache, logs, database and WAL bytes),
every export (ZIP members decompressed, PDF text extracted), every line printed, every message
shown, every log record.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from reliability_helpers import cli_env, run_cli

from workbench.core.api import keys
from workbench.core.api.profiles import Profile
from workbench.core.api.records import ImageParams
from workbench.core.store.images import read_png_text
from workbench.sandbox import SandboxConfig, SandboxServer

KEY = "wbcanary-7f3e9a1c5d2b4e8fa6c0-do-not-leak"
FRAGMENTS = (KEY, KEY[4:24], KEY[-20:])  # the whole key, and long pieces of it


@pytest.fixture
def gateway():
    with SandboxServer(config=SandboxConfig(api_key=KEY)) as server:
        yield server
    keys._forget_all_for_tests()


def _leaks(text: str | bytes) -> list[str]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return [f for f in FRAGMENTS if f in text]


def _gui_session(ops, qloop, gateway) -> list[int]:
    profile = Profile(name="Gateway", kind="compatible", base_url=gateway.url)
    assert ops.profiles.save_profile(profile)
    assert ops.profiles.save_key(profile, KEY).stored_in == "keyring"  # read back from the keyring
    ops.profiles.set_active_profile("Gateway")

    async def scenario() -> list[int]:
        moderation = await ops.moderation.moderate("two knights, a bloodbath on the bridge")
        assert moderation.result is not None and moderation.result.flagged
        ids = []
        for prompt, outcome in (("a lighthouse at dusk", "ok"),
                                ("a bloodbath on the bridge", "blocked_input"),
                                ("a quiet harbour [sandbox:output-block]", "blocked_output"),
                                ("a red fox [sandbox:echo-key]", "error")):
            request = ops.generate.build_request(prompt, ImageParams(model="gpt-image-1", quality="low"))
            done = await ops.generate.generate("Gateway", request, scan=ops.screening.scan_prompt(prompt))
            assert done is not None and done.result.outcome == outcome, (prompt, done and done.result.error)
            ids.append(done.history_id)
        return ids

    ids = qloop.run_until_complete(scenario())
    ops.appeals.add_to_appeal(ids[1:3])
    return ids


def _cli_session(tmp_path: Path, gateway) -> list[subprocess.CompletedProcess]:
    env = cli_env(OPENAI_API_KEY=KEY)
    out = tmp_path / "exports"
    out.mkdir()
    log = tmp_path / "gateway.jsonl"
    log.write_text(json.dumps({
        "prompt": "a castle", "status_code": 400,
        "headers": {"authorization": f"Bearer {KEY}", "x-request-id": "req_log_1"},
        "request": {"api_key": KEY, "prompt": "a castle"},
        "error": {"error": {"message": f"Incorrect API key provided: {KEY}.", "code": "invalid_api_key"}},
    }) + "\n", encoding="utf-8")
    commands = [
        ("generate", "--profile", "Gateway", "--out", str(out), "a windmill at noon"),
        ("generate", "--profile", "Gateway", "--out", str(out), "--json", "a bloodbath in the castle"),
        ("generate", "--profile", "Gateway", "--out", str(out), "a harbour [sandbox:echo-key]"),
        ("import", str(log)),
        ("history", "list"), ("history", "list", "--json"), ("history", "search", "harbour", "--json"),
        ("history", "show", "4"), ("history", "show", "4", "--json"),
        ("history", "export", "--format", "jsonl", "--output", str(out / "history.jsonl")),
        ("history", "export", "--format", "csv", "--output", str(out / "history.csv")),
        ("history", "backup", str(out / "backup.db")),
        ("stats", "--json"), ("stats",),
        ("appeal", "create", "2", "6", "7", "--context", "storyboards for a film"),
        ("appeal", "show", "2", "--json"),
    ] + [("appeal", "export", appeal, "--format", fmt, "--output", str(out))
         for appeal in ("1", "2") for fmt in ("md", "json", "pdf", "zip")]
    runs = []
    for args in commands:
        proc = run_cli(*args, env=env, cwd=tmp_path)
        assert proc.returncode in (0, 3, 4), (args, proc.stderr)  # 3 blocked, 4 failed request
        runs.append(proc)
    return runs


def test_the_key_never_reaches_disk_output_or_messages(tmp_path, home, ops, qloop, said, gateway, caplog):
    caplog.set_level(logging.DEBUG, logger="workbench")
    ids = _gui_session(ops, qloop, gateway)
    entry = ops.history.store().get(ids[3])
    assert entry.http_status == 401 and entry.raw_body  # the echo was recorded, as evidence...
    qloop.run_until_complete(ops.close())  # checkpoint and release the database
    runs = _cli_session(tmp_path, gateway)
    assert any("[REDACTED]" in r.stdout for r in runs)  # ...with the key replaced

    found: list[str] = []
    for run in runs:
        found += [f"output of {run.args[3:]}: {f}" for f in _leaks(run.stdout + run.stderr)]
    found += [f"GUI message {m.text!r}" for m in said if _leaks(m.text)]
    found += [f"log record {r.getMessage()!r}" for r in caplog.records if _leaks(r.getMessage())]
    files = [p for root in (home, tmp_path / "exports") for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files) and any(p.suffix == ".zip" for p in files)
    for path in files:
        found += [f"{path}: {f}" for f in _leaks(path.read_bytes())]
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as bundle:
                for name in bundle.namelist():
                    found += [f"{path}!{name}: {f}" for f in _leaks(bundle.read(name))]
        if path.suffix == ".png":  # prompt and parameters live in zlib-compressed iTXt chunks
            found += [f"{path} (PNG text): {f}" for f in _leaks(json.dumps(read_png_text(path.read_bytes())))]
        if path.suffix == ".pdf" and shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True).stdout
            assert b"storyboards" in text or b"Appeal" in text  # the extraction works
            found += [f"{path} (text): {f}" for f in _leaks(text)]
    assert found == []
