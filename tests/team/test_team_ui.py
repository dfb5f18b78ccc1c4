"""The Team sync dialog against a real PostgreSQL server: sync now, progress, offline, conflicts."""

from __future__ import annotations

from workbench.core.api.records import GenerationResult, ImageParams


def test_sync_now_pushes_and_says_so(window, ops, qloop, until, team_url, said):
    store = ops.history.store()
    store.complete_request(store.begin_request("a lighthouse", ImageParams()), GenerationResult(outcome="ok"))
    dialog = window.show_team_dialog()
    assert not dialog.isModal()
    dialog.url.setText(team_url)

    async def scenario():
        dialog.sync_button.click()
        await until(lambda: dialog.sync_button.isEnabled() and "done" in dialog.status.text(), timeout=30)

    qloop.run_until_complete(scenario())
    assert "1 requests up" in dialog.status.text()
    assert ops.profiles.settings().team_url == team_url
    assert "Team sync done" in window.team_sync.status
    dialog.close()


def test_an_unreachable_server_is_shown_as_offline(window, ops, qloop, until):
    dialog = window.show_team_dialog()
    dialog.url.setText("postgresql://wb@127.0.0.1:1/none")

    async def scenario():
        dialog.sync_button.click()
        await until(lambda: "OFFLINE" in dialog.status.text(), timeout=30)

    qloop.run_until_complete(scenario())
    assert dialog.sync_button.isEnabled() and not dialog.cancel_button.isEnabled()
    dialog.close()


def test_conflicts_are_listed_and_can_be_resolved(window, ops):
    from workbench.core.store.timestamps import utc_now

    ops.history.store().db["team_conflicts"].insert({"appeal_gid": "g1", "field": "notes", "kept_value": "from B",
                                             "other_value": "<b>from A</b>", "created_at": utc_now()})
    dialog = window.show_team_dialog()
    assert dialog.conflicts.count() == 1
    assert "notes: kept “from B”, other edit “<b>from A</b>”" in dialog.conflicts.item(0).text()
    dialog.conflicts.setCurrentRow(0)
    dialog.resolve_button.click()
    assert dialog.conflicts.count() == 0
    dialog.close()


def test_an_appeal_with_an_open_team_conflict_is_marked_and_opens_its_resolution(window, ops):
    from PySide6.QtCore import Qt

    from workbench.core.appeal import AppealStore
    from workbench.core.store.timestamps import utc_now

    store = ops.history.store()
    rid = store.begin_request("a lighthouse", ImageParams())
    store.complete_request(rid, GenerationResult(outcome="ok"))
    first = AppealStore(store).create([rid], title="Harbour scene")
    other = AppealStore(store).create([rid], title="Calm one")
    gid = store.db.execute("SELECT gid FROM appeals WHERE id = ?", [first.id]).fetchone()[0]
    store.db["team_conflicts"].insert({"appeal_gid": gid, "field": "notes", "kept_value": "from B",
                                       "other_value": "from A", "created_at": utc_now()})
    view = window.appeals_view
    window.show_tab("appeals")
    view.reload(select=first.id)
    texts = {view.appeal_list.item(r).data(Qt.ItemDataRole.UserRole): view.appeal_list.item(r).text()
             for r in range(view.appeal_list.count())}
    assert "⚠ 1 team conflict(s) to review" in texts[first.id]
    assert "team conflict" not in texts[other.id]
    assert view.conflict_button.isVisibleTo(view)
    opened = []
    view.team_conflicts_requested.connect(opened.append)
    view.conflict_button.click()
    assert opened == [gid]
    from workbench.ui.team.dialog import TeamDialog

    shown = [d for d in window.findChildren(TeamDialog) if d.isVisible()]
    assert len(shown) == 1
    newest = shown[0]
    assert not newest.isModal()
    assert newest.conflicts.currentItem() is not None  # the appeal's conflict is selected
    newest.resolve_button.click()
    texts = [view.appeal_list.item(r).text() for r in range(view.appeal_list.count())]
    assert not any("team conflict" in t for t in texts)
    assert not view.conflict_button.isVisibleTo(view)
    newest.close()
