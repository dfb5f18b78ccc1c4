"""docs/team.md's role SQL, run against a real PostgreSQL: the sync role pushes and pulls,
the reviewer role reads and cannot write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.core.team import server_schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "team.md"


def _sql_block() -> str:
    match = re.search(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, "docs/team.md has no ```sql block"
    return match.group(1)


@pytest.fixture
def roles_url(team_url):
    """A fresh team database with the schema (made by the owner) and the documented roles."""
    import psycopg

    with psycopg.connect(team_url, autocommit=True) as conn:
        server_schema.migrate(conn)
        conn.execute(_sql_block())
    yield team_url
    with psycopg.connect(team_url, autocommit=True) as conn:  # roles are cluster-wide: drop them
        conn.execute("DROP OWNED BY workbench_sync, workbench_reviewer")
        conn.execute("DROP ROLE workbench_sync, workbench_reviewer")


def _as(url: str, role: str) -> str:
    return url.replace("postgresql://wb@", f"postgresql://{role}@", 1)


def test_the_sync_role_pushes_and_pulls(roles_url, tmp_path, monkeypatch):
    from workbench.core.api.records import GenerationResult, ImageParams
    from workbench.core.appeal.store import AppealStore
    from workbench.core.store.history import HistoryStore
    from workbench.core.team import sync
    from workbench.core.team.connection import connect

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    store = HistoryStore.open(tmp_path / "home" / "data" / "history.db")
    try:
        rid = store.begin_request("a lighthouse at dusk", ImageParams())
        store.complete_request(rid, GenerationResult(outcome="ok"))
        AppealStore(store).create([rid], title="Harbour")
        conn, server = connect(_as(roles_url, "workbench_sync"))
        with conn:
            report = sync.push(store, conn, server)
            assert report.pushed.requests == 1
            sync.pull(store, conn, server)
    finally:
        store.close()


def test_the_reviewer_role_reads_but_cannot_write(roles_url):
    import psycopg

    with psycopg.connect(_as(roles_url, "workbench_reviewer"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM team_requests").fetchone()[0] == 0
        for sql in ("INSERT INTO team_tombstones (gid, kind, deleted_at) VALUES ('g', 'request', 'now')",
                    "UPDATE team_appeals SET origin = 'x'",
                    "DELETE FROM team_requests",
                    "CREATE TABLE sneaky (x int)"):
            with pytest.raises(psycopg.Error):
                conn.execute(sql)
