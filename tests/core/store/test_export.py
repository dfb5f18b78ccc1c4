"""The one history export (CLI and History tab): JSONL and CSV, streamed, written atomically."""

from __future__ import annotations

import csv
import io
import json

import pytest

from workbench.core.errors import BadInputError
from workbench.core.store import HistoryFilter, HistoryStore
from workbench.core.store.demo import generate_history
from workbench.core.store.export import (
    EXPORT_COLUMNS,
    PAGE,
    export_to_file,
    iter_matching_ids,
    matching_ids,
    write_export,
)


@pytest.fixture
def store(tmp_path):
    s = HistoryStore.open(tmp_path / "history.db", images_root=tmp_path / "images")
    generate_history(s, PAGE + 30, seed=3)  # more than one search page
    yield s
    s.close()


def test_ids_page_through_every_match_newest_first(store):
    ids = matching_ids(store)
    assert len(ids) == PAGE + 30 == store.count() and len(set(ids)) == len(ids)
    created = [store.get(i).created_at for i in ids[PAGE - 2:PAGE + 2]]  # across the page boundary
    assert created == sorted(created, reverse=True)
    blocked = HistoryFilter(outcomes=("blocked_input",))
    assert list(iter_matching_ids(store, "", blocked)) == matching_ids(store, "", blocked)
    assert len(matching_ids(store, "", blocked)) == store.count("", blocked) > 0


def test_jsonl_rows_are_complete_entries(store):
    ids = matching_ids(store)[:5]
    out = io.StringIO()
    assert write_export(store, iter(ids), "jsonl", out) == 5
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows == [json.loads(json.dumps(store.get(i).to_dict())) for i in ids]


def test_csv_has_the_export_columns_and_json_cells(store, tmp_path):
    ids = matching_ids(store)
    target = tmp_path / "out" / "history.csv"
    assert export_to_file(store, ids, "csv", target) == len(ids)
    with open(target, encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert tuple(table[0]) == EXPORT_COLUMNS and len(table) == len(ids)
    first = store.get(ids[0])
    assert table[0]["prompt"] == first.prompt and json.loads(table[0]["categories"]) == first.categories


def test_a_failed_export_leaves_no_file_and_keeps_the_old_one(store, tmp_path):
    target = tmp_path / "history.jsonl"
    target.write_text("previous export\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="no request #999999"):
        export_to_file(store, [matching_ids(store)[0], 999_999], "jsonl", target)
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(BadInputError, match="unknown export format 'xml'"):
        export_to_file(store, [], "xml", tmp_path / "h.xml")
    assert not (tmp_path / "h.xml").exists()
