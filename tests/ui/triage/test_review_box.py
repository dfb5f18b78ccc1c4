"""The review box: approve/reject a request or an image, state and list update, bad input."""

from __future__ import annotations

from workbench.ui.review.box import ReviewBox


def _generated(ops, qloop, n=2):
    from workbench.core.api.records import ImageParams
    from workbench.core.api.request import ImageRequest

    async def go():
        request = ImageRequest(prompt="a lighthouse", params=ImageParams(n=n, quality="low"))
        outcome = await ops.generate.generate("Sandbox", request)
        return outcome.history_id

    return ops.history.store().get(qloop.run_until_complete(go()))


def test_reviewing_an_image_then_the_request(qtbot, ops, qloop, said):
    entry = _generated(ops, qloop)
    box = ReviewBox(ops.history.store)
    qtbot.addWidget(box)
    seen = []
    box.reviewed.connect(seen.append)
    box.set_entry(entry)
    assert [box.target.itemText(i) for i in range(box.target.count())] == ["Whole request", "Image 1", "Image 2"]
    assert box.state.text() == "State: not reviewed"
    box.target.setCurrentIndex(2)
    box.note.setText("<b>six fingers</b>")
    box.reviewer.setText("ana")
    box.reject.click()
    assert seen == [entry.id]
    assert box.state.text() == "State: rejected"
    assert "rejected image 2 by ana: <b>six fingers</b>" in box.reviews.item(0).text()
    assert box.note.text() == ""
    box.target.setCurrentIndex(0)
    box.approve.click()
    assert ops.history.store().get(entry.id).review_state == "approved"
    assert box.reviews.count() == 2


def test_no_entry_disables_the_box(qtbot, ops):
    box = ReviewBox(ops.history.store)
    qtbot.addWidget(box)
    box.set_entry(None)
    assert not box.isEnabled()


def test_a_note_over_the_limit_is_refused_with_a_message_and_nothing_recorded(qtbot, ops, qloop, said):
    from workbench.core.store.reviews import MAX_NOTE, reviews_for

    entry = _generated(ops, qloop, n=1)
    box = ReviewBox(ops.history.store)
    qtbot.addWidget(box)
    seen = []
    box.reviewed.connect(seen.append)
    box.set_entry(entry)
    box.note.setText("x" * (MAX_NOTE + 1))
    box.approve.click()
    assert seen == [] and reviews_for(ops.history.store(), entry.id) == []
    assert any("The review was not recorded" in m.text for m in said)
    assert box.note.text()  # the note is kept so the reviewer can shorten it
