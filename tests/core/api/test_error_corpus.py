"""The public error corpus (tests/data/error_bodies.jsonl): real bodies quoted in issues, forums and
vendor docs, each with its source URL and the reading support needs. Every body is read pasted
alone and pasted with its HTTP status; bars: >= 95 % on kind, stage and categories, 100 % on
request IDs and on verbatim storage (here and through `import`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.core.api.error_parsing import parse_error_body, retryable
from workbench.core.store import HistoryStore
from workbench.core.store.importing import ImportFields, import_pasted

CORPUS = [json.loads(line) for line in (Path(__file__).parents[2] / "data" / "error_bodies.jsonl")
          .read_text(encoding="utf-8").splitlines() if line.strip()]
CASES = [(entry, with_status) for entry in CORPUS for with_status in (False, True)]
CASE_IDS = [f"{e['id']}-{'status' if s else 'bare'}" for e, s in CASES]


def _reading(entry: dict, with_status: bool):
    return parse_error_body(entry["body"], status=entry["status"] if with_status else None)


def test_corpus_is_big_and_sourced():
    assert len(CORPUS) >= 60
    assert len({e["id"] for e in CORPUS}) == len(CORPUS)
    for entry in CORPUS:
        assert entry["source"].startswith("https://"), entry["id"]
        assert entry["expect"]["kind"], entry["id"]


def _score(field: str) -> float:
    right = 0
    for entry, with_status in CASES:
        record = _reading(entry, with_status)
        expect = entry["expect"]
        if field == "kind":
            right += record.kind == expect["kind"]
        elif field == "stage":
            right += expect["kind"] != "blocked" or record.stage == expect["stage"]
        else:
            right += sorted(record.categories) == sorted(expect["categories"])
    return right / len(CASES)


@pytest.mark.parametrize("field", ["kind", "stage", "categories"])
def test_reading_bar(field):
    misses = [
        (e["id"], s) for e, s in CASES
        if (field == "kind" and _reading(e, s).kind != e["expect"]["kind"])
        or (field == "stage" and e["expect"]["kind"] == "blocked" and _reading(e, s).stage != e["expect"]["stage"])
        or (field == "categories" and sorted(_reading(e, s).categories) != sorted(e["expect"]["categories"]))
    ]
    assert _score(field) >= 0.95, misses


@pytest.mark.parametrize(("entry", "with_status"), CASES, ids=CASE_IDS)
def test_request_ids_and_verbatim(entry, with_status):
    record = _reading(entry, with_status)
    assert record.request_ids == entry["expect"]["request_ids"]
    assert record.raw_body == entry["body"]
    if not with_status:
        assert record.http_status == entry["expect"]["text_status"]


@pytest.mark.parametrize("entry", [e for e in CORPUS if e["expect"]["kind"] in ("blocked", "quota", "access")],
                         ids=lambda e: e["id"])
def test_blocks_quota_and_access_are_never_retryable(entry):
    assert not retryable(_reading(entry, True))


@pytest.fixture(scope="module")
def history_store(tmp_path_factory):
    store = HistoryStore.open(tmp_path_factory.mktemp("corpus") / "h.db")
    yield store
    store.close()


@pytest.mark.parametrize(("entry", "with_status"), CASES, ids=CASE_IDS)
def test_imported_paste_is_stored_byte_for_byte(history_store, entry, with_status):
    fields = ImportFields(http_status=entry["status"] if with_status else None)
    report = import_pasted(history_store, entry["body"], fields=fields)
    assert report.imported == 1, report.problems
    stored = history_store.get(report.ids[0])
    assert stored.raw_body == entry["body"]
    assert stored.error_kind == entry["expect"]["kind"]
    assert stored.request_ids == entry["expect"]["request_ids"]
