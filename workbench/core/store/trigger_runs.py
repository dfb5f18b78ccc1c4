"""Stored find-the-trigger results (table `trigger_runs`, migration m121).

Kept so an appeal packet can show the reproduction evidence: which span of the prompt still
triggered, with which probe kind, in how many probes (each probe is also a history row)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from workbench.core.store.db import inserted_pk, translate_errors
from workbench.core.store.history import HistoryStore
from workbench.core.store.timestamps import utc_now


@dataclass(frozen=True)
class TriggerRun:
    id: int
    request_id: int | None
    created_at: str
    prompt: str
    mode: str
    status: str
    spans: list[tuple[int, int]]
    probes: int
    probe_ids: list[int]
    spent: float
    budget: float
    message: str

    @property
    def texts(self) -> list[str]:
        return [self.prompt[a:b] for a, b in self.spans]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "request_id": self.request_id, "created_at": self.created_at,
                "mode": self.mode, "status": self.status, "probes": self.probes,
                "probe_history_ids": self.probe_ids, "spent": self.spent, "budget": self.budget,
                "spans": [{"start": a, "end": b, "text": self.prompt[a:b]} for a, b in self.spans],
                "message": self.message}


def save_run(store: HistoryStore, *, request_id: int | None, prompt: str, mode: str, status: str,
             spans: list[tuple[int, int]], probe_ids: list[int], spent: float, budget: float,
             message: str) -> int:
    row = {"request_id": request_id, "created_at": utc_now(), "prompt": store.scrub(prompt) or "",
           "mode": mode, "status": status, "spans_json": json.dumps([list(s) for s in spans]),
           "probes": len(probe_ids), "probe_ids_json": json.dumps(probe_ids), "spent": spent,
           "budget": budget, "message": message}
    with translate_errors(store.path), store.db.atomic():
        return inserted_pk(store.db.table("trigger_runs").insert(row))


def runs_for(store: HistoryStore, request_id: int) -> list[TriggerRun]:
    with translate_errors(store.path):
        rows = store.db.execute(
            "SELECT id, request_id, created_at, prompt, mode, status, spans_json, probes, probe_ids_json, "
            "spent, budget, message FROM trigger_runs WHERE request_id = ? ORDER BY id",
            [request_id]).fetchall()
    return [TriggerRun(r[0], r[1], r[2], r[3], r[4], r[5], [tuple(s) for s in json.loads(r[6])], r[7],
                       json.loads(r[8]), r[9], r[10], r[11]) for r in rows]
