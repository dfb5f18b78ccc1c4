"""Imported logs teach calibration: each new row's prompt is screened, its findings stored, and
its outcome counted per term and model family, exactly once, as a live outcome is."""

from __future__ import annotations

import csv
import json

import pytest

from workbench.core import calibration
from workbench.core.calibration import history
from workbench.core.screening import scan
from workbench.core.store import HistoryStore
from workbench.core.store.importing import complete_entry, import_file, import_text

ARTIST = "A castle at dusk in the style of Greg Rutkowski"
KEY = ("greg rutkowski", "living-artist")
BLOCK = {"message": "Your request was rejected by the safety system. safety_violations=[violence].",
         "type": "image_generation_user_error", "param": None, "code": "moderation_blocked",
         "moderation_details": {"moderation_stage": "input", "categories": ["violence"]}}


@pytest.fixture
def store():
    with HistoryStore.open() as s:
        history.load(s.db)  # counts made (and fingerprinted) before the import, as after any load
        yield s


def line(prompt: str | None, *, blocked: bool = False, model: str = "gpt-image-2", **extra) -> str:
    record = {"model": model, "status": 400 if blocked else 200, **extra}
    if prompt is not None:
        record["prompt"] = prompt
    if blocked:
        record["error"] = BLOCK
    return json.dumps(record)


def write_log(tmp_path, *lines: str):
    path = tmp_path / "support.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def counts(store: HistoryStore, family: str = "gpt-image-2"):
    """The stored counts as they are (no recount: `history.load` would hide a wrong increment)."""
    found = [c for origin, fam, term, cat, c in history.stored(store.db)
             if (origin, fam, term, cat) == (history.HISTORY, family, *KEY)]
    return found[0] if found else None


def test_a_blocked_and_a_passed_import_are_counted_for_the_term_and_family(store, tmp_path):
    log = write_log(tmp_path, line(ARTIST, blocked=True), line(ARTIST + ", oil on canvas"),
                    line(ARTIST, model="gpt-image-1.5"))
    report = import_file(store, log)
    assert report.imported == 3
    on2 = counts(store)
    assert (on2.passes, on2.blocks, on2.blocks_input) == (1, 1, 1)
    assert dict(on2.block_categories) == {"violence": 1}
    on1 = counts(store, "gpt-image-1.x")
    assert (on1.passes, on1.blocks) == (1, 0)
    # The findings are stored with the row, as for a live request, and counted incrementally:
    # the counts are fresh without a recount.
    entry = store.get(report.ids[0])
    assert KEY[0] in {f["term"] for f in entry.findings}
    assert history.is_fresh(store.db)


def test_importing_the_same_log_again_counts_nothing_more(store, tmp_path):
    log = write_log(tmp_path, line(ARTIST, blocked=True), line(ARTIST))
    import_file(store, log)
    before = history.stored(store.db)
    again = import_file(store, log)
    assert (again.imported, again.duplicates) == (0, 2)
    assert history.stored(store.db) == before
    assert history.is_fresh(store.db)
    # A pasted copy of the same log is the same lines too.
    pasted = import_text(store, log.read_text(encoding="utf-8"), source=log.name, fmt="jsonl")
    assert pasted.duplicates == 2
    assert history.stored(store.db) == before


def test_recompute_gives_the_same_counts_as_the_import_made(store, tmp_path):
    log = write_log(tmp_path, line(ARTIST, blocked=True), line(ARTIST), line(ARTIST),
                    line("a fox in the snow, watercolor"), line(ARTIST, model="dall-e-3", blocked=True))
    import_file(store, log)
    incremental = history.stored(store.db)
    assert incremental
    history.recompute(store.db)
    assert history.stored(store.db) == incremental


def test_rows_that_are_not_evidence_store_findings_but_never_count(store, tmp_path):
    server_error = {"error": {"message": "The server had an error", "type": "server_error"}}
    log = write_log(tmp_path, line(ARTIST, provider="sandbox"), line(ARTIST, status=500, error=server_error),
                    line(ARTIST, blocked=True, provider="sandbox"))
    report = import_file(store, log)
    assert report.imported == 3
    assert all(KEY[0] in {f["term"] for f in store.get(i).findings} for i in report.ids)
    assert counts(store) is None
    assert history.is_fresh(store.db)


def test_rows_without_a_usable_prompt_import_without_findings(store, tmp_path):
    log = write_log(tmp_path, line(None, blocked=True, request_id="req_noprompt"), line("gore\x00" + ARTIST),
                    line(ARTIST + " " + "x" * 40_000), line("   "), line(ARTIST))
    report = import_file(store, log)
    assert (report.imported, report.skipped) == (5, 0)
    no_prompt, binary, huge, blank, good = (store.get(i) for i in report.ids)
    assert no_prompt.prompt == "" and no_prompt.findings == [] and no_prompt.outcome == "blocked_input"
    assert binary.findings == huge.findings == blank.findings == []
    assert good.findings
    assert (counts(store).passes, counts(store).blocks) == (1, 0)


def test_a_prompt_repeated_in_the_log_is_each_request_counted(store, tmp_path):
    log = write_log(tmp_path, *(line(ARTIST, request_id=f"req_{i}") for i in range(5)))
    import_file(store, log)
    assert counts(store).passes == 5


def test_the_import_updates_the_active_snapshot_and_the_verdict(store, tmp_path):
    calibration.set_active(history.load(store.db, str(store.path)))
    assert scan(ARTIST, profile="gpt-image-2").verdict == "likely_blocked"
    log = write_log(tmp_path, *(line(ARTIST, request_id=f"req_{i}") for i in range(14)))
    import_file(store, log)
    assert calibration.active().get(*KEY, "gpt-image-2").passes == 14
    judged = scan(ARTIST, profile="gpt-image-2")
    assert judged.verdict != "likely_blocked"
    assert any("passed 14 of 14 times on gpt-image-2" in f.message for f in judged.findings)


def test_a_prompt_completed_later_is_screened_and_counted_on_the_next_load(store, tmp_path):
    report = import_file(store, write_log(tmp_path, line(None, blocked=True, request_id="req_late")))
    entry_id = report.ids[0]
    assert store.get(entry_id).findings == [] and counts(store) is None
    complete_entry(store, entry_id, prompt=ARTIST)
    assert KEY[0] in {f["term"] for f in store.get(entry_id).findings}
    assert not history.is_fresh(store.db)  # counted under no terms: the next load recounts
    on2 = history.load(store.db).get(*KEY, "gpt-image-2")
    assert (on2.passes, on2.blocks) == (0, 1)
    # Corrected to a prompt without the term, and moved to another model: recounted again.
    complete_entry(store, entry_id, prompt="a fox in the snow, watercolor", model="gpt-image-1.5")
    assert history.load(store.db).get(*KEY, "gpt-image-2") is None
    assert store.db.execute("SELECT count(*) FROM request_findings WHERE request_id = ? AND term = ?",
                            [entry_id, KEY[0]]).fetchone()[0] == 0


def test_a_csv_log_is_screened_and_counted_the_same_way(store, tmp_path):
    path = tmp_path / "support.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "prompt", "model", "status_code", "error"])
        writer.writerow(["2026-11-21T10:04:05Z", ARTIST, "gpt-image-2", 400, json.dumps({"error": BLOCK})])
        writer.writerow(["2026-11-21T10:05:05Z", ARTIST, "gpt-image-2", 200, ""])
    report = import_file(store, path)
    assert (report.format, report.imported) == ("csv", 2)
    on2 = counts(store)
    assert (on2.passes, on2.blocks, on2.last_at[:10]) == (1, 1, "2026-11-21")
    assert import_file(store, path).duplicates == 2
    assert counts(store) == on2
