"""Bounded input: prompts over the API's limit, hostile characters in terminal output, numbers
in data tables that are not numbers. Each gets one clear message; nothing else is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reliability_helpers import assert_one_line_error, run_cli

from workbench.core.api.pricing import load_prices
from workbench.core.errors import UserFacingError
from workbench.core.io.prompt_files import read_prompts
from workbench.core.io.textinput import MAX_PROMPT_CHARS, terminal_safe
from workbench.core.io.tomlfile import read_toml
from workbench.sandbox.policy import load_policy

HUGE = "a calm lake at dawn " * 500_000  # 10 MB on one line


def test_audit_reports_an_oversize_prompt_per_record_and_keeps_the_rest(tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text(f"a paper boat on a pond\n{HUGE}\na knight with a sword\n", encoding="utf-8")
    proc = run_cli("audit", str(prompts))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert "error" in lines[1] and "10,000,000 characters" in lines[1] and "32,000" in lines[1]
    assert "paper boat" in lines[0] and "knight" in lines[2]
    as_json = [json.loads(line) for line in run_cli("audit", "--json", str(prompts)).stdout.splitlines()]
    assert [("error" in r) for r in as_json] == [False, True, False]


def test_a_prompt_at_the_limit_is_audited(tmp_path):
    records = list(read_prompts(("x" * MAX_PROMPT_CHARS + "\n" + "y" * (MAX_PROMPT_CHARS + 1)).encode()))
    assert records[0].error is None and records[1].text is None and "32,001" in records[1].error


@pytest.mark.parametrize("command", [("scan", "-"), ("generate", "-"), ("desensitize", "-")])
def test_oversize_prompts_are_refused_before_any_work(tmp_path, command):
    proc = run_cli(*command, input=HUGE, cwd=tmp_path)
    assert_one_line_error(proc, "10,000,000 characters", "at most 32,000")
    assert run_cli("history", "list", "--json").stdout == ""  # nothing was sent or recorded


HOSTILE = "a fox \u202eevil\u202c hidden\u200b\u2066x\u2069 \x1b[31mred\x1b[0m \u3164 end"


def test_audit_escapes_direction_control_and_invisible_characters_in_the_terminal(tmp_path):
    prompts = tmp_path / "hostile.jsonl"
    prompts.write_text(json.dumps({"prompt": HOSTILE}) + "\n", encoding="utf-8")
    shown = run_cli("audit", str(prompts)).stdout
    for raw in ("\u202e", "\u202c", "\u200b", "\u2066", "\u2069", "\x1b", "\u3164"):
        assert raw not in shown
    assert "\\u202e" in shown and "\\x1b" in shown and "\\u200b" in shown
    as_json = json.loads(run_cli("audit", "--json", str(prompts)).stdout)
    assert as_json["text"] == HOSTILE  # JSON keeps the text exactly; only the terminal escapes


def test_terminal_safe_leaves_ordinary_text_alone():
    assert terminal_safe("Café au lait, 日本語, emoji 🦊, tab\tend") == "Café au lait, 日本語, emoji 🦊, tab end"
    assert terminal_safe("\ud800 lone") == "\\ud800 lone"  # a lone surrogate cannot crash print()


BAD_NUMBERS = [
    ("inf", "is not a finite number"),
    ("-inf", "is not a finite number"),
    ("nan", "is not a finite number"),
    ("1e400", "is not a finite number"),
    ("1e300", "out of range"),
    ("9" * 400, "an integer of 400 digits is out of range"),
    ("9" * 5000, "cannot be read"),
]


@pytest.mark.parametrize("value, message", BAD_NUMBERS)
def test_toml_tables_refuse_numbers_that_are_not_numbers(tmp_path, value, message):
    table = tmp_path / "table.toml"
    table.write_text(f"[models.x]\nprice = {value}\n", encoding="utf-8")
    with pytest.raises(UserFacingError) as caught:
        read_toml(table, "price table")
    assert message in caught.value.user_message
    if "cannot be read" not in message:
        assert "models.x.price" in caught.value.user_message


def _with_value(original: Path, target: Path, old: str, new: str) -> Path:
    text = original.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def _first_number_line(path: Path) -> str:
    import re

    return next(line for line in path.read_text(encoding="utf-8").splitlines()
                if re.match(r"\s*[\w\"-]+\s*=\s*[0-9]", line) and not re.search(r"\d{4}-\d\d-\d\d", line))


def test_the_price_table_and_the_sandbox_policy_loaders_say_which_number(tmp_path):
    from workbench import paths

    for original, load, new in ((paths.resource("pricing", "prices.toml"), load_prices, "inf"),
                                (paths.resource("sandbox", "policy.toml"), load_policy, "9" * 400)):
        line = _first_number_line(original)
        broken = _with_value(original, tmp_path / original.name, line, line.split("=")[0] + "= " + new)
        with pytest.raises(UserFacingError, match="is not a finite number|out of range") as caught:
            load(broken)
        assert line.split("=")[0].strip().strip('"') in caught.value.user_message
