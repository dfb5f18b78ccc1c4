"""`workbench import FILE|-` and `workbench stats`."""

from __future__ import annotations

import json
import subprocess
import sys

from workbench.cli import main

BODY = ('{"error": {"message": "Your request was rejected by the safety system. If you believe this is an error, '
        'contact us at help.openai.com and include the request ID req_imp1. safety_violations=[violence].", '
        '"type": "image_generation_user_error", "param": null, "code": "moderation_blocked", '
        '"moderation_details": {"moderation_stage": "input", "categories": ["violence"]}}}')


def run_cli(*args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "workbench", *args], input=stdin, capture_output=True, timeout=120)


def test_import_pasted_body_from_stdin_then_stats(workbench_home):
    proc = run_cli("import", "-", stdin=BODY.encode())
    assert proc.returncode == 0, proc.stderr
    assert b"imported 1 request(s)" in proc.stdout
    proc = run_cli("history", "search", "req_imp1", "--json")
    row = json.loads(proc.stdout)
    assert row["outcome"] == "blocked_input" and row["source"] == "import" and row["categories"] == ["violence"]
    proc = run_cli("stats", "--json")
    stats = json.loads(proc.stdout)
    assert stats["violation"]["blocked"] == 1 and stats["violation"]["band"] == "systemic"


def test_import_log_with_bad_lines(tmp_path, capsys):
    log = tmp_path / "proxy.jsonl"
    log.write_text("\n".join([
        json.dumps({"timestamp": "2026-11-01T10:00:00Z", "prompt": "a knight", "status": 400, "error": json.loads(BODY)}),
        "{broken json",
        json.dumps({"timestamp": "2026-11-01T10:01:00Z", "prompt": "a lake", "status": 200}),
    ]), encoding="utf-8")
    assert main(["import", str(log), "--json"]) == 1  # some lines skipped
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["imported"] == 2 and report["skipped"] == 1 and report["problems"][0]["line"] == 2
    assert "workbench: line 2: not valid JSON" in captured.err
    assert main(["import", str(log)]) == 1
    assert "2 already present" in capsys.readouterr().out
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "violation rate: 50.0 % - systemic" in out and "categories: violence 1" in out


def test_import_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("nope\n{also nope\n", encoding="utf-8")
    for args in (["import", str(bad)], ["import", str(tmp_path / "missing.csv")], ["import", str(tmp_path)]):
        proc = run_cli(*args)
        assert proc.returncode == 2 and b"Traceback" not in proc.stderr
        assert proc.stderr.decode().strip().startswith("workbench: error:"), proc.stderr
    proc = run_cli("import", "-", stdin=b"\x00\x01binary")
    assert proc.returncode == 2 and b"binary" in proc.stderr


def test_stats_on_empty_history(capsys):
    assert main(["stats", "--by", "week"]) == 0
    assert "violation rate: - - no data" in capsys.readouterr().out
