"""What calibration learned, per model family and finding: the one view the CLI (`workbench
calibration show`) and the dashboard's calibration map both show.

For each (family, term, category): the counts, the profile's prior severity for that term in a
neutral scene (the term screened alone and judged by the family's profile, without evidence;
else the severity it was most often recorded with), the posterior block rate under that prior,
how sure the model is (n / (K + n)) and the severity the evidence makes of it: the same
`model.calibrated` the verdict uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.core.calibration import model
from workbench.core.calibration.model import Counts, Snapshot


@dataclass(frozen=True)
class Learned:
    family: str
    term: str
    category: str
    counts: Counts
    prior: str | None  # the profile's neutral-scene severity, else as recorded; None = unknown
    posterior: float  # p̂ under the prior (under "medium" when the prior is unknown)
    sure: float  # n / (K + n)
    reads_as: str | None  # what the evidence makes of it in a neutral scene

    @property
    def observed(self) -> float | None:
        n = self.counts.requests
        return self.counts.blocks / n if n else None

    @property
    def changed(self) -> bool:
        return self.prior is not None and self.reads_as != self.prior

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, "term": self.term, "category": self.category, **self.counts.to_dict(),
                "requests": self.counts.requests, "observed_block_rate": self.observed, "prior": self.prior,
                "posterior": round(self.posterior, 4), "sure": round(self.sure, 4), "reads_as": self.reads_as}


class _Priors:
    """The profile's neutral-scene severity of a term, screened alone (memoised)."""

    def __init__(self, recorded: dict[tuple[str, str], str] | None = None) -> None:
        self._known: dict[tuple[str, str, str], str | None] = {}
        self._recorded = recorded or {}

    def __call__(self, term: str, category: str, family: str) -> str | None:
        key = (term, category, family)
        if key not in self._known:
            self._known[key] = self._judge(term, category, family) or self._recorded.get((term, category))
        return self._known[key]

    @staticmethod
    def _judge(term: str, category: str, family: str) -> str | None:
        from workbench.core.errors import UserFacingError
        from workbench.core.screening import get_engine
        from workbench.core.screening.policy import decide

        try:
            result = decide(get_engine().scan(term), family)
        except UserFacingError:  # a family whose profile is gone (an imported teammate's own)
            return None
        for f in result.findings:
            if model.key_of(f) == (term, category):
                return f.severity
        return None


def learned(snapshot: Snapshot, *, family: str | None = None, term: str | None = None,
            recorded: dict[tuple[str, str], str] | None = None) -> list[Learned]:
    """Every key of the snapshot (optionally one family or term), most evidence first.
    `recorded`: (term, category) → severity as recorded, the prior when the term alone is not flagged."""
    priors = _Priors(recorded)
    rows = []
    for (key_term, category, key_family), counts in snapshot.items():
        if (family and key_family != family) or (term and key_term != term.strip().lower()):
            continue
        prior = priors(key_term, category, key_family)
        prior = prior if prior in model.PRIOR or prior == "critical" else None
        basis = prior if prior in model.PRIOR else "medium"
        reads = model.calibrated(prior, counts) if prior is not None else None
        rows.append(Learned(key_family, key_term, category, counts, prior, model.posterior(basis, counts),
                            model.sureness(basis, counts), reads))
    rows.sort(key=lambda r: (r.family, -r.counts.requests, r.term, r.category))
    return rows


def from_store(store: Any) -> list[Learned]:
    """`learned` over a history store's calibration (recounted first when stale); run it on the
    history worker (the dashboard does)."""
    from workbench.core.calibration import history

    return learned(history.load(store.db, str(store.path)), recorded=history.recorded_severities(store.db))
