"""The team server's schema, with migrations of its own (table `team_schema_migrations`).

Named, append-only steps applied in order inside one transaction under an advisory lock, so
two machines starting at once cannot both apply a step. Every table carries `seq` from one
sequence: pushes are serialised by the same lock, so `seq` order is commit order and a pull
cursor ("everything after seq N") never skips a row.
"""

from __future__ import annotations

from typing import Any

SCHEMA_LOCK = 0x57_42_54_45_41_4D  # "WBTEAM": pg_advisory_xact_lock key for migrations and pushes

MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("s001_team_tables", """
        CREATE SEQUENCE team_seq;
        CREATE TABLE team_requests (
            gid TEXT PRIMARY KEY,
            seq BIGINT NOT NULL DEFAULT nextval('team_seq'),
            origin TEXT NOT NULL,
            created_at TEXT NOT NULL,
            outcome TEXT NOT NULL,
            model TEXT,
            profile TEXT,
            stage TEXT,
            categories JSONB NOT NULL DEFAULT '[]',
            request_ids JSONB NOT NULL DEFAULT '[]',
            prompt TEXT NOT NULL DEFAULT '',
            parent_gid TEXT,
            data JSONB NOT NULL,               -- every stored column of the request (no secrets)
            pushed_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX team_requests_seq ON team_requests (seq);
        CREATE INDEX team_requests_created ON team_requests (created_at);
        CREATE TABLE team_images (
            sha256 TEXT PRIMARY KEY,
            format TEXT, width INTEGER, height INTEGER,
            bytes BYTEA NOT NULL
        );
        CREATE TABLE team_request_images (
            request_gid TEXT NOT NULL REFERENCES team_requests (gid) ON DELETE CASCADE,
            role TEXT NOT NULL, position INTEGER NOT NULL,
            sha256 TEXT NOT NULL, format TEXT, width INTEGER, height INTEGER, size INTEGER,
            PRIMARY KEY (request_gid, role, position)
        );
        CREATE TABLE team_appeals (
            gid TEXT PRIMARY KEY,
            seq BIGINT NOT NULL DEFAULT nextval('team_seq'),
            origin TEXT NOT NULL,              -- the machine of the last edit
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            fields JSONB NOT NULL,             -- title, status, ticket, … (see sync.APPEAL_FIELDS)
            request_gids JSONB NOT NULL DEFAULT '[]'
        );
        CREATE INDEX team_appeals_seq ON team_appeals (seq);
        CREATE TABLE team_conflicts (
            id BIGSERIAL PRIMARY KEY,
            seq BIGINT NOT NULL DEFAULT nextval('team_seq'),
            appeal_gid TEXT NOT NULL,
            field TEXT NOT NULL,
            kept_value TEXT, other_value TEXT,
            kept_origin TEXT, other_origin TEXT,
            kept_updated_at TEXT, other_updated_at TEXT,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE team_tombstones (
            gid TEXT PRIMARY KEY,
            seq BIGINT NOT NULL DEFAULT nextval('team_seq'),
            kind TEXT NOT NULL,
            deleted_at TEXT NOT NULL,
            origin TEXT
        );
    """),
)


def migrate(conn: Any) -> list[str]:
    """Apply the steps this server lacks; returns their names. `conn` is a psycopg connection."""
    applied: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEMA_LOCK])
        # Checked first: even IF NOT EXISTS needs CREATE on the schema, which a least-privilege
        # sync role (docs/team.md) does not have.
        if conn.execute("SELECT to_regclass('team_schema_migrations')").fetchone()[0] is None:
            conn.execute("CREATE TABLE team_schema_migrations "
                         "(name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        done = {row[0] for row in conn.execute("SELECT name FROM team_schema_migrations")}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            conn.execute(sql)
            conn.execute("INSERT INTO team_schema_migrations (name) VALUES (%s)", [name])
            applied.append(name)
    return applied
