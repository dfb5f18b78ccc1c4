"""'Add to appeal' proposes the latest draft appeal, so one keypress files the request there."""

from __future__ import annotations

from types import SimpleNamespace

from workbench.ui.generate.appeal_dialog import AppealChoiceDialog


def draft(id_, updated):
    return SimpleNamespace(id=id_, title=f"t{id_}", request_ids=[1], updated_at=updated)


def test_the_latest_draft_is_preselected(qtbot):
    drafts = [draft(3, "2026-12-01T00:00"), draft(5, "2026-12-06T00:00"), draft(4, "2026-12-02T00:00")]
    dialog = AppealChoiceDialog(drafts)
    qtbot.addWidget(dialog)
    assert dialog.choice() == 5


def test_without_drafts_new_is_preselected(qtbot):
    dialog = AppealChoiceDialog([])
    qtbot.addWidget(dialog)
    assert dialog.choice() == "new"
