"""Team history: the local SQLite history synced with a shared PostgreSQL server.

The local database stays the offline source of truth. `sync.push` sends complete requests
(append-only, by global id), appeals (merged field by field), tombstones and, optionally,
images by content hash; `sync.pull` brings the team's back. `server_schema` holds the server's
own migrations; `ids` the global ids (UUIDv7) and this machine's id; `connection` the URL,
the password in the keyring, and TLS.
"""
