"""The verdict learns from history, per model family: passes lower it, blocks raise it, and hard
lines, the user's block-list and harmful scenes never move."""

from __future__ import annotations

import json

from workbench.cli import main
from workbench.core import calibration
from workbench.core.calibration import history, report
from workbench.core.screening import get_engine, scan
from workbench.core.screening.policy import decide
from workbench.core.screening.policy_profiles import resolve

ARTIST = "A castle at dusk in the style of Greg Rutkowski"  # living-artist: high on every gpt-image
ZOMBIE = "a zombie in a quiet field"  # violence/graphic: low


def judged(text: str, model: str):
    return scan(text, profile=resolve(model=model))


def finding(result, term):
    return next(f for f in result.findings if (f.term or f.text.lower()) == term)


def test_many_passes_on_gpt_image_2_stop_it_reading_as_likely_blocked_there_only(store, add):
    assert judged(ARTIST, "gpt-image-2").verdict == "likely_blocked"
    add(ARTIST, "gpt-image-2", n=14)
    add(ARTIST, "gpt-image-2", "blocked_input")
    calibration.set_active(history.load(store.db, str(store.path)))
    on2 = judged(ARTIST, "gpt-image-2")
    assert on2.verdict == "caution" and on2.profile == "gpt-image-2"
    artist = finding(on2, "greg rutkowski")
    assert artist.severity == "medium" and artist.stage == "policy"
    assert "passed 14 of 15 times on gpt-image-2 in your history (1 blocked: input 1)" in artist.message
    # No evidence on the other families: their profiles still judge alone.
    assert judged(ARTIST, "gpt-image-1.5").verdict == "likely_blocked"
    assert judged(ARTIST, "dall-e-3").verdict == "likely_blocked"


def test_repeated_blocks_warn_where_the_profile_says_low(store, add):
    before = judged(ZOMBIE, "gpt-image-2")
    assert finding(before, "zombie").severity == "low" and before.verdict == "caution"
    add(ZOMBIE, "gpt-image-2", "blocked_input", n=2)
    calibration.set_active(history.load(store.db, str(store.path)))
    assert finding(judged(ZOMBIE, "gpt-image-2"), "zombie").severity == "medium"  # a warning now
    add(ZOMBIE, "gpt-image-2", "blocked_input", n=3)
    calibration.set_active(history.load(store.db, str(store.path)))
    after = judged(ZOMBIE, "gpt-image-2")
    assert after.verdict == "likely_blocked"
    assert "passed 0 of 5 times on gpt-image-2" in finding(after, "zombie").message
    assert judged(ZOMBIE, "gpt-image-1").verdict == "caution"  # another family learned nothing


def test_evidence_never_lowers_hard_lines_block_list_or_scenes(store, add):
    naked = "Elon Musk naked"
    add(naked, "gpt-image-2", n=30)
    snap = history.load(store.db, str(store.path))
    assert decide(get_engine().scan(naked), resolve(model="gpt-image-2"), snap).verdict == "hard_block"


def test_the_cli_verdict_uses_the_history_and_can_leave_it_out(store, add, capsys):
    add(ARTIST, "gpt-image-2", n=10)
    store.close()
    assert main(["scan", "--json", "--model", "gpt-image-2", ARTIST]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "caution"
    assert main(["scan", "--json", "--model", "gpt-image-2", "--no-calibration", ARTIST]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "likely_blocked"


def test_the_learned_view_says_what_moved_and_how_sure(store, add):
    add(ARTIST, "gpt-image-2", n=14)
    rows = report.learned(history.load(store.db), family="gpt-image-2", term="greg rutkowski")
    assert len(rows) == 1
    row = rows[0]
    # The prior is the term screened alone in a neutral scene (the name alone reads medium).
    assert (row.prior, row.reads_as, row.changed) == ("medium", "low", True)
    assert row.sure == 14 / 22 and abs(row.posterior - 1.6 / 22) < 1e-9
    assert row.counts.passes == 14 and row.observed == 0.0
