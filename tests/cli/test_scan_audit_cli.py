"""`workbench scan` and `workbench audit`: the JSON contract and one-line errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from workbench.cli import main

CONTRACT_KEYS = {"index", "text", "verdict", "categories", "findings"}
FINDING_KEYS = {"start", "end", "text", "category", "severity", "message", "replacements"}


def run_cli(*args, stdin: bytes | None = None):
    """Run the real console entry point in a subprocess (stdin, exit code, stderr)."""
    return subprocess.run([sys.executable, "-m", "workbench", *args], input=stdin,
                          capture_output=True, timeout=120)


def test_scan_json(capsys):
    assert main(["scan", "--json", "two knights fighting with swords"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] in ("caution", "likely_blocked")
    assert {f["text"] for f in out["findings"]} == {"fighting", "swords"}
    for f in out["findings"]:
        assert FINDING_KEYS <= set(f)
        assert out["text"][f["start"]:f["end"]] == f["text"]


def test_scan_human_readable(capsys):
    assert main(["scan", "a quiet meadow at dawn"]) == 0
    assert capsys.readouterr().out.strip() == "verdict: clear"


def test_scan_stdin():
    proc = run_cli("scan", "--json", "-", stdin=b"a nude figure")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["categories"] == ["sexual"]


@pytest.mark.parametrize("name, content, fmt", [
    ("p.txt", "a gory scene\n\na meadow\n", None),
    ("p.csv", 'id,prompt\n1,a gory scene\n2,"a meadow, green"\n', None),
    ("p.jsonl", '{"text": "a gory scene"}\n{"prompt": "a meadow"}\n', None),
    ("p.data", '{"text": "a gory scene"}\n{"text": "a meadow"}\n', None),
])
def test_audit_formats_in_input_order(tmp_path, capsys, name, content, fmt):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert main(["audit", "--json", str(path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["index"] for r in rows] == [0, 1]
    assert all(CONTRACT_KEYS <= set(r) for r in rows)
    assert rows[0]["verdict"] == "likely_blocked"
    assert rows[1]["verdict"] == "clear"


def test_audit_reports_bad_jsonl_lines_and_keeps_good_ones(tmp_path, capsys):
    path = tmp_path / "p.jsonl"
    path.write_text('{"text": "a gory scene"}\nnot json\n{"other": 1}\n{"text": "a cat"}\n', encoding="utf-8")
    assert main(["audit", "--json", str(path)]) == 1
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [r.get("verdict") for r in rows] == ["likely_blocked", None, None, "clear"]
    assert rows[1]["error"].startswith("line 2: not valid JSON")
    assert "could not be read" in captured.err


def test_audit_human_table(tmp_path, capsys):
    path = tmp_path / "p.txt"
    path.write_text("a gory scene\na meadow\n", encoding="utf-8")
    assert main(["audit", str(path)]) == 0
    out = capsys.readouterr().out
    assert "likely_blocked" in out and "2 prompts" in out


@pytest.mark.parametrize("content, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    (b"a caf\xe9 in paris\n", "not valid UTF-8"),
    (b"", "no prompts found"),
    (b"id,title\n1,a gory scene\n", "no 'prompt' or 'text' column"),
])
def test_audit_bad_files_one_line_error(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    proc = run_cli("audit", "--json", str(path))
    assert proc.returncode != 0
    err = proc.stderr.decode()
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_missing_file_and_directory(tmp_path):
    for target, message in ((tmp_path / "nope.txt", "no such file"), (tmp_path, "is a folder")):
        proc = run_cli("audit", str(target))
        assert proc.returncode == 2
        assert message in proc.stderr.decode()


def test_ten_megabyte_prompt_is_refused_at_once_with_the_api_limit():
    # The image API takes at most 32,000 characters: screening 10 MB (25 s, ~1 GB) helps nobody.
    text = ("a calm lake with a gory scene " * 450_000)[:10_000_000]
    proc = run_cli("scan", "--json", "-", stdin=text.encode())
    assert proc.returncode == 2 and not proc.stdout
    assert proc.stderr.decode().strip() == ("workbench: error: standard input: the prompt has 10,000,000 "
                                            "characters; GPT image models accept at most 32,000")
    at_limit = run_cli("scan", "--json", "-", stdin=("a calm lake with a gory scene " * 2000)[:32_000].encode())
    assert at_limit.returncode == 0 and json.loads(at_limit.stdout)["verdict"] == "likely_blocked"
