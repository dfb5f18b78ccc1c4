"""Appeals kept in the history database (tables `appeals` and `appeal_requests`)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from typing import Any

from workbench.core.appeal.models import APPEAL_STATUSES, CLOSED_STATUSES, Appeal
from workbench.core.errors import BadInputError
from workbench.core.store.db import inserted_pk, translate_errors
from workbench.core.store.history import HistoryStore
from workbench.core.store.timestamps import utc_now
from workbench.core.team.ids import machine_id, uuid7

EDITABLE = ("title", "ticket", "business_context", "account_id", "org_id", "notes")


class AppealStore:
    """Create, list, edit and track appeals; shares the HistoryStore's connection."""

    def __init__(self, history: HistoryStore) -> None:
        self.history = history
        self.db = history.db

    def create(self, request_ids: Sequence[int], *, title: str = "", business_context: str = "",
               account_id: str = "", org_id: str = "", notes: str = "", ticket: str = "") -> Appeal:
        """A new `draft` appeal grouping these history requests (at least one)."""
        ids = _unique_ints(request_ids)
        if not ids:
            raise BadInputError("an appeal needs at least one request")
        now = utc_now()
        scrub = self.history.scrub
        with translate_errors(self.history.path), self.db.atomic():
            self._require_requests(ids)
            appeal_id = inserted_pk(self.db.table("appeals").insert({
                "title": scrub(title) or "", "status": "draft", "ticket": scrub(ticket) or "",
                "business_context": scrub(business_context) or "", "account_id": scrub(account_id) or "",
                "org_id": scrub(org_id) or "", "notes": scrub(notes) or "", "created_at": now, "updated_at": now,
                "gid": uuid7(), "origin": machine_id(),  # team sync
            }))
            self._link(appeal_id, ids, start=0)
        return self.get(appeal_id)

    def get(self, appeal_id: int) -> Appeal:
        with translate_errors(self.history.path):
            cursor = self.db.execute("SELECT * FROM appeals WHERE id = ?", [int(appeal_id)])
            values = cursor.fetchone()
            if values is None:
                raise BadInputError(f"there is no appeal #{appeal_id}")
            row = dict(zip([d[0] for d in cursor.description], values, strict=True))
            ids = [r[0] for r in self.db.execute(
                "SELECT request_id FROM appeal_requests WHERE appeal_id = ? ORDER BY position, request_id",
                [int(appeal_id)])]
        return _appeal(row, ids)

    def list(self, status: str | None = None) -> list[Appeal]:
        """Appeals, newest first, optionally of one status."""
        if status is not None and status not in APPEAL_STATUSES:
            raise BadInputError(f"unknown appeal status {status!r}; use one of {', '.join(APPEAL_STATUSES)}")
        where = " WHERE status = ?" if status else ""
        with translate_errors(self.history.path):
            cursor = self.db.execute(f"SELECT * FROM appeals{where} ORDER BY updated_at DESC, id DESC",
                                     [status] if status else [])
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, v, strict=True)) for v in cursor.fetchall()]
            links: dict[int, list[int]] = {}
            for appeal_id, request_id in self.db.execute(
                    "SELECT appeal_id, request_id FROM appeal_requests ORDER BY position, request_id"):
                links.setdefault(appeal_id, []).append(request_id)
        return [_appeal(row, links.get(row["id"], [])) for row in rows]

    def update(self, appeal_id: int, **fields: str) -> Appeal:
        """Change text fields (title, ticket, business_context, account_id, org_id, notes)."""
        unknown = set(fields) - set(EDITABLE)
        if unknown:
            raise BadInputError(f"cannot edit {', '.join(sorted(unknown))} of an appeal")
        values: dict[str, Any] = {k: self.history.scrub(v or "") or "" for k, v in fields.items()}
        values["updated_at"] = utc_now()
        with translate_errors(self.history.path):
            self.get(appeal_id)
            self.db.table("appeals").update(int(appeal_id), values)
        return self.get(appeal_id)

    def set_status(self, appeal_id: int, status: str, *, ticket: str | None = None) -> Appeal:
        """Move an appeal to draft/submitted/resolved/rejected, stamping when it happened."""
        if status not in APPEAL_STATUSES:
            raise BadInputError(f"unknown appeal status {status!r}; use one of {', '.join(APPEAL_STATUSES)}")
        current = self.get(appeal_id)
        now = utc_now()
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if status == "submitted" and not current.submitted_at:
            values["submitted_at"] = now
        if status in CLOSED_STATUSES:
            values["closed_at"] = now
        elif current.closed_at:
            values["closed_at"] = None
        if ticket is not None:
            values["ticket"] = self.history.scrub(ticket) or ""
        with translate_errors(self.history.path):
            self.db.table("appeals").update(int(appeal_id), values)
        return self.get(appeal_id)

    def add_requests(self, appeal_id: int, request_ids: Iterable[int]) -> Appeal:
        current = self.get(appeal_id)
        ids = [i for i in _unique_ints(request_ids) if i not in current.request_ids]
        with translate_errors(self.history.path), self.db.atomic():
            self._require_requests(ids)
            self._link(int(appeal_id), ids, start=len(current.request_ids))
            self.db.table("appeals").update(int(appeal_id), {"updated_at": utc_now()})
        return self.get(appeal_id)

    def remove_requests(self, appeal_id: int, request_ids: Iterable[int]) -> Appeal:
        ids = _unique_ints(request_ids)
        with translate_errors(self.history.path), self.db.atomic():
            self.get(appeal_id)
            for request_id in ids:
                self.db.execute("DELETE FROM appeal_requests WHERE appeal_id = ? AND request_id = ?",
                                [int(appeal_id), request_id])
            self.db.table("appeals").update(int(appeal_id), {"updated_at": utc_now()})
        return self.get(appeal_id)

    def delete(self, appeal_id: int) -> None:
        with translate_errors(self.history.path):
            self.get(appeal_id)
            self.db.execute("DELETE FROM appeals WHERE id = ?", [int(appeal_id)])

    def appeals_for_request(self, request_id: int) -> builtins.list[int]:
        with translate_errors(self.history.path):
            return [r[0] for r in self.db.execute(
                "SELECT appeal_id FROM appeal_requests WHERE request_id = ? ORDER BY appeal_id", [request_id])]

    def _require_requests(self, ids: builtins.list[int]) -> None:
        for request_id in ids:
            if not self.db.execute("SELECT 1 FROM requests WHERE id = ?", [request_id]).fetchone():
                raise BadInputError(f"history has no request #{request_id}")

    def _link(self, appeal_id: int, ids: builtins.list[int], *, start: int) -> None:
        self.db.table("appeal_requests").insert_all(
            {"appeal_id": appeal_id, "request_id": rid, "position": start + n} for n, rid in enumerate(ids))


def _unique_ints(values: Iterable[Any]) -> list[int]:
    out: list[int] = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise BadInputError(f"{value!r} is not a history request number") from None
        if number not in out:
            out.append(number)
    return out


def _appeal(row: dict[str, Any], request_ids: list[int]) -> Appeal:
    return Appeal(
        id=row["id"], title=row["title"], status=row["status"], ticket=row["ticket"],
        business_context=row["business_context"], account_id=row["account_id"], org_id=row["org_id"],
        notes=row["notes"], created_at=row["created_at"], updated_at=row["updated_at"],
        submitted_at=row["submitted_at"], closed_at=row["closed_at"], request_ids=request_ids,
    )
