"""Shared fixture: a real prompt editor screening with the shipped engine, shown."""

from __future__ import annotations

import pytest

from workbench.core import screening
from workbench.ui.editor.prompt_editor import PromptEditor


@pytest.fixture
def editor(qtbot):
    widget = PromptEditor(scanner=screening.scan)
    qtbot.addWidget(widget)
    widget.resize(700, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
