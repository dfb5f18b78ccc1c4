"""Dashboard statistics: exact figures on a small history, consistency on a generated one."""

from __future__ import annotations

import pytest

from workbench.core.api.records import ErrorRecord
from workbench.core.store import HistoryFilter, HistoryStore
from workbench.core.store.demo import generate_history
from workbench.core.store.stats import band_for, compute_stats


def finding(term, category, severity="medium"):
    return {"start": 0, "end": len(term), "text": term, "category": category, "severity": severity,
            "message": "", "replacements": [], "term": term}


def blocked(categories, stage="input"):
    return ErrorRecord(kind="blocked", stage=stage, categories=categories, code="moderation_blocked", http_status=400)


@pytest.fixture
def store(tmp_path):
    s = HistoryStore.open(tmp_path / "h.db", images_root=tmp_path / "img")
    yield s
    s.close()


def _small(store):
    add = store.record_completed
    a = add("Knights fighting, blood", {"model": "gpt-image-1"}, outcome="blocked_input", error=blocked(["violence"]),
            findings=[finding("fighting", "violence"), finding("blood", "violence", "high")],
            created_at="2026-11-02T10:00:00.000Z", actual_cost=None).id
    add("knights   FIGHTING, blood.", {"model": "gpt-image-2", "moderation": "low"}, outcome="blocked_output",
        error=blocked([], "output"), findings=[finding("fighting", "violence"), finding("blood", "violence", "high")],
        created_at="2026-11-03T10:00:00.000Z")
    add("Knights in a standoff", {"model": "gpt-image-1"}, outcome="ok", parent_id=a, actual_cost=0.04,
        usage={"input_tokens": 10, "output_tokens": 100, "total_tokens": 110}, created_at="2026-11-03T11:00:00.000Z")
    add("Knights fighting in a standoff", {"model": "gpt-image-1"}, outcome="blocked_input",
        error=blocked(["violence", "other"]), parent_id=a, findings=[finding("fighting", "violence")],
        created_at="2026-11-09T10:00:00.000Z")
    for n in range(6):
        add(f"a meadow {n}", {"model": "gpt-image-1"}, outcome="ok", actual_cost=0.01,
            findings=[finding("fighting", "violence")] if n == 0 else [], created_at=f"2026-11-1{n}T10:00:00.000Z")
    add("rate limited", {"model": "gpt-image-1"}, outcome="error",
        error=ErrorRecord(kind="rate_limited", http_status=429), created_at="2026-11-16T10:00:00.000Z")


def test_figures_on_a_small_history(store):
    _small(store)
    s = compute_stats(store, trend="week")
    assert s.total == 11 and s.by_outcome == {"ok": 7, "blocked_input": 2, "blocked_output": 1, "error": 1}
    v = s.violation
    assert (v.judged, v.blocked, v.blocked_input, v.blocked_output) == (10, 3, 2, 1)
    assert v.rate == pytest.approx(0.3) and v.band == "systemic"
    assert [(c.category, c.count) for c in s.categories] == [("violence", 2), ("other", 1), ("unspecified", 1)]
    top = s.top_blocked[0]
    assert (top.blocked, top.attempts, top.models) == (2, 2, ["gpt-image-1", "gpt-image-2"])  # normalised prompt
    assert (top.first_blocked, top.last_blocked) == ("2026-11-02T10:00:00.000Z", "2026-11-03T10:00:00.000Z")
    r = s.rewrite
    assert (r.rewrites, r.passed, r.pass_rate, r.blocked_with_rewrites, r.recovered) == (2, 1, 0.5, 1, 1)
    assert [(p.period, p.total, p.blocked) for p in s.trend] == [
        ("2026-11-02", 3, 2), ("2026-11-09", 7, 1), ("2026-11-16", 1, 0)]  # weeks start on Monday
    assert s.costs.actual_cost == pytest.approx(0.10) and s.costs.priced_requests == 7
    assert s.costs.output_tokens == 100
    terms = {(c.term, c.model, c.moderation): (c.requests, c.blocked, c.passed) for c in s.calibration_terms}
    assert terms[("fighting", "*", "*")] == (4, 3, 1) and terms[("blood", "*", "*")] == (2, 2, 0)
    detail = {(c.term, c.model, c.moderation): (c.requests, c.blocked) for c in s.calibration}
    assert detail[("blood", "gpt-image-2", "low")] == (1, 1)
    assert detail[("fighting", "gpt-image-1", "auto")] == (3, 2)  # moderation not sent = auto
    assert s.blocked_without_findings == 0
    day = compute_stats(store, HistoryFilter(since="2026-11-03T00:00:00.000Z", until="2026-11-03T23:59:59.999Z"))
    assert day.total == 2 and day.violation.blocked == 1 and [p.period for p in day.trend] == ["2026-11-03"]


def test_bands():
    assert band_for(None) == "no data"
    assert band_for(0.0) == band_for(0.0199) == "healthy"
    assert band_for(0.02) == band_for(0.05) == "watch"
    assert band_for(0.0501) == "systemic"


def test_empty_history(store):
    s = compute_stats(store)
    assert s.total == 0 and s.violation.band == "no data" and s.rewrite.pass_rate is None
    assert s.categories == [] and s.trend == [] and s.calibration == []


def test_stats_on_a_generated_history_agree_with_direct_counts(store):
    generate_history(store, 3000, seed=11)
    s = compute_stats(store, trend="day")
    db = store.db
    count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    assert s.total == 3000 == sum(s.by_outcome.values())
    assert s.violation.blocked == count("SELECT count(*) FROM requests WHERE outcome LIKE 'blocked%'")
    assert s.violation.judged == count("SELECT count(*) FROM requests WHERE outcome IN "
                                       "('ok', 'blocked_input', 'blocked_output')")
    assert s.violation.band == band_for(s.violation.rate)
    assert sum(p.total for p in s.trend) == 3000 and sum(p.blocked for p in s.trend) == s.violation.blocked
    assert len(s.top_blocked) == 10 and all(t.blocked >= 1 for t in s.top_blocked)
    assert s.top_blocked == sorted(s.top_blocked, key=lambda t: -t.blocked)
    assert 0 < s.rewrite.rewrites and s.rewrite.pass_rate is not None and s.rewrite.pass_rate > s.violation.rate
    assert s.costs.actual_cost == pytest.approx(count("SELECT sum(actual_cost) FROM requests"))
    for row in s.calibration_terms:
        assert row.blocked + row.passed == row.requests
    per_term = {}
    for row in s.calibration:
        per_term[row.term] = per_term.get(row.term, 0) + row.requests
    assert per_term == {r.term: r.requests for r in s.calibration_terms}
    assert s.to_dict()["violation"]["band"] == s.violation.band
