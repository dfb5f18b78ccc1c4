"""Empty views say what to do (issue 16 item 3): the Findings list of the editor."""

from __future__ import annotations


def test_findings_say_what_to_do_when_empty_and_step_aside_when_there_are_findings(window, qtbot):
    findings = window.editor_panel.findings
    assert "Type or paste a prompt" in findings.empty_state.text()
    window.editor.setPlainText("A lighthouse on a cliff at dusk, watercolor")
    qtbot.waitUntil(lambda: "No risky words found" in findings.empty_state.text())
    window.editor.setPlainText("two knights fighting, blood on the armour")
    qtbot.waitUntil(lambda: findings.model_.rowCount() > 0)
    assert findings.empty_state.text() == "" and not findings.empty_state.label.isVisible()
