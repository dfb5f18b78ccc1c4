"""`workbench calibration`: show, export → import on another installation, validation, reset, recompute."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main
from workbench.core.calibration import exchange, history
from workbench.core.errors import BadInputError
from workbench.core.screening import scan
from workbench.core.store import HistoryStore

ARTIST = "A castle at dusk in the style of Greg Rutkowski"


def fill(n_ok: int, n_blocked: int = 0, model: str = "gpt-image-2") -> None:
    findings = scan(ARTIST).findings
    with HistoryStore.open() as store, store.transaction():
        for i in range(n_ok + n_blocked):
            store.record_completed(ARTIST, {"model": model}, outcome="ok" if i < n_ok else "blocked_input",
                                   provider="openai", findings=findings)


def out_json(capsys):
    return json.loads(capsys.readouterr().out)


def test_show_lists_what_was_learned_per_family(capsys):
    fill(14, 1)
    assert main(["calibration", "show", "--json", "--family", "gpt-image-2"]) == 0
    data = out_json(capsys)
    row = next(r for r in data["rows"] if r["term"] == "greg rutkowski")
    assert (row["passes"], row["blocks"], row["family"]) == (14, 1, "gpt-image-2")
    assert data["model"]["K"] == 8 and data["origins"]["history"] >= 1
    assert main(["calibration", "show"]) == 0
    text = capsys.readouterr().out
    assert "gpt-image-2:" in text and "greg rutkowski" in text and "14/15" in text


def test_a_team_file_moves_counts_between_installations_without_double_counting(tmp_path, monkeypatch, capsys):
    fill(10)
    shared = tmp_path / "team.json"
    assert main(["calibration", "export", str(shared)]) == 0
    doc = json.loads(shared.read_text())
    assert doc["format"] == "workbench-calibration" and doc["version"] == 1

    # Importing my own file adds nothing: those counts are my history.
    assert main(["calibration", "import", "--json", str(shared)]) == 0
    assert out_json(capsys)["skipped_own"] == len(doc["counts"])

    other = tmp_path / "other-home"
    other.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(other))
    assert main(["calibration", "import", "--json", str(shared)]) == 0
    assert out_json(capsys)["rows"] == len(doc["counts"])
    assert main(["calibration", "import", str(shared)]) == 0  # again: replaces, never adds
    capsys.readouterr()
    assert main(["calibration", "show", "--json"]) == 0
    row = next(r for r in out_json(capsys)["rows"] if r["term"] == "greg rutkowski")
    assert row["passes"] == 10
    # The imported evidence judges here too.
    assert main(["scan", "--json", "--model", "gpt-image-2", ARTIST]) == 0
    assert out_json(capsys)["verdict"] == "caution"


@pytest.mark.parametrize(("content", "said"), [
    ("{not json", "not valid JSON"),
    ('{"format": "something-else"}', "not a workbench calibration file"),
    ('{"format": "workbench-calibration", "version": 99, "exported_at": "x", "origin": "o", "counts": []}',
     "newer workbench"),
    ('{"format": "workbench-calibration", "version": 1, "exported_at": "x", "origin": "o", "counts": {}}',
     '"counts" must be a list'),
    ('{"format": "workbench-calibration", "version": 1, "exported_at": "x", "origin": "o", "counts": '
     '[{"origin": "o", "family": "gpt-image-2", "term": "rifle", "category": "violence", "passes": -1}]}',
     "row 1: \"passes\" must be a whole number"),
    ('{"format": "workbench-calibration", "version": 1, "exported_at": "x", "origin": "o", "counts": '
     '[{"origin": "o", "family": "gpt-image-2", "term": "rifle", "category": "violence", "blocks": 1, '
     '"blocks_input": 2}]}', "more than blocks"),
    ('{"format": "workbench-calibration", "version": 1, "exported_at": "x", "origin": "o", "counts": '
     '[{"origin": "o", "family": "f", "term": "a", "category": "c"}, {"origin": "o", "family": "f", '
     '"term": "A", "category": "c"}]}', "appear twice"),
    ('{"format": "workbench-calibration", "version": 1, "exported_at": "x", "origin": "o", "counts": '
     '[{"origin": "o", "family": "f", "term": "a", "category": "c", "block_categories": {"x": "2"}}]}',
     "block_categories"),
])
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_changes(tmp_path, capsys, content, said):
    fill(3)
    with HistoryStore.open() as store:
        history.load(store.db)
        before = history.snapshot(store.db)
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert main(["calibration", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and "Traceback" not in err
    with HistoryStore.open() as store:
        assert dict(history.snapshot(store.db).items()) == dict(before.items())


def test_a_missing_or_binary_file_is_a_one_line_error(tmp_path, capsys):
    assert main(["calibration", "import", str(tmp_path / "nope.json")]) == 2
    assert "not found" in capsys.readouterr().err
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(BadInputError, match="not UTF-8"):
        exchange.read(tmp_path / "bin.json")


def test_reset_needs_yes_and_recompute_counts_again(capsys):
    fill(4)
    assert main(["calibration", "reset"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["calibration", "reset", "--yes"]) == 0
    capsys.readouterr()
    assert main(["calibration", "show", "--json"]) == 0
    assert out_json(capsys)["rows"] == []
    assert main(["calibration", "recompute", "--all", "--json"]) == 0
    assert out_json(capsys)["keys"] >= 1
    assert main(["calibration", "show", "--json", "--term", "greg rutkowski"]) == 0
    assert out_json(capsys)["rows"][0]["passes"] == 4
