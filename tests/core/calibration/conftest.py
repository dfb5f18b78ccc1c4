"""Calibration tests: a history store in the test's WORKBENCH_HOME, and no snapshot left behind."""

from __future__ import annotations

import pytest

from workbench.core.api.records import ErrorRecord
from workbench.core.screening import scan
from workbench.core.store import HistoryStore


@pytest.fixture
def store():
    with HistoryStore.open() as s:
        yield s


def blocked(stage: str = "input", category: str = "violence") -> ErrorRecord:
    return ErrorRecord(kind="blocked", message="Your request was rejected by the safety system.", stage=stage,
                       categories=[category], http_status=400, code="moderation_blocked")


def record(store: HistoryStore, prompt: str, model: str, outcome: str = "ok", n: int = 1, *,
           provider: str = "openai", source: str = "import", stage: str = "input") -> None:
    """`n` finished requests of `prompt`, with the findings the editor would have stored."""
    findings = scan(prompt).findings
    error = blocked(stage) if outcome != "ok" else None
    with store.transaction():
        for _ in range(n):
            store.record_completed(prompt, {"model": model}, outcome=outcome, error=error, provider=provider,
                                   source=source, findings=findings)


@pytest.fixture
def add(store):
    """add(prompt, model, outcome="ok", n=1, provider=…, source=…): requests in the history."""
    return lambda *args, **kw: record(store, *args, **kw)
