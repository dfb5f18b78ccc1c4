"""Counting the history: what counts (and what never does), incremental = recount, staleness."""

from __future__ import annotations

from workbench.core import calibration
from workbench.core.api.records import GenerationResult
from workbench.core.calibration import history
from workbench.core.store import HistoryStore
from workbench.core.store.recorder import HistoryRecorder

ARTIST = "A castle at dusk in the style of Greg Rutkowski"
KEY = ("greg rutkowski", "living-artist")


def test_passes_and_blocks_are_counted_per_model_family(store, add):
    add(ARTIST, "gpt-image-2", n=14)
    add(ARTIST, "gpt-image-2", "blocked_input")
    add(ARTIST, "gpt-image-1.5", "blocked_output", n=2, stage="output")
    snap = history.load(store.db)
    on2 = snap.get(*KEY, "gpt-image-2")
    on1 = snap.get(*KEY, "gpt-image-1.x")
    assert (on2.passes, on2.blocks, on2.blocks_input) == (14, 1, 1)
    assert (on1.passes, on1.blocks, on1.blocks_output) == (0, 2, 2)
    assert dict(on1.block_categories) == {"violence": 2}
    assert snap.get(*KEY, "dall-e-3") is None


def test_sandbox_demo_and_probe_rows_never_count(store, add):
    add(ARTIST, "gpt-image-2", n=3, provider="sandbox")
    add(ARTIST, "gpt-image-2", "blocked_input", n=3, source="demo")
    add(ARTIST, "gpt-image-2", n=3, source="trigger")
    add(ARTIST, "gpt-image-2", n=1, provider="openai", source="live")
    snap = history.load(store.db)
    assert snap.get(*KEY, "gpt-image-2").requests == 1
    # Errors and cancellations are not judgements either.
    store.record_completed(ARTIST, {"model": "gpt-image-2"}, outcome="cancelled", provider="openai",
                           findings=[{"term": "greg rutkowski", "category": "living-artist", "severity": "high",
                                      "text": "Greg Rutkowski"}])
    assert history.load(store.db).get(*KEY, "gpt-image-2").requests == 1


def test_the_recorder_counts_a_live_outcome_and_updates_the_active_snapshot(store):
    calibration.set_active(history.load(store.db, str(store.path)))
    recorder = HistoryRecorder(store)

    class Request:
        prompt, params, is_edit, images, mask = ARTIST, {"model": "gpt-image-2"}, False, [], None

        def __init__(self):
            self.meta = {}

    class Context:
        profile_name, base_url, estimated_cost = "OpenAI", "https://api.openai.com/v1", None

        def __init__(self, kind):
            self.profile_kind = kind

    for kind in ("openai", "openai", "sandbox"):
        request, context = Request(), Context(kind)
        recorder.before_send(request, context)
        recorder.after_complete(request, context, GenerationResult(outcome="ok"))
    live = calibration.active().get(*KEY, "gpt-image-2")
    assert live.passes == 2  # the Sandbox request is not evidence
    # The incremental counts are exactly what a recount gives, and the counts stay fresh.
    assert history.is_fresh(store.db)
    history.recompute(store.db)
    assert history.snapshot(store.db).get(*KEY, "gpt-image-2") == live


def test_a_change_behind_the_counts_back_is_recounted_on_load(store, add):
    add(ARTIST, "gpt-image-2", n=2)
    assert history.load(store.db).get(*KEY, "gpt-image-2").passes == 2
    add(ARTIST, "gpt-image-2", n=3)  # an import: no recorder involved
    assert not history.is_fresh(store.db)
    assert history.load(store.db).get(*KEY, "gpt-image-2").passes == 5
    store.purge(everything=True, include_appealed=True)
    assert history.load(store.db).get(*KEY, "gpt-image-2") is None


def test_reset_forgets_and_only_new_outcomes_count(store, add):
    add(ARTIST, "gpt-image-2", n=4)
    history.load(store.db)
    history.reset(store.db)
    assert len(history.load(store.db)) == 0  # a recount does not bring the old outcomes back
    add(ARTIST, "gpt-image-2", n=1)
    assert history.load(store.db).get(*KEY, "gpt-image-2").passes == 1
    history.forget_reset(store.db)
    assert history.load(store.db).get(*KEY, "gpt-image-2").passes == 5


def test_load_file_creates_nothing_where_there_is_no_history(tmp_path):
    assert history.load_file(tmp_path / "none.db") is None
    assert not (tmp_path / "none.db").exists()


def test_a_new_history_starts_empty_and_fresh(tmp_path):
    with HistoryStore.open(tmp_path / "h.db") as s:
        assert len(history.load(s.db)) == 0 and history.is_fresh(s.db)
