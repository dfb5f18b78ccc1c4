"""Batch audit dialog: screening a file off the GUI thread, results, filters, cancel, export."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import pytest

from workbench.core.rewrite import desensitize
from workbench.core.screening import scan
from workbench.ui.audit import BatchAuditDialog
from workbench.ui.audit import report as report_module
from workbench.ui.history import dialogs


async def returns(value):
    """An answer for an awaitable dialog seam."""
    return value

PROMPTS = [
    "A lighthouse on a cliff at dusk, watercolor",
    "Two knights fighting in the rain, blood on the armour",
    "Photorealistic close-up of a child in a bikini",
    "A chef slicing onions with a kitchen knife",
]


@pytest.fixture
def dialog(qtbot, qloop):
    widget = BatchAuditDialog()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def rows_of(dialog):
    return dialog.model.rows


def test_a_text_file_is_screened_with_the_editor_engine(dialog, qloop, tmp_path):
    source = tmp_path / "prompts.txt"
    source.write_text("\n".join(PROMPTS) + "\n\n", encoding="utf-8")
    assert qloop.run_until_complete(dialog.audit_file(source)) == 4
    rows = rows_of(dialog)
    assert [r.text for r in rows] == PROMPTS
    assert [r.line for r in rows] == [1, 2, 3, 4]
    for row in rows:
        expected = scan(row.text)
        assert row.verdict == expected.verdict and row.categories == expected.categories
    knights = rows[1]
    assert knights.verdict != "clear" and knights.rewrite == desensitize(knights.text).rewritten
    hard = [r for r in rows if r.verdict == "hard_block"]
    assert hard and all(r.hard_block and r.rewrite is None for r in hard)
    assert dialog.progress.value() == dialog.progress.maximum() == 4
    assert dialog.summary.text().startswith("4 prompts")
    assert dialog.model.data(dialog.model.index(hard[0].index, 5)) == "No rewrite: hard line"


def test_unreadable_lines_are_reported_and_the_rest_kept(dialog, qloop, tmp_path):
    source = tmp_path / "prompts.jsonl"
    source.write_text('{"text": "A red fox in snow"}\n{not json\n{"prompt": "Two men fighting"}\n{"other": 1}\n',
                      encoding="utf-8")
    assert qloop.run_until_complete(dialog.audit_file(source)) == 4
    errors = [r for r in rows_of(dialog) if r.error]
    assert [r.line for r in errors] == [2, 4]
    assert "2 unreadable" in dialog.summary.text()
    dialog.show_choice.setCurrentIndex(dialog.show_choice.findData("errors"))
    assert dialog.proxy.rowCount() == 2
    dialog.show_choice.setCurrentIndex(dialog.show_choice.findData("risky"))
    assert dialog.proxy.rowCount() == sum(1 for r in rows_of(dialog) if r.risky) >= 1


def test_a_csv_needs_a_prompt_column_and_binary_is_refused(dialog, qloop, tmp_path, said):
    source = tmp_path / "bad.csv"
    source.write_text("id,title\n1,hello\n", encoding="utf-8")
    assert qloop.run_until_complete(dialog.audit_file(source)) is None
    assert said[-1].level == "error" and "no 'prompt' or 'text' column" in said[-1].text
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert qloop.run_until_complete(dialog.audit_file(binary)) is None
    assert said[-1].level == "error"
    assert dialog.open_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_open_button_uses_the_file_dialog_seam(dialog, qloop, until, tmp_path, monkeypatch):
    source = tmp_path / "prompts.csv"
    source.write_text('prompt,notes\n"A castle, two knights fighting",x\n"A quiet harbour",y\n', encoding="utf-8")
    monkeypatch.setattr(dialogs.OpenFileDialog, "ask", classmethod(lambda cls, *a: returns(source)))

    async def scenario():
        dialog.open_button.click()
        await until(lambda: len(rows_of(dialog)) == 2 and dialog.open_button.isEnabled())

    qloop.run_until_complete(scenario())
    assert rows_of(dialog)[0].text == "A castle, two knights fighting"
    assert dialog.prompt_text.toPlainText() == "A castle, two knights fighting"  # first row selected


def test_cancel_stops_between_prompts_and_keeps_the_results(dialog, qloop, until, tmp_path, monkeypatch):
    source = tmp_path / "many.txt"
    source.write_text("\n".join(f"a lighthouse, study {i}" for i in range(50)), encoding="utf-8")
    monkeypatch.setattr(report_module, "BATCH_SECONDS", 0.0)
    real_row = report_module.audit_row

    def slow_row(index, *args):
        if index == 3:  # hold the worker until the user has pressed Cancel
            assert dialog._cancel.wait(10)
        return real_row(index, *args)

    monkeypatch.setattr(report_module, "audit_row", slow_row)

    async def scenario():
        running = asyncio.ensure_future(dialog.audit_file(source))
        await until(lambda: len(rows_of(dialog)) >= 3 and dialog.cancel_button.isEnabled())
        dialog.cancel_button.click()
        return await running

    done = qloop.run_until_complete(scenario())
    assert done == 4 and len(rows_of(dialog)) == 4
    assert "(cancelled)" in dialog.summary.text()


def test_the_report_exports_as_csv_and_jsonl(dialog, qloop, tmp_path):
    source = tmp_path / "prompts.txt"
    source.write_text("\n".join(PROMPTS), encoding="utf-8")
    qloop.run_until_complete(dialog.audit_file(source))

    target = tmp_path / "report.jsonl"
    assert qloop.run_until_complete(dialog.export_report(target)) == target
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["index"] for r in records] == [0, 1, 2, 3]
    for record in records:
        contract = scan(record["text"]).to_dict(record["index"])
        assert {k: record[k] for k in contract} == contract  # the `workbench audit --json` fields
    assert records[1]["rewrite"] == desensitize(PROMPTS[1]).rewritten

    target = tmp_path / "report.csv"
    qloop.run_until_complete(dialog.export_report(target))
    table = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert [r["text"] for r in table] == PROMPTS
    assert table[1]["rewrite"] == desensitize(PROMPTS[1]).rewritten and table[1]["verdict"] == records[1]["verdict"]


def test_export_buttons_go_through_the_save_dialog_seam(dialog, qloop, until, tmp_path, monkeypatch):
    source = tmp_path / "prompts.txt"
    source.write_text("\n".join(PROMPTS), encoding="utf-8")
    qloop.run_until_complete(dialog.audit_file(source))
    target = tmp_path / "chosen.csv"
    monkeypatch.setattr(dialogs.SaveFileDialog, "ask", classmethod(lambda cls, *a: returns(target)))

    async def scenario():
        dialog.export_buttons["csv"].click()
        await until(target.exists)

    qloop.run_until_complete(scenario())
    assert target.read_text(encoding="utf-8").startswith("index,line,verdict")
