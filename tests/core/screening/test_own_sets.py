"""The authored screening sets in benchmarks/screening are well-formed (no score thresholds:
the figures are measured by the scorer and go in the README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.core.screening.models import CATEGORIES, ENTITY_CATEGORIES

SETS = Path(__file__).resolve().parents[3] / "benchmarks" / "screening"
MIN_ROWS = {"negation.jsonl": 90, "evasion.jsonl": 70, "structure.jsonl": 60}
HARM = set(CATEGORIES) - ENTITY_CATEGORIES


def _rows(name: str) -> list[dict]:
    with (SETS / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.parametrize("name", sorted(MIN_ROWS))
def test_set_is_well_formed(name):
    rows = _rows(name)
    assert len(rows) >= MIN_ROWS[name]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "ids must be unique"
    texts = [r["text"] for r in rows]
    assert len(texts) == len(set(texts)), "no duplicate prompts"
    for r in rows:
        assert set(r) >= {"id", "text", "label", "categories"}, r["id"]
        assert isinstance(r["text"], str) and r["text"].strip(), r["id"]
        assert r["label"] in {"unsafe", "benign"}, r["id"]
        if r["label"] == "unsafe":
            assert r["categories"] and set(r["categories"]) <= HARM, r["id"]
        else:
            assert r["categories"] == [], r["id"]
    labels = {r["label"] for r in rows}
    assert labels == {"unsafe", "benign"}, "each set holds both kinds"


def test_ids_are_unique_across_sets():
    ids = [r["id"] for name in MIN_ROWS for r in _rows(name)]
    assert len(ids) == len(set(ids))
