"""The "Import errors and logs" dialog over a real store: paste, open a file, the report, History."""

from __future__ import annotations

import asyncio
import json

import pytest
from PySide6.QtWidgets import QFileDialog, QLineEdit

from workbench.ui.history.import_dialog import ImportDialog

REQUEST_ID = "req_5b0e2c7d91a34f6e8d21c0ab47f9e318"
# An OpenAI Images API block, pasted as the console prints it (pretty-printed, multi-line).
OPENAI_BLOCK = """{
  "error": {
    "message": "Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID %s in your message. safety_violations=[sexual, violence].",
    "type": "image_generation_user_error",
    "param": null,
    "code": "moderation_blocked"
  }
}""" % REQUEST_ID


def log_line(prompt: str, request_id: str, categories: str) -> str:
    body = {"error": {"message": f"Your request was rejected by the safety system. safety_violations=[{categories}].",
                      "type": "image_generation_user_error", "param": None, "code": "moderation_blocked"}}
    return json.dumps({"timestamp": "2025-03-02T10:15:00Z", "prompt": prompt, "model": "gpt-image-1",
                       "status_code": 400, "request_id": request_id, "response_body": body})


@pytest.fixture
def view(open_view):
    return open_view()


def run_import(qloop, until, dialog: ImportDialog, text: str) -> None:
    """Paste `text` and click Import, waiting until the report is shown."""
    async def scenario():
        dialog.text.setPlainText(text)
        dialog.report.clear()
        assert dialog.import_button.isEnabled()
        dialog.import_button.click()
        await until(lambda: dialog.import_button.isEnabled() and dialog.report.toPlainText() not in ("", "Importing…"))

    qloop.run_until_complete(scenario())


def test_pasted_openai_block_becomes_a_blocked_input_row_shown_in_history(ops, view, qloop, until):
    dialog = view.show_import_dialog()
    assert dialog.isVisible() and not dialog.import_button.isEnabled()  # nothing pasted yet
    run_import(qloop, until, dialog, OPENAI_BLOCK)

    store = ops.history.store()
    assert store.count() == 1
    (new_id,) = dialog.last.report.ids
    entry = store.get(new_id)
    assert entry.outcome == "blocked_unknown"  # the body does not say which stage
    assert entry.request_ids == [REQUEST_ID]
    assert sorted(entry.categories) == ["sexual", "violence"]
    assert entry.error_code == "moderation_blocked"
    report = dialog.report.toPlainText()
    assert report.startswith("Imported 1 request(s) from pasted text (a single error body).")
    assert REQUEST_ID in report and "Blocked (stage unknown)" in report
    # The History view reloaded and shows the imported request, selected in the table.
    assert view.details.entry.id == new_id
    assert view.selected_ids() == [new_id]
    assert view.count_label.text() == "1 request(s) in history"

    run_import(qloop, until, dialog, OPENAI_BLOCK)  # the same paste again is a duplicate
    assert store.count() == 1
    assert "Nothing new in pasted text" in dialog.report.toPlainText()
    assert "1 duplicate(s) skipped" in dialog.report.toPlainText()


def test_jsonl_with_a_bad_line_reports_its_number_and_keeps_the_good_lines(ops, view, qloop, until):
    text = "\n".join([log_line("a knight in a duel", "req_line_one", "violence"),
                      '{"prompt": "cut off here", "status_code": 4',
                      log_line("a beach at dusk", "req_line_three", "sexual")])
    dialog = view.show_import_dialog()
    run_import(qloop, until, dialog, text)

    report = dialog.last.report
    assert report.format == "jsonl" and report.imported == 2
    shown = dialog.report.toPlainText()
    assert "Imported 2 request(s) from pasted text (JSON Lines)." in shown
    assert "1 line(s) skipped:" in shown
    assert "line 2: not valid JSON" in shown
    store = ops.history.store()
    assert sorted(r for e in map(store.get, report.ids) for r in e.request_ids) == ["req_line_one", "req_line_three"]
    assert [store.get(i).source_detail for i in report.ids] == ["pasted text:1", "pasted text:3"]
    assert view.details.entry.id == report.ids[0]


def test_garbage_text_is_refused_with_a_reason_and_imports_nothing(ops, view, qloop, until):
    dialog = view.show_import_dialog()
    emitted = []
    dialog.imported.connect(emitted.append)
    run_import(qloop, until, dialog, "lunch at noon?\nsure, see you there")

    assert dialog.report.toPlainText().startswith("Nothing was imported: pasted text is not an error body or a request log")
    assert ops.history.store().count() == 0
    assert emitted == [] and dialog.last is None
    assert dialog.text.toPlainText() == "lunch at noon?\nsure, see you there"  # kept, to fix and retry


def test_open_file_imports_a_csv_log_through_the_non_blocking_file_dialog(ops, view, qloop, until, tmp_path):
    log = tmp_path / "proxy-log.csv"
    body = json.dumps({"error": {"message": "Rate limit reached for images per minute.", "type": "requests",
                                 "code": "rate_limit_exceeded", "param": None}})
    log.write_text("timestamp,prompt,status_code,request_id,response_body\n"
                   f'2025-03-01T09:00:00Z,a lighthouse in fog,429,req_csv_0001,"{body.replace(chr(34), chr(34) * 2)}"\n'
                   "2025-03-01T09:01:00Z,a quiet harbour,200,req_csv_0002,\n", encoding="utf-8")
    dialog = view.show_import_dialog()
    asked = []

    async def scenario():
        dialog.open_button.click()
        await until(lambda: dialog.findChild(QFileDialog, "importFileDialog") is not None)
        chooser = dialog.findChild(QFileDialog, "importFileDialog")
        assert chooser.isVisible() and not dialog.open_button.isEnabled()  # shown with open(), loop still runs
        asked.append(";;".join(chooser.nameFilters()))
        chooser.findChild(QLineEdit, "fileNameEdit").setText(str(log))  # typed, as a user would
        chooser.accept()
        await until(lambda: dialog.last is not None)

    qloop.run_until_complete(scenario())
    assert "*.jsonl" in asked[0] and "*.csv" in asked[0]
    assert dialog.last.report.imported == 2
    assert "Imported 2 request(s) from proxy-log.csv (CSV)." in dialog.report.toPlainText()
    store = ops.history.store()
    outcomes = {store.get(i).request_ids[0]: store.get(i).outcome for i in dialog.last.report.ids}
    assert outcomes == {"req_csv_0001": "error", "req_csv_0002": "ok"}
    assert store.get(dialog.last.report.ids[0]).source_detail == "proxy-log.csv:2"


def test_a_missing_file_is_reported_not_raised(ops, view, qloop, tmp_path):
    dialog = view.show_import_dialog()
    assert qloop.run_until_complete(dialog.import_file(tmp_path / "gone.jsonl")) is None
    assert dialog.report.toPlainText() == f"Nothing was imported: {tmp_path / 'gone.jsonl'}: no such file"


def test_file_menu_import_opens_the_dialog_on_the_history_tab(window):
    assert window.import_action.shortcut().toString() == "Ctrl+I"
    window.import_action.trigger()
    dialog = window.history_view._import_dialog
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    assert window.tabs.currentWidget() is window.history_view
    window.history_view.import_button.click()  # the History tab's button raises the same dialog
    assert window.history_view._import_dialog is dialog
    dialog.close()


def test_support_fields_go_with_the_pasted_body(ops, view, qloop, until):
    dialog = view.show_import_dialog()
    dialog.fields.set_text("request_id", "req_from_support")
    dialog.fields.set_text("prompt", "two knights at dawn")
    dialog.fields.set_text("model", "gpt-image-1.5")
    dialog.fields.set_text("account", "Studio org")
    dialog.fields.set_text("http_status", "400")
    run_import(qloop, until, dialog, OPENAI_BLOCK)
    entry = ops.history.store().get(dialog.last.report.ids[0])
    assert entry.request_ids[:2] == ["req_from_support", REQUEST_ID] and entry.prompt == "two knights at dawn"
    assert (entry.model, entry.profile, entry.http_status) == ("gpt-image-1.5", "Studio org", 400)
    assert entry.raw_body == OPENAI_BLOCK

    dialog.fields.set_text("http_status", "4000")
    run_import(qloop, until, dialog, OPENAI_BLOCK.replace("safety system", "safety  system"))
    assert "HTTP status '4000' is not a number from 100 to 599" in dialog.report.toPlainText()


def test_a_long_file_shows_progress_and_stop_keeps_what_was_written(ops, view, qloop, until, tmp_path):
    from workbench.core.store.importing import BATCH

    log = tmp_path / "long.jsonl"
    log.write_text("\n".join(log_line(f"prompt {i}", f"req_long_{i}", "violence") for i in range(6 * BATCH)),
                   encoding="utf-8")
    dialog = view.show_import_dialog()
    seen = []
    dialog.progress.valueChanged.connect(seen.append)

    async def scenario():
        task = asyncio.ensure_future(dialog.import_file(log))
        await until(lambda: dialog.stop_button.isVisible())
        await until(lambda: bool(seen))
        dialog.stop_button.click()
        return await task

    outcome = qloop.run_until_complete(scenario())
    assert outcome.report.cancelled and 0 < outcome.report.imported < 6 * BATCH
    assert outcome.report.imported % BATCH == 0 and ops.history.store().count() == outcome.report.imported
    assert "Stopped before the end" in dialog.report.toPlainText()
    assert not dialog.progress.isVisible() and not dialog.stop_button.isVisible()


def test_complete_an_imported_entry_later_and_see_the_change_recorded(ops, view, qloop, until):
    dialog = view.show_import_dialog()
    run_import(qloop, until, dialog, OPENAI_BLOCK)
    assert dialog.complete_button.isEnabled()
    dialog.complete_button.click()
    complete = dialog._complete_dialog
    entry_id = dialog.last.report.ids[0]

    async def scenario():
        await until(lambda: complete.title.text().startswith(f"Request #{entry_id}"))
        complete.prompt.setPlainText("a duel in the rain")
        complete.request_ids.setText("req_added_later")
        complete.notes.setPlainText("customer ticket 42")
        complete.save_button.click()
        await until(lambda: complete.status.text().startswith("Saved"))
        await until(lambda: "prompt" in complete.history.toPlainText())

    qloop.run_until_complete(scenario())
    entry = ops.history.store().get(entry_id)
    assert entry.prompt == "a duel in the rain" and entry.request_ids[0] == "req_added_later"
    assert entry.notes == "customer ticket 42"
    assert "'' → 'a duel in the rain'" in complete.history.toPlainText()
    complete.close()
