"""Team sync against a real PostgreSQL server: push, pull, merges, conflicts, tombstones."""

from __future__ import annotations

import pytest

from workbench.core.api.records import ErrorRecord, GenerationResult, ImageData, ImageParams
from workbench.core.appeal.store import AppealStore
from workbench.core.store.history import HistoryStore
from workbench.core.team import sync
from workbench.core.team.connection import connect, parse_url
from workbench.core.team.ids import machine_id


class Home:
    """One machine: its own WORKBENCH_HOME (so its own machine id) and history."""

    def __init__(self, root, monkeypatch, name):
        self.root, self.monkeypatch = root / name, monkeypatch
        self.root.mkdir()
        self.use()
        self.store = HistoryStore.open(self.root / "data" / "history.db")
        self.machine = machine_id()

    def use(self):
        self.monkeypatch.setenv("WORKBENCH_HOME", str(self.root))
        return self

    def add(self, prompt, outcome="ok", n_images=0):
        self.use()
        rid = self.store.begin_request(prompt, ImageParams())
        error = ErrorRecord(kind="blocked", stage="input", categories=["violence"], message="blocked") \
            if outcome.startswith("blocked") else None
        images = [ImageData(data=_png(i + len(prompt)), format="png", width=4, height=4) for i in range(n_images)]
        self.store.complete_request(rid, GenerationResult(outcome=outcome, error=error, images=images))
        return rid

    def push(self, url, **kw):
        self.use()
        conn, server = connect(url)
        with conn:
            return sync.push(self.store, conn, server, **kw)

    def pull(self, url, **kw):
        self.use()
        conn, server = connect(url)
        with conn:
            return sync.pull(self.store, conn, server, **kw)


def _png(seed):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (seed % 256, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def homes(tmp_path, monkeypatch):
    a, b = Home(tmp_path, monkeypatch, "a"), Home(tmp_path, monkeypatch, "b")
    yield a, b
    a.store.close()
    b.store.close()


def test_two_homes_end_with_the_same_requests(homes, team_url):
    a, b = homes
    for i in range(30):
        a.add(f"a prompt {i}", "blocked_input" if i % 3 == 0 else "ok")
        b.add(f"b prompt {i}")
    assert a.push(team_url).pushed.requests == 30
    assert b.push(team_url).pushed.requests == 30
    assert b.pull(team_url).pulled.requests == 30
    assert a.pull(team_url).pulled.requests == 30
    assert sync.checksum(a.store) == sync.checksum(b.store)
    # A second sync moves nothing.
    for home in (a, b):
        again = home.push(team_url), home.pull(team_url)
        assert again[0].pushed == sync.Moved() and again[1].pulled == sync.Moved()
    pulled = b.store.get(b.store.search("a prompt 3").rows[0].id)
    assert pulled.source == "team" and pulled.outcome == "blocked_input" and pulled.categories == ["violence"]


def test_pending_rows_wait_and_are_pushed_once_complete(homes, team_url):
    a, _ = homes
    a.add("done before")
    pending = a.store.begin_request("still running", ImageParams())
    a.add("done after")
    assert a.push(team_url).pushed.requests == 2
    a.store.complete_request(pending, GenerationResult(outcome="ok"))
    assert a.push(team_url).pushed.requests == 1


def test_concurrent_appeal_edits_merge_and_leave_a_conflict(homes, team_url):
    a, b = homes
    rid = a.add("knight", "blocked_input")
    a.push(team_url)
    b.pull(team_url)
    appeal = AppealStore(a.store).create([rid], title="Knight appeal", notes="first")
    a.push(team_url)
    b.pull(team_url)
    (b_appeal,) = AppealStore(b.store).list()
    assert b_appeal.title == "Knight appeal" and len(b_appeal.request_ids) == 1
    # Both edit: A the notes and ticket, B the notes and the business context.
    AppealStore(a.store).update(appeal.id, notes="from A", ticket="T-1")
    AppealStore(b.store).update(b_appeal.id, notes="from B", business_context="marketing")
    a.push(team_url)
    report = b.push(team_url)
    assert report.pushed.conflicts == 1
    b_now = AppealStore(b.store).get(b_appeal.id)
    assert (b_now.ticket, b_now.business_context, b_now.notes) == ("T-1", "marketing", "from B")
    (conflict,) = sync.conflicts(b.store)
    assert conflict["field"] == "notes" and {conflict["kept_value"], conflict["other_value"]} == {"from A", "from B"}
    a.pull(team_url)
    a_now = AppealStore(a.store).get(appeal.id)
    assert (a_now.ticket, a_now.business_context, a_now.notes) == ("T-1", "marketing", "from B")
    assert [c["field"] for c in sync.conflicts(a.store)] == ["notes"]


def test_deletes_travel_as_tombstones(homes, team_url):
    a, b = homes
    rid = a.add("to be purged")
    a.add("kept")
    a.push(team_url)
    b.pull(team_url)
    a.store.db.execute("DELETE FROM requests WHERE id = ?", [rid])
    assert a.push(team_url).pushed.tombstones == 1
    assert b.pull(team_url).pulled.tombstones == 1
    assert [r.prompt_preview for r in b.store.search("").rows] == ["kept"]


def test_images_travel_by_hash_only_when_asked_and_under_the_cap(homes, team_url):
    a, b = homes
    a.add("with images", n_images=2)
    assert a.push(team_url).pushed.images == 0
    a.store.db.execute("UPDATE team_sync SET request_cursor = 0")
    assert a.push(team_url, images=True, image_cap=10).pushed.images == 0  # over the cap
    a.store.db.execute("UPDATE team_sync SET request_cursor = 0")
    assert a.push(team_url, images=True).pushed.images == 2
    report = b.pull(team_url, images=True)
    assert report.pulled.images == 2
    entry = b.store.get(b.store.search("with images").rows[0].id)
    assert len([i for i in entry.images if i.role == "output"]) == 2


def test_secrets_never_leave_the_machine(homes, team_url):
    import psycopg

    a, _ = homes
    secret = "sk-" + "proj-teamsecret0123456789abcdefghij"
    a.store.add_secret(secret)
    a.add(f"prompt quoting {secret}")
    a.push(team_url)
    with psycopg.connect(team_url) as conn:
        dump = str(conn.execute("SELECT data::text, prompt FROM team_requests").fetchall())
    assert secret not in dump


def test_the_url_password_goes_to_the_keyring(memory_keyring):
    server, password = parse_url("postgresql://ana:s3cret@db.example:5433/team?sslmode=verify-full")
    assert password == "s3cret" and "s3cret" not in server.url
    assert server.url == "postgresql://ana@db.example:5433/team?sslmode=verify-full"
    assert server.label == "ana@db.example:5433/team"


def test_an_unreachable_server_is_one_clear_error():
    from workbench.core.errors import UserFacingError

    with pytest.raises(UserFacingError, match="not reachable"):
        connect("postgresql://wb@127.0.0.1:1/none", timeout=2)
