"""Dashboard numbers computed from history (pure SQL over the store; no Qt).

- Violation rate = blocked / requests the safety system judged (ok + blocked). Errors such as
  429s, cancelled and interrupted requests are not judgements and are left out. Bands from the
  seeds: < 2 % healthy, 2-5 % watch, > 5 % systemic.
- Category distribution of blocked requests (`unspecified` when the provider named none).
- Top blocked prompts, grouped by normalised prompt.
- Pass rate after rewrite: requests whose parent (the prompt they were rewritten from) was
  blocked, and how many of them passed.
- Trend per day or week (weeks start on Monday), cost and token totals.
- Calibration map: for each local screening finding (term and category) how often requests
  containing it were actually blocked vs passed, per model and moderation level - which words
  matter, and which the team can stop worrying about.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from workbench.core.store.db import translate_errors
from workbench.core.store.history import HistoryStore
from workbench.core.store.models import BLOCKED_OUTCOMES, JUDGED_OUTCOMES, HistoryFilter
from workbench.core.store.query import where_clause
from workbench.core.store.timestamps import utc_now

HEALTHY_BELOW = 0.02
SYSTEMIC_ABOVE = 0.05
_BLOCKED = "('" + "', '".join(BLOCKED_OUTCOMES) + "')"
_JUDGED = "('" + "', '".join(JUDGED_OUTCOMES) + "')"


def band_for(rate: float | None) -> str:
    """'healthy' (< 2 %), 'watch' (2-5 %), 'systemic' (> 5 %) or 'no data'."""
    if rate is None:
        return "no data"
    if rate < HEALTHY_BELOW:
        return "healthy"
    if rate > SYSTEMIC_ABOVE:
        return "systemic"
    return "watch"


@dataclass
class ViolationRate:
    judged: int
    blocked: int
    blocked_input: int
    blocked_output: int
    rate: float | None
    band: str
    blocked_unknown: int = 0  # the provider did not say which stage


@dataclass
class CategoryCount:
    category: str
    count: int
    share: float


@dataclass
class TopPrompt:
    prompt_key: str
    prompt: str
    blocked: int
    attempts: int
    first_blocked: str
    last_blocked: str
    models: list[str]
    categories: list[str]


@dataclass
class RewriteStats:
    rewrites: int  # judged requests whose parent was blocked
    passed: int
    pass_rate: float | None
    blocked_with_rewrites: int  # blocked requests that have at least one judged rewrite
    recovered: int  # ... of which at least one rewrite passed
    recovery_rate: float | None


@dataclass
class TrendPoint:
    period: str  # YYYY-MM-DD (day) or the Monday of the week
    total: int
    judged: int
    blocked: int
    rate: float | None
    band: str


@dataclass
class ModelCost:
    model: str
    requests: int
    actual_cost: float
    estimated_cost: float
    tokens: int


@dataclass
class CostTotals:
    actual_cost: float
    estimated_cost: float
    priced_requests: int
    input_tokens: int
    output_tokens: int
    by_model: list[ModelCost] = field(default_factory=list)


@dataclass
class CalibrationRow:
    term: str
    category: str
    model: str  # "*" = all models
    moderation: str  # "*" = all levels; "auto" when not sent
    requests: int
    blocked: int
    passed: int
    block_rate: float | None


@dataclass
class DashboardStats:
    generated_at: str
    total: int
    by_outcome: dict[str, int]
    violation: ViolationRate
    categories: list[CategoryCount]
    top_blocked: list[TopPrompt]
    rewrite: RewriteStats
    trend_unit: str
    trend: list[TrendPoint]
    costs: CostTotals
    calibration_terms: list[CalibrationRow]
    calibration: list[CalibrationRow]
    blocked_without_findings: int  # blocks the local screening did not see coming
    reviews: dict[str, int] = field(default_factory=dict)  # requests with images by review state

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def compute_stats(store: HistoryStore, flt: HistoryFilter | None = None, *, trend: str = "day",
                  top: int = 10) -> DashboardStats:
    """Every dashboard figure for the requests matching `flt` (all requests by default)."""
    if trend not in ("day", "week"):
        raise ValueError("trend must be 'day' or 'week'")
    where, params = where_clause(flt, "r")
    # Moderation probes (find the trigger) are history rows but not image requests.
    where = " AND ".join(filter(None, ["r.endpoint != 'moderate'", where]))
    scope = f"WITH f AS (SELECT * FROM requests r WHERE {where}) "
    q = _Query(store, scope, params)
    with translate_errors(store.path):
        by_outcome = dict(q.rows("SELECT outcome, count(*) FROM f GROUP BY outcome ORDER BY 2 DESC"))
        violation = _violation(by_outcome)
        return DashboardStats(
            generated_at=utc_now(),
            total=sum(by_outcome.values()),
            by_outcome=by_outcome,
            violation=violation,
            categories=_categories(q, violation.blocked),
            top_blocked=_top_blocked(q, top),
            rewrite=_rewrites(q),
            trend_unit=trend,
            trend=_trend(q, trend),
            costs=_costs(q),
            calibration_terms=_calibration(q, per_model=False),
            calibration=_calibration(q, per_model=True),
            blocked_without_findings=int(q.value(
                f"SELECT count(*) FROM f WHERE outcome IN {_BLOCKED} "
                "AND NOT EXISTS (SELECT 1 FROM request_findings rf WHERE rf.request_id = f.id)")),
            reviews=_reviews(q),
        )


class _Query:
    """Runs SQL against the filtered set `f`."""

    def __init__(self, store: HistoryStore, scope: str, params: list[Any]) -> None:
        self.db = store.db
        self.scope = scope
        self.params = params

    def rows(self, sql: str, extra: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.db.execute(self.scope + sql, [*self.params, *(extra or [])]).fetchall()

    def value(self, sql: str, extra: list[Any] | None = None) -> Any:
        return self.rows(sql, extra)[0][0]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _violation(by_outcome: dict[str, int]) -> ViolationRate:
    blocked_input = by_outcome.get("blocked_input", 0)
    blocked_output = by_outcome.get("blocked_output", 0)
    blocked_unknown = by_outcome.get("blocked_unknown", 0)
    blocked = blocked_input + blocked_output + blocked_unknown
    judged = blocked + by_outcome.get("ok", 0)
    rate = _ratio(blocked, judged)
    return ViolationRate(judged, blocked, blocked_input, blocked_output, rate, band_for(rate), blocked_unknown)


def _categories(q: _Query, blocked: int) -> list[CategoryCount]:
    rows = q.rows(
        f"SELECT coalesce(j.value, 'unspecified'), count(*) FROM f LEFT JOIN json_each(f.categories) j "
        f"WHERE f.outcome IN {_BLOCKED} GROUP BY 1 ORDER BY 2 DESC, 1")
    return [CategoryCount(str(c), n, n / blocked if blocked else 0.0) for c, n in rows]


def _top_blocked(q: _Query, top: int) -> list[TopPrompt]:
    rows = q.rows(
        f"SELECT prompt_key, count(*), min(created_at), max(created_at), max(id), "
        f"group_concat(DISTINCT model) FROM f WHERE outcome IN {_BLOCKED} AND prompt_key IS NOT NULL "
        "GROUP BY prompt_key ORDER BY 2 DESC, 4 DESC LIMIT ?", [int(top)])
    out = []
    for key, blocked, first, last, latest_id, models in rows:
        prompt = q.db.execute("SELECT prompt FROM requests WHERE id = ?", [latest_id]).fetchone()[0]
        attempts = q.value("SELECT count(*) FROM f WHERE prompt_key = ?", [key])
        categories = [r[0] for r in q.rows(
            f"SELECT DISTINCT j.value FROM f, json_each(f.categories) j WHERE f.prompt_key = ? "
            f"AND f.outcome IN {_BLOCKED} ORDER BY 1", [key])]
        out.append(TopPrompt(key, prompt, blocked, attempts, first, last,
                             sorted(set((models or "").split(",")) - {""}), categories))
    return out


def _rewrites(q: _Query) -> RewriteStats:
    # CROSS JOIN fixes the join order: from the few blocked parents through the parent_id index.
    rewrites, passed = q.rows(
        f"SELECT count(*), coalesce(sum(f.outcome = 'ok'), 0) FROM requests p CROSS JOIN f ON f.parent_id = p.id "
        f"WHERE p.outcome IN {_BLOCKED} AND f.outcome IN {_JUDGED}")[0]
    parents, recovered = q.rows(
        f"SELECT count(*), coalesce(sum(ok > 0), 0) FROM (SELECT f.parent_id, sum(f.outcome = 'ok') AS ok "
        f"FROM requests p CROSS JOIN f ON f.parent_id = p.id WHERE p.outcome IN {_BLOCKED} "
        f"AND f.outcome IN {_JUDGED} GROUP BY f.parent_id)")[0]
    return RewriteStats(rewrites, passed, _ratio(passed, rewrites), parents, recovered, _ratio(recovered, parents))


def _trend(q: _Query, unit: str) -> list[TrendPoint]:
    period = "substr(created_at, 1, 10)" if unit == "day" else "date(created_at, '-6 days', 'weekday 1')"
    rows = q.rows(
        f"SELECT {period} AS period, count(*), sum(outcome IN {_JUDGED}), sum(outcome IN {_BLOCKED}) "
        "FROM f GROUP BY period ORDER BY period")
    points = []
    for label, total, judged, blocked in rows:
        rate = _ratio(blocked, judged)
        points.append(TrendPoint(str(label), total, judged, blocked, rate, band_for(rate)))
    return points


def _costs(q: _Query) -> CostTotals:
    rows = q.rows(
        "SELECT model, count(*), coalesce(sum(actual_cost), 0), coalesce(sum(estimated_cost), 0), "
        "coalesce(sum(total_tokens), 0), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), "
        "sum(actual_cost IS NOT NULL) FROM f GROUP BY model")
    by_model = sorted((ModelCost(model or "(unknown)", n, float(a), float(e), int(t))
                       for model, n, a, e, t, _i, _o, _p in rows), key=lambda m: (-m.actual_cost, -m.requests))
    return CostTotals(
        actual_cost=sum(m.actual_cost for m in by_model), estimated_cost=sum(m.estimated_cost for m in by_model),
        priced_requests=sum(int(r[7] or 0) for r in rows), input_tokens=sum(int(r[5]) for r in rows),
        output_tokens=sum(int(r[6]) for r in rows), by_model=by_model)


def _reviews(q: _Query) -> dict[str, int]:
    counts = {"approved": 0, "rejected": 0, "unreviewed": 0}
    counts.update(dict(q.rows(
        "SELECT coalesce(review_state, 'unreviewed'), count(*) FROM f WHERE EXISTS "
        "(SELECT 1 FROM images i WHERE i.request_id = f.id AND i.role = 'output') GROUP BY 1")))
    return counts


def _calibration(q: _Query, *, per_model: bool) -> list[CalibrationRow]:
    model = "coalesce(f.model, '(unknown)')" if per_model else "'*'"
    moderation = "coalesce(f.moderation, 'auto')" if per_model else "'*'"
    rows = q.rows(
        # request_findings holds each (term, category) once per request, so count(*) counts requests.
        f"SELECT rf.term, rf.category, {model}, {moderation}, count(*), "
        f"sum(f.outcome IN {_BLOCKED}), sum(f.outcome = 'ok') "
        f"FROM f JOIN request_findings rf ON rf.request_id = f.id WHERE f.outcome IN {_JUDGED} "
        "GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC, 6 DESC, 1")
    return [CalibrationRow(t, c, m, mo, n, b, p, _ratio(b, n)) for t, c, m, mo, n, b, p in rows]
