"""Row numbers people read are 1-based: the batch audit's # column, the CLI's audit table and
its streamed partial images. Machine-readable `index` fields keep their 0-based contract."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from workbench.cli import main
from workbench.ui.audit import BatchAuditDialog

PROMPTS = ["A lighthouse on a cliff at dusk", "Two knights fighting in the rain", "A red fox in snow"]


@pytest.fixture
def dialog(qtbot, qloop):
    widget = BatchAuditDialog()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_the_audit_table_numbers_rows_from_one(dialog, qloop, tmp_path):
    source = tmp_path / "prompts.txt"
    source.write_text("\n".join(PROMPTS) + "\n", encoding="utf-8")
    assert qloop.run_until_complete(dialog.audit_file(source)) == 3
    model = dialog.model
    shown = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert model.headerData(0, Qt.Orientation.Horizontal) == "#"
    assert shown == ["1", "2", "3"]
    assert [row.index for row in model.rows] == [0, 1, 2]  # the report keeps the 0-based field


def test_the_cli_audit_table_counts_from_one_and_json_keeps_index(tmp_path, capsys):
    source = tmp_path / "prompts.txt"
    source.write_text("\n".join(PROMPTS) + "\n", encoding="utf-8")
    main(["audit", str(source)])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()][:3]
    assert [line.split()[0] for line in lines] == ["1", "2", "3"]
    main(["audit", "--json", str(source)])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["index"] for r in records] == [0, 1, 2]
