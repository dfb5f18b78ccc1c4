"""The dashboard's calibration map: the learned model per family, and export / reset / import
through the real non-blocking dialogs, with the editor's snapshot following."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QFileDialog, QLineEdit, QMessageBox

from workbench.core import calibration
from workbench.core.screening import scan
from workbench.core.screening.policy_profiles import resolve
from workbench.ui.dashboard import DashboardView

ARTIST = "A castle at dusk in the style of Greg Rutkowski"
KEY = ("greg rutkowski", "living-artist", "gpt-image-2")


@pytest.fixture(autouse=True)
def no_active_snapshot():
    calibration.set_active(None)
    yield
    calibration.set_active(None)


@pytest.fixture
def view(qtbot, ops):
    store = ops.history.store()
    findings = scan(ARTIST).findings
    with store.transaction():
        for _ in range(10):
            store.record_completed(ARTIST, {"model": "gpt-image-2"}, outcome="ok", provider="openai",
                                   findings=findings)
        for _ in range(5):  # Sandbox rows teach nothing
            store.record_completed(ARTIST, {"model": "gpt-image-2"}, outcome="blocked_input", provider="sandbox",
                                   findings=findings)
    widget = DashboardView(ops)
    qtbot.addWidget(widget)
    widget.resize(1400, 1200)
    yield widget
    widget.worker.close()


def map_row(view, term):
    table = view.calibration.table
    for row in range(table.rowCount()):
        if table.item(row, 1).text() == term:
            return [table.item(row, c).text() for c in range(table.columnCount())]
    return None


def test_the_map_shows_what_was_learned_per_family(view, qloop):
    qloop.run_until_complete(view.refresh())
    row = map_row(view, "greg rutkowski")
    assert row[0] == "gpt-image-2" and row[3:5] == ["10", "0"]  # the Sandbox blocks are not there
    assert row[6] == "56 %"  # how sure: 10 / (8 + 10)
    assert row[7] == "medium → low"


def test_export_reset_and_import_through_the_dialogs(view, ops, qloop, until, tmp_path):
    qloop.run_until_complete(view.refresh())
    target = tmp_path / "team.json"
    cal = view.calibration

    async def choose(name: str, path) -> None:
        await until(lambda: view.findChild(QFileDialog, name) is not None)
        chooser = view.findChild(QFileDialog, name)
        chooser.findChild(QLineEdit, "fileNameEdit").setText(str(path))
        chooser.accept()

    async def scenario():
        cal.buttons["export"].click()
        await choose("saveFileDialog", target)
        await until(lambda: target.exists() and cal.buttons["export"].isEnabled())

        cal.buttons["reset"].click()
        await until(lambda: view.findChild(QMessageBox, "confirmBox") is not None)
        box = view.findChild(QMessageBox, "confirmBox")
        next(b for b in box.buttons() if b.text() == "Reset").click()
        await until(lambda: cal.table.rowCount() == 0 and calibration.active() is not None)
        assert calibration.active().get(*KEY) is None  # the editor forgot too

        # A teammate's file: the same counts, learned on another installation.
        doc = json.loads(target.read_text())
        for row in doc["counts"]:
            row["origin"] = "teammate"
        doc["origin"] = "teammate"
        shared = tmp_path / "teammate.json"
        shared.write_text(json.dumps(doc))
        cal.buttons["import"].click()
        await choose("openFileDialog", shared)
        await until(lambda: map_row(view, "greg rutkowski") is not None)

    qloop.run_until_complete(scenario())
    assert calibration.active().get(*KEY).passes == 10
    # The imported evidence judges in the editor at once.
    assert scan(ARTIST, profile=resolve(model="gpt-image-2")).verdict == "caution"


def test_a_bad_file_is_said_and_nothing_changes(view, ops, qloop, until, tmp_path, said):
    qloop.run_until_complete(view.refresh())
    before = map_row(view, "greg rutkowski")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "workbench-calibration", "version": 1, "exported_at": "x", "origin": "o", '
                   '"counts": [{"origin": "o", "family": "f", "term": "t", "category": "c", "passes": -3}]}')

    async def scenario():
        view.calibration.buttons["import"].click()
        await until(lambda: view.findChild(QFileDialog, "openFileDialog") is not None)
        chooser = view.findChild(QFileDialog, "openFileDialog")
        chooser.findChild(QLineEdit, "fileNameEdit").setText(str(bad))
        chooser.accept()
        await until(lambda: any("not imported" in m.text for m in said))

    qloop.run_until_complete(scenario())
    assert any('row 1: "passes" must be a whole number' in m.text for m in said)
    qloop.run_until_complete(view.refresh())
    assert map_row(view, "greg rutkowski") == before
