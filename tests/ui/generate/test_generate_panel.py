"""Generate through the main window against the in-process Sandbox (real SDK, real HTTP)."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton

from workbench.core.appeal.store import AppealStore
from workbench.sandbox import shared_sandbox


def run_generate(window, qloop, until, prompt: str, **params) -> None:
    panel = window.generate_panel
    window.editor.setPlainText(prompt)
    panel.form.set_params({"quality": "low", "n": 1, **params})

    async def scenario():
        panel.generate_button.click()
        await until(lambda: panel.running, timeout=5)
        await until(lambda: not panel.running, timeout=30)

    qloop.run_until_complete(scenario())


def test_generate_fills_the_gallery_and_the_history(window, ops, qloop, until):
    assert ops.profiles.active_profile_name() == "Sandbox"  # no key configured: the Sandbox is the default
    run_generate(window, qloop, until, "A lighthouse on a cliff fighting the storm, watercolor", n=2)
    gallery = window.gallery.model
    assert gallery.rowCount() == 2
    item = gallery.item(0)
    entry = ops.history.store().get(item.history_id)
    assert entry.outcome == "ok"
    assert entry.profile == "Sandbox"
    assert entry.prompt == "A lighthouse on a cliff fighting the storm, watercolor"
    assert [f["text"] for f in entry.findings] == ["fighting"]  # local findings are recorded
    assert sorted(i.path for i in entry.images if i.role == "output") == sorted(gallery.item(r).path for r in range(2))
    assert window.generate_panel.card.isVisible()
    assert "2 images generated" in window.generate_panel.card.title.text()
    qloop.run_until_complete(until(lambda: gallery.has_thumbnail(item.key) or gallery.data(gallery.index(0), 1) is None))
    assert gallery.has_thumbnail(item.key)  # decoded off the GUI thread


def test_a_block_shows_stage_request_id_and_advice_and_is_recorded(window, ops, qloop, until):
    run_generate(window, qloop, until, "Two knights at the gate after the massacre")
    card = window.generate_panel.card
    assert card.isVisible()
    assert "input stage" in card.title.text()
    assert "Violence" in card.detail.text()
    entry = ops.history.store().get(card.history_id)
    assert entry.outcome == "blocked_input"
    assert entry.stage == "input" and "violence" in entry.categories
    assert card.request_ids and card.request_ids[0] in entry.request_ids
    shown = [w.text() for w in card.ids_box.findChildren(type(card.ids_box.findChild(object, "requestIdField")))]
    assert card.request_ids[0] in shown
    card.ids_box.findChild(QPushButton, "copyRequestId").click()
    assert QGuiApplication.clipboard().text() == card.request_ids[0]
    assert "input stage" in card.advice.text() and "unchanged" in card.advice.text()
    assert not any("retry" in b.text().lower() for b in card.findChildren(QPushButton))
    assert card.desensitize_button.isVisibleTo(card) and not card.framing_button.isVisibleTo(card)
    assert window.gallery.model.rowCount() == 0

    card.appeal_button.click()  # no draft yet: a new appeal is created directly
    qloop.run_until_complete(until(lambda: AppealStore(ops.history.store()).list(), timeout=5))
    appeals = AppealStore(ops.history.store()).list()
    assert [a.request_ids for a in appeals] == [[entry.id]]


def test_an_output_block_advises_a_framing_change(window, ops, qloop, until):
    run_generate(window, qloop, until, "Boudoir portrait by a window, 35mm photo")
    card = window.generate_panel.card
    assert "output stage" in card.title.text()
    assert card.framing_button.isVisibleTo(card) and not card.desensitize_button.isVisibleTo(card)
    assert ops.history.store().get(card.history_id).outcome == "blocked_output"


def test_cancel_stops_a_slow_request_and_records_it(window, ops, qloop, until):
    panel = window.generate_panel
    marker = "cancelmarker-lake"
    window.editor.setPlainText(f"A calm {marker} at dawn [sandbox:slow=20]")
    panel.form.set_params({"quality": "low", "n": 1})
    sandbox = shared_sandbox()

    def arrived():
        return any(r.prompt and marker in r.prompt for r in list(sandbox.requests))

    async def scenario():
        panel.generate_button.click()
        await until(arrived, timeout=15)
        pending = ops.history.store().search(marker).rows
        assert [row.outcome for row in pending] == ["pending"]  # recorded before it was sent
        assert panel.cancel_button.isEnabled()
        panel.cancel_button.click()
        await until(lambda: not panel.running, timeout=10)

    qloop.run_until_complete(scenario())
    assert panel.elapsed.text() == "Cancelled."
    rows = ops.history.store().search(marker).rows
    assert [row.outcome for row in rows] == ["cancelled"]
    assert panel.generate_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_streamed_partial_images_reach_the_gallery_then_give_way_to_the_final(window, qloop, until):
    partials = []
    window.generate_panel.partial_arrived.connect(partials.append)
    run_generate(window, qloop, until, "A red fox in fresh snow, charcoal sketch", partial_images=2)
    assert partials and all(p.partial and p.data for p in partials)
    items = window.gallery.model.items()
    assert len(items) == 1 and not items[0].partial and items[0].path


def test_bad_reference_image_is_refused_with_a_message(window, ops, qloop, until, said, tmp_path):
    bogus = tmp_path / "not-an-image.png"
    bogus.write_bytes(b"hello")
    window.generate_panel.add_references([str(bogus)])
    window.editor.setPlainText("A calm lake")

    async def scenario():
        window.generate_panel.generate_button.click()
        await until(lambda: any(m.level == "error" and "not a PNG" in m.text for m in said), timeout=5)

    qloop.run_until_complete(scenario())
    assert not window.generate_panel.running
    assert ops.history.store().count() == 0


def test_low_moderation_shows_a_warning_and_the_estimate_follows_settings(window):
    form = window.generate_panel.form
    assert not form.low_warning.isVisibleTo(form)
    form.moderation.setCurrentText("low")
    assert form.low_warning.isVisibleTo(form)
    form.set_params({"quality": "high", "n": 3})
    text = window.generate_panel.estimate.text()
    assert "Sandbox: free" in text and "3 ×" in text
