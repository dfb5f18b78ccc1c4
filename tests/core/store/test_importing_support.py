"""Import as support uses it: refusing non-errors, support's fields, ID lines, completing an entry
later (recorded), and streamed logs with progress and cancellation."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main
from workbench.core.errors import BadInputError
from workbench.core.store import HistoryStore
from workbench.core.store.importing import (
    BATCH,
    ImportFields,
    complete_entry,
    edits_of,
    import_file,
    import_pasted,
    import_text,
)

BLOCK = ('{"error": {"message": "Your request was rejected by the safety system. safety_violations=[violence].", '
         '"type": "image_generation_user_error", "param": null, "code": "moderation_blocked"}}')


@pytest.fixture
def store(tmp_path):
    s = HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "img")
    yield s
    s.close()


@pytest.mark.parametrize("text", [
    "hello world",
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 100_000 + "1" + "}" * 100_000,
    "just some notes\nabout a day\n",
])
def test_text_that_is_not_an_error_is_refused_and_nothing_stored(store, text):
    with pytest.raises(BadInputError) as caught:
        import_text(store, text)
    assert "not an error body or a request log" in caught.value.user_message
    assert store.count() == 0


def test_cli_refuses_hello_world_with_exit_2(tmp_path, capsys):
    path = tmp_path / "note.txt"
    path.write_text("hello world", encoding="utf-8")
    assert main(["import", str(path)]) == 2
    assert "not an error body" in capsys.readouterr().err


def test_support_fields_are_applied_and_body_kept_verbatim(store):
    fields = ImportFields(request_id="req_support_1", prompt="two knights fighting", time="2026-11-20T09:30:00+01:00",
                          model="gpt-image-1.5", account="Marketing org", http_status=400, notes="ticket 881")
    report = import_pasted(store, BLOCK, fields=fields)
    entry = store.get(report.ids[0])
    assert entry.raw_body == BLOCK
    assert (entry.prompt, entry.model, entry.profile, entry.notes) == (
        "two knights fighting", "gpt-image-1.5", "Marketing org", "ticket 881")
    assert entry.request_ids[0] == "req_support_1" and entry.created_at == "2026-11-20T08:30:00.000Z"
    assert entry.http_status == 400 and entry.outcome == "blocked_unknown" and entry.stage == "unknown"


def test_unreadable_time_field_is_one_clear_error(store):
    with pytest.raises(BadInputError, match="unreadable time"):
        import_pasted(store, BLOCK, fields=ImportFields(time="last tuesday-ish"))
    assert store.count() == 0


def test_request_id_lines_in_pasted_text_are_read(store):
    text = ("x-request-id: req_from_header_line\nrequest id: 9f0c1d2e3a4b\n\n"
            "Error code: 400 - Your request was rejected by the safety system. safety_violations=[sexual].")
    entry = store.get(import_pasted(store, text).ids[0])
    assert entry.request_ids[:2] == ["req_from_header_line", "9f0c1d2e3a4b"]
    assert entry.http_status == 400 and entry.categories == ["sexual"] and entry.raw_body == text


def test_an_imported_entry_can_be_completed_later_and_every_change_is_recorded(store):
    entry_id = import_pasted(store, BLOCK).ids[0]
    edits = complete_entry(store, entry_id, prompt="a duel at dawn", request_ids=["req_late_1"], notes="from Ana")
    assert sorted(e.field for e in edits) == ["notes", "prompt", "request_ids"]
    entry = store.get(entry_id)
    assert entry.prompt == "a duel at dawn" and entry.notes == "from Ana" and entry.request_ids == ["req_late_1"]
    assert complete_entry(store, entry_id, prompt="a duel at dawn") == []  # no change, no edit
    complete_entry(store, entry_id, prompt="a duel at dusk")
    history = edits_of(store, entry_id)
    prompts = [(e.old_value, e.new_value) for e in history if e.field == "prompt"]
    assert prompts == [("", "a duel at dawn"), ("a duel at dawn", "a duel at dusk")]
    assert store.search("dusk").rows[0].id == entry_id  # the search index follows the edit


def test_complete_cli(tmp_path, capsys):
    body = tmp_path / "body.json"
    body.write_text(BLOCK, encoding="utf-8")
    assert main(["import", str(body), "--json"]) == 0
    entry_id = json.loads(capsys.readouterr().out)["ids"][0]
    assert main(["complete", str(entry_id), "--prompt", "knights", "--request-id", "req_a, req_b"]) == 0
    out = capsys.readouterr().out
    assert "prompt changed" in out and "request_ids changed" in out
    with HistoryStore.open() as store:
        assert store.get(entry_id).request_ids[:2] == ["req_a", "req_b"]
    assert main(["complete", "999999", "--prompt", "x"]) == 2


def _log(path, lines: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            if i % 3 == 0:
                fh.write(json.dumps({"ts": 1777331753 + i, "prompt": f"p{i}", "status": 400,
                                     "error": json.loads(BLOCK)}) + "\n")
            else:
                fh.write(json.dumps({"ts": 1777331753 + i, "prompt": f"p{i}", "status": 200}) + "\n")


def test_streamed_log_reports_progress_and_can_be_cancelled(store, tmp_path):
    path = tmp_path / "big.jsonl"
    _log(path, 2 * BATCH + 600)
    seen = []

    def progress(done, total, report):
        seen.append((done, total, report.imported))

    report = import_file(store, path, progress=progress, cancel=lambda: len(seen) >= 2)
    assert report.cancelled and report.imported == 2 * BATCH  # two batches written, then stopped
    assert store.count() == 2 * BATCH
    assert seen[0][1] == path.stat().st_size and 0 < seen[0][0] < seen[1][0] <= seen[1][1]
    rest = import_file(store, path)  # running again finishes the job; written lines are duplicates
    assert (rest.imported, rest.duplicates, rest.cancelled) == (600, 2 * BATCH, False)


def test_streamed_csv_log(store, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("timestamp,prompt,status,error\n2026-11-01T10:00:00Z,a knight,400,"
                    '"{""error"": {""code"": ""moderation_blocked"", ""message"": ""blocked""}}"\n'
                    "2026-11-01T10:01:00Z,a lake,200,\n", encoding="utf-8")
    report = import_file(store, path)
    assert report.format == "csv" and report.imported == 2
    outcomes = sorted(store.get(i).outcome for i in report.ids)
    assert outcomes == ["blocked_unknown", "ok"]


def test_invalid_utf8_in_a_streamed_log_is_one_clear_error(store, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"prompt": "ok", "status": 200}\n{"prompt": "\xff\xfe"}\n')
    with pytest.raises(BadInputError, match="not valid UTF-8"):
        import_file(store, path)


def test_cli_import_takes_support_fields(tmp_path, capsys):
    body = tmp_path / "pasted.txt"
    body.write_text("Your request was rejected as a result of our safety system.", encoding="utf-8")
    assert main(["import", str(body), "--json", "--request-id", "req_cli_1", "--prompt", "a tiger", "--status", "400",
                 "--model", "dall-e-3", "--account", "org-42", "--time", "2026-11-02T08:00:00Z"]) == 0
    entry_id = json.loads(capsys.readouterr().out)["ids"][0]
    with HistoryStore.open() as store:
        entry = store.get(entry_id)
    assert (entry.request_ids, entry.prompt, entry.http_status, entry.model, entry.profile, entry.created_at) == (
        ["req_cli_1"], "a tiger", 400, "dall-e-3", "org-42", "2026-11-02T08:00:00.000Z")
    assert entry.outcome == "blocked_unknown" and entry.raw_body == body.read_text(encoding="utf-8")
    assert main(["import", str(body), "--status", "42"]) == 2
    assert "--status 42 is not an HTTP status" in capsys.readouterr().err
