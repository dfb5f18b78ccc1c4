"""Appeals tab over a real store: list, composer (auto-saved), preview, status, export."""

from __future__ import annotations

import json
import zipfile

import pytest

from workbench.core.appeal import AppealStore
from workbench.core.store import HistoryFilter
from workbench.core.store.demo import generate_history
from workbench.ui import messages
from workbench.ui.appeals import AppealsView
from workbench.ui.history import dialogs


async def returns(value):
    """An answer for an awaitable dialog seam."""
    return value

SECRET = "sk-" "proj-THISISASECRETKEY0123456789abcdef"


@pytest.fixture
def blocked(ops):
    store = ops.history.store()
    generate_history(store, 400, seed=5)
    rows = store.search("", HistoryFilter(outcomes=("blocked_input", "blocked_output")), limit=3).rows
    assert len(rows) == 3
    return rows


@pytest.fixture
def appeal(ops, blocked):
    return AppealStore(ops.history.store()).create([blocked[0].id, blocked[1].id], title="Castle siege scene",
                                           account_id="org-test-42")


@pytest.fixture
def view(qtbot, ops, appeal):
    widget = AppealsView(ops)
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.worker.close()


def test_the_appeal_is_listed_and_loaded_in_the_composer(view, appeal, blocked, qloop, until):
    assert view.appeal_list.count() == 1
    assert view.composer.title.text() == "Castle siege scene"
    assert view.composer.account_id.text() == "org-test-42"
    assert view.composer.status.currentData() == "draft"
    assert view.composer.requests.rowCount() == 2
    assert view.composer.requests.item(0, 3).text() == blocked[0].request_id
    qloop.run_until_complete(until(lambda: view.preview.packet is not None))
    assert "business_context" in view.preview.missing()
    assert blocked[0].request_id in view.preview.text.toPlainText()


def test_typing_updates_the_preview_at_once_and_is_saved_after_a_pause(view, appeal, ops, qloop, until, qtbot):
    qloop.run_until_complete(until(lambda: view.preview.packet is not None))
    qtbot.keyClicks(view.composer.business_context, "Textbook illustration <b>for schools</b>")
    assert "business_context" not in view.preview.missing()
    assert "Textbook illustration" in view.preview.text.toPlainText()  # Markdown-escaped markup follows
    store = AppealStore(ops.history.store())
    qloop.run_until_complete(until(lambda: store.get(appeal.id).business_context
                                   == "Textbook illustration <b>for schools</b>"))
    assert view.saved_label.text() == "Saved"


def test_status_changes_are_recorded_with_their_time(view, appeal, ops):
    view.composer.ticket.setText("TICKET-77")
    view.composer.ticket.textEdited.emit("TICKET-77")
    view.composer.status.setCurrentIndex(view.composer.status.findData("submitted"))
    view.composer.status.activated.emit(view.composer.status.currentIndex())
    stored = AppealStore(ops.history.store()).get(appeal.id)
    assert stored.status == "submitted" and stored.submitted_at and stored.ticket == "TICKET-77"
    assert "Submitted" in view.appeal_list.item(0).text() and "TICKET-77" in view.appeal_list.item(0).text()


@pytest.mark.parametrize("fmt", ["md", "json", "pdf", "zip"])
def test_export_writes_each_format(view, appeal, blocked, qloop, tmp_path, fmt, said):
    target = tmp_path / f"packet.{fmt}"
    written = qloop.run_until_complete(view.export(fmt, target))
    assert written == target and target.stat().st_size > 0
    if fmt == "md":
        text = target.read_text(encoding="utf-8")
        assert text.startswith("# Appeal #") and blocked[0].request_id in text
    elif fmt == "json":
        packet = json.loads(target.read_text(encoding="utf-8"))
        assert packet["appeal"]["account_id"] == "org-test-42"
        assert [r["history_id"] for r in packet["requests"]] == [blocked[0].id, blocked[1].id]
    elif fmt == "pdf":
        assert target.read_bytes().startswith(b"%PDF")
    else:
        names = zipfile.ZipFile(target).namelist()
        folder = f"appeal-{appeal.id}"
        assert {f"{folder}/packet.md", f"{folder}/packet.json", f"{folder}/packet.pdf"} <= set(names)
    assert said[-1].level == "info" and "exported to" in said[-1].text


def test_export_button_goes_through_the_file_dialog_seam(view, appeal, qloop, until, tmp_path, monkeypatch):
    target = tmp_path / "chosen.md"
    asked = []

    async def fake_ask(cls, parent, title, suggested, file_filter):
        asked.append((suggested.name, file_filter))
        return target

    monkeypatch.setattr(dialogs.SaveFileDialog, "ask", classmethod(fake_ask))

    async def scenario():
        view.export_buttons["md"].click()
        await until(lambda: target.exists() and view.export_buttons["md"].isEnabled())

    qloop.run_until_complete(scenario())
    assert asked == [(f"appeal-{appeal.id}.md", "Markdown (*.md)")]


def test_unsaved_edits_are_saved_before_export_and_secrets_never_leave(view, appeal, ops, qloop, tmp_path):
    ops.history.store().add_secret(SECRET)
    view.composer.business_context.setPlainText(f"Needed for a museum exhibit. key={SECRET}")
    target = tmp_path / "packet.json"
    qloop.run_until_complete(view.export("json", target))
    text = target.read_text(encoding="utf-8")
    assert "Needed for a museum exhibit." in text
    assert SECRET not in text


def test_an_unwritable_destination_is_a_message(view, appeal, qloop, tmp_path, said):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert qloop.run_until_complete(view.export("md", blocker / "x" / "packet.md")) is None
    assert said[-1].level == "error" and said[-1].text.startswith("The appeal was not exported")


def test_add_to_appeal_elsewhere_selects_the_new_appeal(view, ops, blocked):
    created = ops.appeals.add_to_appeal([blocked[2].id])
    assert view.appeal_list.count() == 2
    assert view.composer.heading.text() == f"Appeal #{created.id}"
    assert view.composer.requests.rowCount() == 1


def test_remove_a_request_and_delete_the_appeal(view, appeal, ops, blocked, monkeypatch, qloop, until):
    view.composer.requests.selectRow(1)
    view.composer.remove_button.click()
    assert AppealStore(ops.history.store()).get(appeal.id).request_ids == [blocked[0].id]
    assert view.composer.requests.rowCount() == 1
    monkeypatch.setattr(dialogs.Confirm, "ask", classmethod(lambda cls, *a, **k: returns(True)))
    view.delete_button.click()
    qloop.run_until_complete(until(lambda: AppealStore(ops.history.store()).list() == [], timeout=5))
    assert AppealStore(ops.history.store()).list() == []
    assert view.stack.currentWidget() is view.empty


def test_the_outcome_column_never_elides_however_narrow_the_composer(view, appeal, ops, blocked, qtbot):
    from tests.ui.test_layout_fits import elided_cells

    store = ops.history.store()
    unknown = store.record_completed("A lighthouse keeper in a storm", {"model": "gpt-image-1"},
                                     outcome="blocked_unknown", http_status=400,
                                     request_ids=["req_0123456789abcdef0123456789abcdef"])
    AppealStore(store).add_requests(appeal.id, [unknown.id])
    ops.appeals.changed.emit(appeal.id)
    table = view.composer.requests
    assert table.rowCount() == 3
    outcome = 1
    assert table.item(2, outcome).text() == "Blocked (stage unknown)"  # the longest outcome label
    for composer_width in (640, 420, 300):  # the user drags the splitter: the table scrolls instead
        view.splitter.setSizes([composer_width, 1400 - composer_width])
        qtbot.wait(1)
        assert not elided_cells(table, outcome), composer_width
        assert table.item(2, 3).toolTip() == messages.plain_tooltip("req_0123456789abcdef0123456789abcdef")
