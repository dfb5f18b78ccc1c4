"""`workbench desensitize`: the JSON contract, the readable diff, framing options, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from workbench.cli import main

CONTRACT = {"original", "rewritten", "edits", "framing", "remaining", "hard_block"}
EDIT_KEYS = {"start", "end", "before", "after", "category", "reason"}


def run_cli(*args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "workbench", *args], input=stdin,
                          capture_output=True, timeout=120)


def _json(capsys, *args):
    assert main(["desensitize", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_contract(capsys):
    text = "Two warriors fighting with swords, blood on the ground"
    out = _json(capsys, "--framing", "none", text)
    assert CONTRACT <= set(out)
    assert out["original"] == text and out["framing"] is None and out["hard_block"] is False
    assert out["edits"] and all(set(e) == EDIT_KEYS for e in out["edits"])
    rebuilt, pos = [], 0
    for e in out["edits"]:
        assert text[e["start"]:e["end"]] == e["before"]
        rebuilt += [text[pos:e["start"]], e["after"]]
        pos = e["end"]
    assert "".join(rebuilt) + text[pos:] == out["rewritten"]
    assert out["remaining"] == [] and out["verdict_after"] == "clear"


def test_auto_framing_is_inserted_once(capsys):
    out = _json(capsys, "soldiers fighting in a trench")
    assert out["framing"] and out["rewritten"].startswith(out["framing"])
    assert any("framing" in e["category"].split("; ") for e in out["edits"])
    again = _json(capsys, out["rewritten"])
    assert again["rewritten"] == out["rewritten"] and again["edits"] == [] and again["framing"] is None


def test_custom_and_known_framings(capsys):
    out = _json(capsys, "--framing", "Tapestry scene", "a knight with a machete")
    assert out["rewritten"] == "Tapestry scene: a knight with an ornate ceremonial blade"
    out = _json(capsys, "--framing", "museum-diorama", "a knight with a machete")
    assert out["rewritten"] == "Museum diorama of a knight with an ornate ceremonial blade"


def test_hard_line_is_unchanged(capsys):
    out = _json(capsys, "a naked child")
    assert out["hard_block"] is True and out["rewritten"] == "a naked child"
    assert out["edits"] == [] and out["framing"] is None and "Hard line" in out["message"]


def test_readable_diff(capsys):
    assert main(["desensitize", "--framing", "none", "a knight with a machete"]) == 0
    out = capsys.readouterr().out
    assert "verdict: likely_blocked → clear" in out or "verdict: caution → clear" in out
    assert "diff: a knight with [-a machete-]{+an ornate ceremonial blade+}" in out
    assert "rewritten: a knight with an ornate ceremonial blade" in out


def test_clean_prompt(capsys):
    assert main(["desensitize", "a quiet meadow at dawn"]) == 0
    assert capsys.readouterr().out.splitlines() == ["verdict: clear → clear", "Nothing to rewrite: no findings."]


def test_stdin():
    proc = run_cli("desensitize", "--json", "-", stdin=b"a machete\n")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["original"] == "a machete\n" and out["rewritten"].endswith("ornate ceremonial blade\n")


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["   "], None, "empty"),
        (["-"], b"", "empty"),
        (["-"], b"\x00\x01binary", "binary"),
        (["-"], b"\xff\xfe bad", "UTF-8"),
        (["--framing", " ", "a sword"], None, "--framing"),
    ],
)
def test_bad_input_is_one_line(args, stdin, message):
    proc = run_cli("desensitize", *args, stdin=stdin)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and "Traceback" not in err and message in err
